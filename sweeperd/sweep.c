// SPDX-License-Identifier: GPL-2.0-only
#include "sweep.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "log.h"
#include "tree.h"

#define NS_PER_SEC 1000000000ull
#define NS_PER_DAY (86400ull * NS_PER_SEC)

struct sweep_entry {
	char name[32];
	uint64_t ts;
	uint64_t bytes;
	bool gone;
};

struct sweep_scan {
	struct sweep_entry *v;
	size_t n, cap;
	uint64_t partial_bytes;
	uint64_t other_bytes; /* entries that are not collections */
};

struct sweep_limits sweep_limits_from(double max_age_days, double max_total_mb)
{
	struct sweep_limits lim = { 0, 0 };
	if (max_age_days > 0)
		lim.max_age_ns = (uint64_t)(max_age_days * (double)NS_PER_DAY);
	if (max_total_mb > 0)
		lim.max_bytes = (uint64_t)(max_total_mb * 1024.0 * 1024.0);
	return lim;
}

/* digits: 1..20 decimal digits that fit in 64 bits, ending at *end. */
static bool sweep_parse_digits(const char *s, const char **end, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (p == s || p - s > 20) /* 20 digits hold any 64-bit value */
		return false;
	*end = p;
	*out = v;
	return true;
}

bool sweep_parse_complete(const char *name, uint64_t *ts)
{
	const char *end;
	return strncmp(name, "aod_", 4) == 0 && sweep_parse_digits(name + 4, &end, ts) &&
	       (*end == '\0' || strcmp(end, ".failed") == 0);
}

bool sweep_parse_partial(const char *name, uint64_t *ts)
{
	const char *end;
	return strncmp(name, ".aod_", 5) == 0 && sweep_parse_digits(name + 5, &end, ts) &&
	       strcmp(end, ".partial") == 0;
}

static double sweep_mib(uint64_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

static double sweep_days(uint64_t now_ns, uint64_t ts)
{
	return now_ns > ts ? (double)(now_ns - ts) / (double)NS_PER_DAY : 0.0;
}

static int sweep_add(struct sweep_scan *s, const char *name, uint64_t ts, uint64_t bytes)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct sweep_entry *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	struct sweep_entry *e = &s->v[s->n++];
	snprintf(e->name, sizeof(e->name), "%.31s", name); /* <= 24 chars: parsed */
	e->ts = ts;
	e->bytes = bytes;
	e->gone = false;
	return 0;
}

static int sweep_delete(int outfd, const char *name, uint64_t bytes, uint64_t now_ns,
			uint64_t ts, const char *why, struct sweep_result *res)
{
	int rc = tree_remove(outfd, name);
	if (rc < 0) {
		log_error_rl("cannot delete %s (%s): %s", name, why, strerror(-rc));
		res->errors++;
		return rc;
	}
	log_info("deleted %s: %.1f MiB, %.2f days old (%s)", name, sweep_mib(bytes),
		 sweep_days(now_ns, ts), why);
	if (audit_enabled()) {
		char b[24];
		snprintf(b, sizeof(b), "%" PRIu64, bytes);
		struct journal_field f[] = { { "AOD_COLLECTION", name }, { "AOD_BYTES", b },
					     { "AOD_REASON", why } };
		audit_record(AUDIT_SWEEP, f, 3, "deleted %s: %s bytes, %.2f days old (%s)", name, b,
			     sweep_days(now_ns, ts), why);
	}
	res->deleted++;
	res->deleted_bytes += bytes;
	return 0;
}

/* Anything else in the directory: counted (it takes the same disk), never
 * deleted. */
static void sweep_other(int outfd, const char *name, struct sweep_scan *s,
			struct sweep_result *res)
{
	uint64_t bytes = 0;
	if (tree_size(outfd, name, &bytes) < 0)
		res->errors++;
	s->other_bytes += bytes;
}

/* A partial collection: counted; removed only when stale on both clocks. */
static void sweep_partial(int outfd, const char *name, uint64_t ts, uint64_t now_ns,
			  struct sweep_scan *s, struct sweep_result *res)
{
	struct stat st;
	uint64_t bytes = 0;
	if (fstatat(outfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		sweep_other(outfd, name, s, res);
		return;
	}
	if (tree_size(outfd, name, &bytes) < 0)
		res->errors++;
	uint64_t mtime = (uint64_t)st.st_mtim.tv_sec * NS_PER_SEC + (uint64_t)st.st_mtim.tv_nsec;
	bool stale = now_ns > ts && now_ns - ts > SWEEP_PARTIAL_STALE_NS && now_ns > mtime &&
		     now_ns - mtime > SWEEP_PARTIAL_STALE_NS;
	if (stale && sweep_delete(outfd, name, bytes, now_ns, ts,
				  "unfinished collection left from a crash", res) == 0)
		return;
	s->partial_bytes += bytes;
}

static int sweep_complete(int outfd, const char *name, uint64_t ts, struct sweep_scan *s,
			  struct sweep_result *res)
{
	struct stat st;
	if (fstatat(outfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return 0;
	if (!S_ISDIR(st.st_mode)) {
		log_warn_rl("%s is not a directory (%s): not a collection, left alone", name,
			    S_ISLNK(st.st_mode) ? "a symlink" : "a file");
		sweep_other(outfd, name, s, res);
		return 0;
	}
	uint64_t bytes = 0;
	if (tree_size(outfd, name, &bytes) < 0)
		res->errors++;
	return sweep_add(s, name, ts, bytes);
}

static int sweep_scan_dir(int outfd, uint64_t now_ns, struct sweep_scan *s,
			  struct sweep_result *res)
{
	int fd = openat(outfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		int err = -errno;
		close(fd);
		return err;
	}
	int rc = 0;
	struct dirent *de;
	uint64_t ts;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (sweep_parse_complete(de->d_name, &ts))
			rc = sweep_complete(outfd, de->d_name, ts, s, res);
		else if (sweep_parse_partial(de->d_name, &ts))
			sweep_partial(outfd, de->d_name, ts, now_ns, s, res);
		else if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			sweep_other(outfd, de->d_name, s, res);
	}
	closedir(d);
	return rc;
}

static int sweep_by_age(const void *a, const void *b)
{
	const struct sweep_entry *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return strcmp(x->name, y->name);
}

int sweep_run(int outfd, const struct sweep_limits *lim, uint64_t now_ns,
	      struct sweep_result *res)
{
	struct sweep_scan s = { 0 };
	memset(res, 0, sizeof(*res));
	int rc = sweep_scan_dir(outfd, now_ns, &s, res);
	if (rc < 0) {
		free(s.v);
		return rc;
	}
	if (s.n) /* an empty dir leaves s.v NULL, which qsort must not get */
		qsort(s.v, s.n, sizeof(s.v[0]), sweep_by_age);

	uint64_t total = s.partial_bytes + s.other_bytes;
	for (size_t i = 0; i < s.n; i++) {
		struct sweep_entry *e = &s.v[i];
		bool old = lim->max_age_ns && now_ns > e->ts && now_ns - e->ts > lim->max_age_ns;
		if (old && sweep_delete(outfd, e->name, e->bytes, now_ns, e->ts,
					"older than max_log_age_days", res) == 0)
			e->gone = true;
		else
			total += e->bytes;
	}
	for (size_t i = 0; i < s.n && lim->max_bytes && total > lim->max_bytes; i++) {
		struct sweep_entry *e = &s.v[i];
		if (e->gone)
			continue;
		char why[128];
		snprintf(why, sizeof(why), "total %.1f MiB over max_total_log_size_mb %.1f%s",
			 sweep_mib(total), sweep_mib(lim->max_bytes),
			 i + 1 == s.n ? "; it was the newest" : "");
		if (sweep_delete(outfd, e->name, e->bytes, now_ns, e->ts, why, res) == 0) {
			e->gone = true;
			total -= e->bytes;
		}
	}
	if (lim->max_bytes && total > lim->max_bytes && s.other_bytes)
		log_warn_rl("%.1f MiB in the output directory are not collections: the total "
			    "%.1f MiB stays over max_total_log_size_mb %.1f (the sweeper deletes "
			    "only collections)", sweep_mib(s.other_bytes), sweep_mib(total),
			    sweep_mib(lim->max_bytes));
	for (size_t i = 0; i < s.n; i++)
		res->collections += !s.v[i].gone;
	res->total_bytes = total;
	res->other_bytes = s.other_bytes;
	free(s.v);
	return 0;
}
