/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few slowest requests of a window (PROTO_WORST of them), kept sorted,
 * slowest first; among equally slow requests the earliest stays. Offering a
 * request that is not among them costs one comparison.
 */
#ifndef AOD_WORST_H
#define AOD_WORST_H

#include <stdint.h>

#include "aod_event.h"
#include "proto.h"

struct worst {
	unsigned n;
	struct proto_worst w[PROTO_WORST];
};

void worst_insert(struct worst *wl, const struct aod_event *e);

static inline void worst_offer(struct worst *wl, const struct aod_event *e)
{
	if (wl->n < PROTO_WORST || e->latency_ns > wl->w[PROTO_WORST - 1].latency_ns)
		worst_insert(wl, e);
}

static inline void worst_reset(struct worst *wl)
{
	wl->n = 0;
}

#endif
