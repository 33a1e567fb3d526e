// SPDX-License-Identifier: GPL-2.0-only
/* A worker that reports ready is checked from /proc: it must run as the
 * service user with exactly the capabilities planned for it. One that does
 * not is killed rather than trusted. */
#include "children.h"

#include <cap-ng.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "sup.h"
#include "where.h"
#include "clock.h"

static int proc_hex_field(const char *line, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);
	if (strncmp(line, key, klen) != 0)
		return 0;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(line + klen, &end, 16);
	if (errno || end == line + klen)
		return -EBADMSG;
	*out = v;
	return 1;
}

int proc_identity(pid_t pid, uid_t *uid, uint64_t *eff, uint64_t *prm, uint64_t *amb)
{
	char path[64], line[256];
	unsigned found = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned r, e, sv, fs;
		if (sscanf(line, "Uid: %u %u %u %u", &r, &e, &sv, &fs) == 4) {
			/* All four must agree, or the reported uid would hide one. */
			*uid = (r == e && e == sv && sv == fs) ? (uid_t)r : (uid_t)-2;
			found |= 1;
		} else if (proc_hex_field(line, "CapEff:", eff) == 1) {
			found |= 2;
		} else if (proc_hex_field(line, "CapPrm:", prm) == 1) {
			found |= 4;
		} else if (proc_hex_field(line, "CapAmb:", amb) == 1) {
			found |= 8;
		}
	}
	fclose(f);
	return found == 15 ? 0 : -EBADMSG;
}

void caps_mask_names(uint64_t mask, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned c = 0; c < 64 && off < len; c++) {
		if (!(mask & (1ull << c)))
			continue;
		const char *name = capng_capability_to_name(c);
		int n = name ? snprintf(buf + off, len - off, "%scap_%s", off ? "," : "", name)
			     : snprintf(buf + off, len - off, "%scap_%u", off ? "," : "", c);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (!off)
		snprintf(buf, len, "none");
}

static uint64_t worker_caps_mask(const struct worker *w)
{
	uint64_t m = 0;
	for (int i = 0; i < w->n_caps; i++)
		m |= 1ull << w->caps[i];
	return m;
}

static uid_t expected_uid(const struct sup *s)
{
	return geteuid() == 0 ? s->svc_uid : getuid();
}

/* 0 when the worker is who it should be. */
static int worker_verify(struct worker *w)
{
	uint64_t eff = 0, prm = 0, amb = 0, want = worker_caps_mask(w);
	uid_t uid;
	int rc = proc_identity(w->pid, &uid, &eff, &prm, &amb);

	if (rc < 0) {
		log_error("cannot read /proc/%d/status of %s: %s", (int)w->pid, w->name, strerror(-rc));
		return rc;
	}
	w->uid = uid;
	caps_mask_names(eff, w->cap_names, sizeof(w->cap_names));
	log_debug("%s (pid %d): uid %u, CapEff %016" PRIx64 ", CapPrm %016" PRIx64
		  ", CapAmb %016" PRIx64 " (%s)", w->name, (int)w->pid, (unsigned)uid, eff, prm, amb,
		  w->cap_names);
	uid_t want_uid = expected_uid(w->sup);
	if (uid != want_uid || eff != want || prm != want || (geteuid() == 0 && amb != want)) {
		char want_names[256];
		caps_mask_names(want, want_names, sizeof(want_names));
		char why[600];
		snprintf(why, sizeof(why), "runs as uid %d with capabilities %s, expected uid %u with %s",
			 (int)uid, w->cap_names, (unsigned)want_uid, want_names);
		worker_fail(w, why);
		return -EPERM;
	}
	w->verified = true;
	return 0;
}

static void children_announce_ready(struct sup *s)
{
	for (int i = 0; i < W_NR; i++)
		if (s->workers[i].state != WS_RUNNING)
			return;
	if (s->announced_ready)
		return;
	s->announced_ready = true;
	log_info("all workers are ready");
	notify_send("READY=1");
}

void worker_ready(struct worker *w)
{
	struct sup *s = w->sup;

	if (w->state != WS_STARTING) {
		worker_fail(w, "sent READY twice");
		return;
	}
	if (worker_verify(w) < 0)
		return;
	w->state = WS_RUNNING;
	w->ready_ns = clock_mono_ns();
	if (w->id == W_DETECTOR && s->where)
		where_announce_all(s->where); /* a detectord that starts knows no share */
	log_info("%s (pid %d) is ready as uid %u with capabilities %s", w->name, (int)w->pid,
		 (unsigned)w->uid, w->cap_names);
	if (s->phase == PHASE_RUNNING)
		children_announce_ready(s);
}
