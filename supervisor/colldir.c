// SPDX-License-Identifier: GPL-2.0-only
#include "colldir.h"
#include "readall.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define COLLDIR_DEPTH 8

bool colldir_name_valid(const char *name, uint64_t *ts_ns, bool *partial)
{
	const char *digits = name;
	size_t n;

	*partial = name[0] == '.';
	if (*partial)
		digits++;
	if (strncmp(digits, "aod_", 4) != 0)
		return false;
	digits += 4;
	n = strspn(digits, "0123456789");
	/* A finished collection is aod_<ts>, or aod_<ts>.failed when it failed
	 * (collectord names it so; its manifest then says failed too). */
	const char *rest = digits + n;
	bool known = *partial ? strcmp(rest, ".partial") == 0
			      : strcmp(rest, "") == 0 || strcmp(rest, ".failed") == 0;
	if (n == 0 || n > 20 || !known)
		return false;
	*ts_ns = strtoull(digits, NULL, 10);
	return true;
}

int colldir_read(const char *dir, const char *name, const char *file, char **text, size_t *len)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	int cfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int rc = cfd < 0 ? -errno : 0;
	close(dfd);
	if (rc < 0)
		return rc;
	int fd = openat(cfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	rc = fd < 0 ? -errno : 0;
	close(cfd);
	if (rc < 0)
		return rc;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL; /* a fifo or device planted there: not read */
	}
	rc = readall_fd(fd, COLLDIR_MAX_FILE, text, len);
	close(fd);
	return rc;
}

struct colldir_level {
	bool mapping, want_key, anomaly;
	char key[32];
};

static void colldir_scalar(struct colldir_entry *e, const struct colldir_level *l, int depth,
			  const char *v, bool *have_status)
{
	if (depth == 1 && !strcmp(l->key, "status")) {
		*have_status = true;
		e->state = strcmp(v, "complete") == 0 ? COLLDIR_COMPLETE : COLLDIR_FAILED;
	} else if (depth == 1 && !strcmp(l->key, "error")) {
		snprintf(e->why, sizeof(e->why), "%s", v);
	} else if (depth == 2 && l->anomaly && !strcmp(l->key, "name")) {
		snprintf(e->anomaly, sizeof(e->anomaly), "%s", v);
	} else if (depth == 2 && l->anomaly && !strcmp(l->key, "type")) {
		snprintf(e->type, sizeof(e->type), "%s", v);
	}
}

/* Walks the manifest's events: top-level status and error, anomaly.name
 * and anomaly.type. False when it is not a readable document. */
static bool colldir_parse(const char *text, size_t len, struct colldir_entry *e, bool *have_status)
{
	struct colldir_level lv[COLLDIR_DEPTH + 1] = { 0 };
	yaml_parser_t p;
	yaml_event_t ev;
	int depth = 0;
	bool ok = false, done = false;

	if (!yaml_parser_initialize(&p))
		return false;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!done && yaml_parser_parse(&p, &ev)) {
		struct colldir_level *l = &lv[depth];
		switch (ev.type) {
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			if (depth == COLLDIR_DEPTH) {
				done = true;
				break;
			}
			lv[depth + 1] = (struct colldir_level){
				.mapping = ev.type == YAML_MAPPING_START_EVENT, .want_key = true,
				.anomaly = depth == 1 && l->mapping && !strcmp(l->key, "anomaly") };
			depth++;
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			if (depth > 0)
				depth--;
			lv[depth].want_key = true;
			break;
		case YAML_SCALAR_EVENT:
			if (l->mapping && l->want_key) {
				snprintf(l->key, sizeof(l->key), "%s", (const char *)ev.data.scalar.value);
				l->want_key = false;
				break;
			}
			colldir_scalar(e, l, depth, (const char *)ev.data.scalar.value, have_status);
			l->want_key = true;
			break;
		case YAML_STREAM_END_EVENT:
			ok = done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return ok;
}

static void colldir_manifest(const char *dir, struct colldir_entry *e)
{
	char *text = NULL;
	size_t len = 0;
	bool have_status = false;

	e->state = COLLDIR_FAILED;
	int rc = colldir_read(dir, e->name, "manifest.json", &text, &len);
	if (rc < 0) {
		snprintf(e->why, sizeof(e->why), "no manifest.json (%s)", strerror(-rc));
		return;
	}
	if (!colldir_parse(text, len, e, &have_status) || !have_status) {
		e->state = COLLDIR_FAILED;
		snprintf(e->why, sizeof(e->why), "unreadable manifest.json");
	}
	free(text);
}

/* Bytes of the regular files directly inside the collection. */
static uint64_t colldir_bytes(int dfd, const char *name)
{
	int cfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	uint64_t sum = 0;
	if (cfd < 0)
		return 0;
	DIR *d = fdopendir(cfd);
	if (!d) {
		close(cfd);
		return 0;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		if (fstatat(cfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			sum += (uint64_t)st.st_size;
	}
	closedir(d);
	return sum;
}

/* Fills e for entry name of the open output dir dfd (path dir). */
static int colldir_fill(int dfd, const char *dir, const char *name, struct colldir_entry *e)
{
	bool partial;
	struct stat st;

	memset(e, 0, sizeof(*e));
	if (strlen(name) >= sizeof(e->name) || !colldir_name_valid(name, &e->ts_ns, &partial))
		return -EINVAL;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOENT; /* a symlink or file under our name is not a collection */
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->bytes = colldir_bytes(dfd, name);
	if (partial)
		e->state = COLLDIR_PARTIAL;
	else
		colldir_manifest(dir, e);
	return 0;
}

int colldir_stat(const char *dir, const char *name, struct colldir_entry *e)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	int rc = colldir_fill(dfd, dir, name, e);
	close(dfd);
	return rc;
}

static int colldir_newest_first(const void *a, const void *b)
{
	const struct colldir_entry *x = a, *y = b;
	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? 1 : -1;
	return strcmp(x->name, y->name);
}

int colldir_scan(const char *dir, struct colldir_entry **out, bool *truncated)
{
	struct colldir_entry *v = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	*truncated = false;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	DIR *d = fdopendir(dfd);
	if (!d) {
		int rc = -errno;
		close(dfd);
		return rc;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (n == COLLDIR_MAX_ENTRIES) {
			*truncated = true;
			break;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct colldir_entry *nv = realloc(v, ncap * sizeof(*v));
			if (!nv) {
				closedir(d);
				free(v);
				return -ENOMEM;
			}
			v = nv;
			cap = ncap;
		}
		if (colldir_fill(dirfd(d), dir, de->d_name, &v[n]) == 0)
			n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), colldir_newest_first);
	*out = v;
	return (int)n;
}
