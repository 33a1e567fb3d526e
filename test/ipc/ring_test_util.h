/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the ring tests and the ring benchmark: numbered events
 * and a consumer loop that checks the numbering.
 */
#ifndef AOD_RING_TEST_UTIL_H
#define AOD_RING_TEST_UTIL_H

#include <poll.h>
#include <string.h>

#include "ring.h"

static inline struct aod_event rt_event(uint64_t seq, uint64_t latency_ns)
{
	struct aod_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = 1000 + seq;
	ev.latency_ns = latency_ns;
	ev.session_id = 0x1234;
	ev.message_id = seq;
	ev.tree_id = 7;
	ev.pid = 42;
	ev.command = (uint8_t)(seq % AOD_SMB2_NR_COMMANDS);
	ev.kind = AOD_EV_LATENCY;
	memcpy(ev.comm, "rtest", 6);
	return ev;
}

static inline void rt_fill(struct aod_event *ev, size_t n, uint64_t first_seq, uint64_t latency_ns)
{
	for (size_t i = 0; i < n; i++)
		ev[i] = rt_event(first_seq + i, latency_ns);
}

/* Is fd readable right now? */
static inline int rt_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0);
}

/* Consumes events in order until *next reaches end, sleeping on data_efd
 * between batches (timeout_ms is the consumer's interval timer). Returns 0,
 * or -EPROTO on a gap, duplicate or reordering, or a ring error. */
static inline int rt_consume_until(struct ring *r, uint64_t *next, uint64_t end, int timeout_ms,
				   uint64_t *wakeups)
{
	while (*next < end) {
		const struct aod_event *ev;
		uint64_t want = end - *next < 4096 ? end - *next : 4096;
		long n = ring_peek(r, &ev, (size_t)want);
		if (n < 0)
			return (int)n;
		if (n == 0) {
			if (ring_consumer_sleep(r) == 0) {
				struct pollfd p = { .fd = ring_data_fd(r), .events = POLLIN };
				int rc = poll(&p, 1, timeout_ms);
				if (rc > 0 && wakeups)
					(*wakeups)++;
			}
			ring_consumer_awake(r);
			continue;
		}
		for (long i = 0; i < n; i++) {
			if (ev[i].message_id != *next || ev[i].ts_ns != 1000 + *next)
				return -EPROTO;
			(*next)++;
		}
		ring_release(r, (size_t)n);
	}
	return 0;
}

#endif
