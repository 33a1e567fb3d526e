// SPDX-License-Identifier: GPL-2.0-only
/* The loader's view of the start map (starts.h). */
#include "starts.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <time.h>

#include "aod_event.h"
#include "probes_abi.h"

#define STARTS_SCAN_CHUNK 256

/* Returns true for an entry to delete: from before a reconnect, and old
 * enough to be one of its orphans. */
static bool scan_one(struct starts_scan *t, const struct aod_start_key *k, const struct aod_start *st)
{
	uint64_t age = t->now_ns > st->ts_ns ? t->now_ns - st->ts_ns : 0;

	t->present++;
	if ((int32_t)(st->gen - t->gen) < 0) {
		t->older_gen++;
		return t->delete_older_after_ns && age >= t->delete_older_after_ns;
	}
	t->inflight++;
	if (t->each)
		t->each(k, st, age, t->each_arg);
	if (age >= t->stuck_after_ns)
		t->stuck++;
	if (age > t->oldest_ns)
		t->oldest_ns = age;
	return false;
}

/* Walks the start map in batches (a get_next_key walk restarts when an entry
 * it stands on is deleted, and would count entries twice). */
int starts_scan(int fd, struct starts_scan *t)
{
	struct aod_start_key keys[STARTS_SCAN_CHUNK];
	struct aod_start vals[STARTS_SCAN_CHUNK];
	__u32 token = 0;
	bool first = true;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns()'s clock */
	t->now_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	for (;;) {
		__u32 count = STARTS_SCAN_CHUNK;
		int err = bpf_map_lookup_batch(fd, first ? NULL : &token, &token, keys, vals, &count, NULL);

		if (err && err != -ENOENT)
			return err;
		/* The batch cursor is a bucket index: deleting entries of the
		 * buckets already returned does not disturb the walk. */
		for (__u32 i = 0; i < count && i < STARTS_SCAN_CHUNK; i++)
			if (scan_one(t, &keys[i], &vals[i]) && bpf_map_delete_elem(fd, &keys[i]) == 0)
				t->deleted++;
		if (err == -ENOENT)
			return 0;
		first = false;
	}
}

/* The LRU map evicts silently; every stored start otherwise leaves by a
 * counted path (taken by its completion, replaced under its key, flushed)
 * or is still there. The counters and the walk are not one snapshot: with
 * the starts read before the walk and the exits after it, a request that
 * completes meanwhile is counted once (as matched), and one that starts
 * meanwhile can only lower the figure (clamped at 0). */
uint64_t starts_evicted(uint64_t starts_before, const uint64_t *after, uint64_t present)
{
	uint64_t left = after[AOD_CNT_MATCHED] + after[AOD_CNT_REPLACED] + after[AOD_CNT_FLUSHED] + present;

	return starts_before > left ? starts_before - left : 0;
}
