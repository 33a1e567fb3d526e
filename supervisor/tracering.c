// SPDX-License-Identifier: GPL-2.0-only
#include "tracering.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "stale.h"

#define TRACERING_PREFIX "aodv2-"

void tracering_init(struct tracering *t)
{
	memset(t, 0, sizeof(*t));
	t->dirfd = -1;
}

/* Writes text into a file of the instance; 0 or -errno. */
static int tr_write(const struct tracering *t, const char *file, const char *text)
{
	int fd = openat(t->dirfd, file, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, text, strlen(text));
	int rc = n == (ssize_t)strlen(text) ? 0 : n < 0 ? -errno : -EIO;
	close(fd);
	return rc;
}

/* instances/aodv2-<pid> of a supervisor that is gone. */
static void tr_remove_stale(int instances)
{
	DIR *d = fdopendir(dup(instances));
	struct dirent *de;
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!stale_owner_gone(de->d_name, TRACERING_PREFIX))
			continue;
		if (unlinkat(instances, de->d_name, AT_REMOVEDIR) == 0)
			log_info("cifs trace ring: removed instance %s left by a supervisor that is gone",
				 de->d_name);
		else
			log_warn("cifs trace ring: cannot remove the stale instance %s: %s", de->d_name,
				 strerror(errno));
	}
	closedir(d);
}

static int tr_make_instance(struct tracering *t)
{
	char path[192];
	snprintf(path, sizeof(path), "%s/instances", t->root);
	int inst = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (inst < 0)
		return -errno;
	tr_remove_stale(inst);
	snprintf(t->name, sizeof(t->name), TRACERING_PREFIX "%d", (int)getpid());
	int rc = 0;
	if (mkdirat(inst, t->name, 0700) != 0 && errno != EEXIST)
		rc = -errno;
	if (rc == 0) {
		t->dirfd = openat(inst, t->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (t->dirfd < 0)
			rc = -errno;
	}
	close(inst);
	return rc;
}

/* tracefs where it is mounted; mounted at the first place if nowhere (the
 * probes mount it too, but only when they need its formats). */
static int tr_find_root(struct tracering *t)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[160];

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
			snprintf(path, sizeof(path), "%s/instances", roots[i]);
			if (access(path, F_OK) == 0) {
				snprintf(t->root, sizeof(t->root), "%s", roots[i]);
				return 0;
			}
		}
		if (pass == 0 && mount("tracefs", roots[0], "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
				       NULL) != 0)
			return -errno;
	}
	return -ENOENT;
}

static void tr_settings(const struct aod_recorder_cfg *cfg, uint32_t *kb, char *globs, size_t len)
{
	size_t off = 0;
	*kb = cfg->cifs_trace_buffer_kb;
	globs[0] = '\0';
	for (unsigned i = 0; i < cfg->n_cifs_trace_events && off < len; i++)
		off += (size_t)snprintf(globs + off, len - off, "%s\n", cfg->cifs_trace_events[i]);
}

bool tracering_differs(const struct tracering *t, const struct aod_recorder_cfg *cfg)
{
	char globs[sizeof(t->globs)];
	uint32_t kb;
	tr_settings(cfg, &kb, globs, sizeof(globs));
	return kb != t->kb || strcmp(globs, t->globs) != 0;
}

int tracering_open(struct tracering *t, const struct aod_recorder_cfg *cfg)
{
	char kb[16];
	tr_settings(cfg, &t->kb, t->globs, sizeof(t->globs));
	int rc = tr_find_root(t);
	if (rc == 0)
		rc = tr_make_instance(t);
	if (rc < 0) {
		log_warn("cifs trace ring: no tracefs instance (%s); collections hold no cifs-trace.txt.zst",
			 strerror(-rc));
		tracering_close(t);
		return rc;
	}
	snprintf(kb, sizeof(kb), "%u", cfg->cifs_trace_buffer_kb);
	if ((rc = tr_write(t, "buffer_size_kb", kb)) < 0 ||
	    (rc = tr_write(t, "trace_clock", "mono")) < 0) {
		log_warn("cifs trace ring: cannot set up %s (buffer_size_kb %s, trace_clock mono): %s",
			 t->name, kb, strerror(-rc));
		tracering_close(t);
		return rc;
	}
	/* Older kernels (before 5.11) have no such option: their trace file
	 * pauses the ring while a collection reads it. */
	if (tr_write(t, "options/pause-on-trace", "0") < 0)
		log_info("cifs trace ring: this kernel pauses the ring while a collection reads it");
	tr_write(t, "tracing_on", "1");
	log_info("cifs trace ring: tracefs instance %s/instances/%s, %u KiB per CPU", t->root, t->name,
		 cfg->cifs_trace_buffer_kb);
	tracering_poke(t, cfg);
	return 0;
}

static bool tr_wanted(const struct aod_recorder_cfg *cfg, const char *event)
{
	for (unsigned i = 0; i < cfg->n_cifs_trace_events; i++)
		if (fnmatch(cfg->cifs_trace_events[i], event, 0) == 0)
			return true;
	return false;
}

void tracering_poke(struct tracering *t, const struct aod_recorder_cfg *cfg)
{
	char path[300];
	if (t->dirfd < 0 || t->events_on)
		return;
	int cifs = openat(t->dirfd, "events/cifs", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (cifs < 0)
		return; /* cifs.ko not loaded yet */
	DIR *d = fdopendir(cifs);
	if (!d) {
		close(cifs);
		return;
	}
	struct dirent *de;
	unsigned failed = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.' || !tr_wanted(cfg, de->d_name))
			continue;
		snprintf(path, sizeof(path), "events/cifs/%s/enable", de->d_name);
		if (tr_write(t, path, "1") == 0)
			t->n_events++;
		else
			failed++;
	}
	closedir(d);
	t->events_on = true; /* the module's events are all there once it is loaded */
	if (failed)
		log_warn("cifs trace ring: %u cifs events could not be enabled", failed);
	if (t->n_events)
		log_info("cifs trace ring: recording %u cifs events", t->n_events);
	else
		log_warn("cifs trace ring: no cifs event matches watcher.flight_recorder.cifs_trace_events");
}

int tracering_open_trace(const struct tracering *t)
{
	if (t->dirfd < 0)
		return -ENOENT;
	int fd = openat(t->dirfd, "trace", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

void tracering_close(struct tracering *t)
{
	if (t->dirfd < 0)
		return;
	tr_write(t, "tracing_on", "0");
	close(t->dirfd);
	t->dirfd = -1;
	char path[192];
	snprintf(path, sizeof(path), "%s/instances/%s", t->root, t->name);
	/* The kernel refuses while a reader still holds a file open (EBUSY):
	 * collectord has exited by now, so that is brief. */
	for (int i = 0; i < 50; i++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return;
		if (errno != EBUSY)
			break;
		usleep(20000);
	}
	log_warn("cifs trace ring: cannot remove %s: %s", path, strerror(errno));
}
