/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One sweep of the output directory: delete complete collections older than
 * the age limit, then the oldest ones until the total is within the size
 * limit.
 *
 * Promise: only direct entries of the output directory named aod_<digits>
 * or aod_<digits>.failed (a finished collection that failed) that are real
 * directories (not symlinks) are ever deleted, with
 * everything below them (tree.h: no symlink is followed); a collection still
 * being written (.aod_<digits>.partial) counts towards the total but is left
 * alone unless both its name and its last change are more than
 * SWEEP_PARTIAL_STALE_NS old (left over from a crash). Anything else in the
 * directory is never touched but counts towards the total: the size limit
 * is about the disk the output directory takes. Age is taken from the name's
 * timestamp (when the anomaly happened), so touching a folder does not make
 * it younger. The size limit is a promise about disk use: if the newest
 * collection alone exceeds it, it is deleted too (and said so).
 */
#ifndef AOD_SWEEP_H
#define AOD_SWEEP_H

#include <stdbool.h>
#include <stdint.h>

#define SWEEP_PARTIAL_STALE_NS (24ull * 3600 * 1000000000ull)

struct sweep_limits {
	uint64_t max_bytes;  /* 0: no size limit */
	uint64_t max_age_ns; /* 0: no age limit */
};

struct sweep_result {
	uint64_t total_bytes;      /* everything in the directory after the sweep */
	uint64_t other_bytes;      /* of which not collections (never deleted) */
	uint64_t collections;      /* complete collections left */
	uint64_t deleted;          /* collections deleted by this sweep */
	uint64_t deleted_bytes;
	unsigned errors;           /* entries that could not be measured or deleted */
};

/* The limits in config units (days, MiB). */
struct sweep_limits sweep_limits_from(double max_age_days, double max_total_mb);
/* Sweeps the directory open as outfd at wall-clock time now_ns. Returns 0
 * or -errno when the directory could not be read at all. */
int sweep_run(int outfd, const struct sweep_limits *lim, uint64_t now_ns,
	      struct sweep_result *res);
/* aod_<digits> or aod_<digits>.failed -> true and the timestamp (fits 64
 * bits); false otherwise. */
bool sweep_parse_complete(const char *name, uint64_t *ts);
/* .aod_<digits>.partial -> true and the timestamp. */
bool sweep_parse_partial(const char *name, uint64_t *ts);

#endif
