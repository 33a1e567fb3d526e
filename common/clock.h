/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one clock of every aodv2 process. Monotonic time orders and times
 * things inside a process (deadlines, timers, latencies); wall time is only
 * for what leaves it (collection names, manifests, logs). Both never fail on
 * Linux for these clock ids, so they return the value and no error.
 */
#ifndef AOD_CLOCK_H
#define AOD_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_read_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t clock_mono_ns(void)
{
	return clock_read_ns(CLOCK_MONOTONIC);
}

static inline uint64_t clock_mono_ms(void)
{
	return clock_mono_ns() / 1000000ull;
}

static inline uint64_t clock_wall_ns(void)
{
	return clock_read_ns(CLOCK_REALTIME);
}

#endif
