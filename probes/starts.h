/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The loader's view of the start map ("aod_starts", probes_abi.h): one walk
 * that classifies every unfinished request (in flight, stuck, orphaned by a
 * reconnect) and, after a reconnect, deletes the orphans; and the count of
 * start entries the LRU map evicted, derived from the probes' counters.
 * Private to probes/ and its tests.
 */
#ifndef AOD_PROBES_STARTS_H
#define AOD_PROBES_STARTS_H

#include <stdbool.h>
#include <stdint.h>

struct starts_scan {
	/* in */
	uint32_t gen;            /* the current reconnect generation */
	uint64_t stuck_after_ns; /* an entry this old is stuck */
	bool delete_older;       /* a reconnect: remove the entries it orphaned */
	/* out */
	uint64_t now_ns;         /* CLOCK_MONOTONIC at the walk */
	uint64_t present;        /* every entry in the map, older generations included */
	uint64_t older_gen;
	uint64_t deleted;        /* of those, deleted (delete_older) */
	uint64_t inflight;       /* entries of the current generation */
	uint64_t stuck;
	uint64_t oldest_ns;      /* age of the oldest in flight */
};

/* Walks the map behind fd; returns 0 or -errno (the totals then cover the
 * part walked, deletions included). */
int starts_scan(int fd, struct starts_scan *t);
/* counters: the probes' AOD_CNT_* sums; present: starts_scan's. */
uint64_t starts_evicted(const uint64_t *counters, uint64_t present);

#endif
