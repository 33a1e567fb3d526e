/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Requests that wait: while the start map holds requests, the loader walks
 * it every `every_ns` and reports each request of the current generation
 * that has waited at least `after_ns` as an AOD_EV_INFLIGHT event. The
 * programs wake the loader (AOD_RB_ARM) when a request is stored while the
 * watch is off; a walk that finds the map empty turns the watch off, walks
 * once more (a request stored in between set it again, or is found), and
 * disarms the timer: nothing runs while nothing is in flight.
 * Private to probes/.
 */
#ifndef AOD_PROBES_INFLIGHT_H
#define AOD_PROBES_INFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aod_event.h"

#define INFLIGHT_MAX_REPORTED 256 /* events per walk; the oldest are not preferred */

struct inflight {
	int tfd;                  /* timerfd, armed only while watching */
	bool watching;
	uint64_t after_ns, every_ns;
	/* bit c: command c is filtered out, not reported (its start is in the
	 * map only for the metrics) */
	uint32_t skip_cmds;
	uint64_t walks, reported; /* totals, for the status */
	size_t n;
	struct aod_event ev[INFLIGHT_MAX_REPORTED];
};

/* 0 or -errno (the timerfd). */
int inflight_open(struct inflight *w);
void inflight_close(struct inflight *w);
/* New bounds (after_ns 0: report nothing; the watch still ends by itself). */
void inflight_set(struct inflight *w, uint64_t after_ns, uint64_t every_ns);
/* AOD_RB_ARM: start the timer unless it runs. */
void inflight_arm(struct inflight *w);
/*
 * The timer fired (or may have: reads it without blocking): walks the map
 * behind starts_fd, fills w->ev[0..w->n) with the waiting requests, and
 * turns the watch off through state_fd when the map is empty. gen: the
 * current reconnect generation; stuck_ns: older-generation entries at least
 * this old are deleted (the reconnect's orphans). Returns entries deleted.
 */
uint64_t inflight_tick(struct inflight *w, int starts_fd, int state_fd, uint32_t gen, uint64_t stuck_ns);

#endif
