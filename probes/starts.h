/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The loader's view of the start map ("aod_starts", probes_abi.h): one walk
 * that classifies every unfinished request (in flight, stuck, from before
 * the last reconnect) and can delete those from before a reconnect that have
 * waited long enough to be its orphans; and a lower bound of the start
 * entries the LRU map evicted, derived from the probes' counters.
 * Private to probes/ and its tests.
 */
#ifndef AOD_PROBES_STARTS_H
#define AOD_PROBES_STARTS_H

#include <stdbool.h>
#include <stdint.h>

#include "probes_abi.h"

struct starts_scan {
	/* in */
	uint32_t gen;            /* the current reconnect generation */
	uint64_t stuck_after_ns; /* an entry this old is stuck */
	/* Delete entries of an older generation at least this old (0: none).
	 * Not younger ones: the generation is global, so a request of another,
	 * healthy connection in flight across the reconnect is older-generation
	 * too, and must still find its start when it completes. */
	uint64_t delete_older_after_ns;
	/* Called for every entry of the current generation (NULL: none). */
	void (*each)(const struct aod_start_key *k, const struct aod_start *st, uint64_t age_ns, void *arg);
	void *each_arg;
	/* out */
	uint64_t now_ns;         /* CLOCK_MONOTONIC at the walk */
	uint64_t present;        /* every entry in the map, older generations included */
	uint64_t older_gen;
	uint64_t deleted;        /* of those, deleted (delete_older_after_ns) */
	uint64_t inflight;       /* entries of the current generation */
	uint64_t stuck;
	uint64_t oldest_ns;      /* age of the oldest in flight */
};

/* Walks the map behind fd; returns 0 or -errno (the totals then cover the
 * part walked, deletions included). */
int starts_scan(int fd, struct starts_scan *t);
/* starts_before: AOD_CNT_STARTS read before the walk; after: the AOD_CNT_*
 * sums read after it; present: the walk's. Never more than were evicted. */
uint64_t starts_evicted(uint64_t starts_before, const uint64_t *after, uint64_t present);

#endif
