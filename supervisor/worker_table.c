// SPDX-License-Identifier: GPL-2.0-only
/* The rows of the worker table (worker_table.h), and the glue each row
 * needs that belongs to no other module. */
#include "worker_table.h"

#include "action_caps.h"
#include "routing.h"
#include "sources.h"
#include "stats_carry.h"
#include "sup.h"

/* detectord reads the shared event ring: its three fds follow the socket.
 * The header it shares is re-validated first: a detectord that died (or
 * was compromised) may have left it unattachable (ring.h). */
static int detectord_fds(struct sup *s, int fds[WORKER_MAX_EXTRA_FDS])
{
	ring_reset_consumer(s->ring);
	ring_fds(s->ring, &fds[0], &fds[1], &fds[2]);
	return 3;
}

/* Once detectord judges by the current config, the kernel-side filter
 * needs to pass only what that config acts on (sources.h). */
static void detectord_config_applied(struct worker *w)
{
	if (w->sup->bpf)
		source_bpf_narrow(w->sup->bpf);
}

/* collectord keeps the union of what its configured actions need. */
static int collectord_caps(const struct aod_config *cfg, int caps[WORKER_MAX_CAPS])
{
	int n = action_caps_for_config(cfg, caps, WORKER_MAX_CAPS);
	return n > 0 ? n : 0;
}

const struct worker_kind worker_table[W_NR] = {
	[W_DETECTOR] = {
		.name = "detectord",
		.extra_fds = detectord_fds,
		.stats_type = PROTO_STATS_DETECTOR,
		.stats_valid = proto_stats_detector_valid,
		.stats_fold = carry_detector,
		.dispatch = routing_from_detector,
		.after_config = routing_detector_cooldowns,
		.config_applied = detectord_config_applied,
		/* first: drains the ring and reports its last anomalies; half
		 * the time for judging, collections need the rest */
		.stop_rank = 0, .stop_pct = 50, .stop_margin_ms = 0,
	},
	[W_COLLECTOR] = {
		.name = "collectord",
		.plan_caps = collectord_caps,
		.stats_type = PROTO_STATS_COLLECTOR,
		.stats_valid = proto_stats_collector_valid,
		.stats_fold = carry_collector,
		.dispatch = routing_from_collector,
		.forget = routing_collector_gone,
		/* then: finishes its collections once the last anomalies are in */
		.stop_rank = 1, .stop_pct = 100, .stop_margin_ms = 500,
		.stop_hold = routing_collector_hold,
	},
	[W_SWEEPER] = {
		.name = "sweeperd",
		.stats_type = PROTO_STATS_SWEEPER,
		.stats_valid = proto_stats_sweeper_valid,
		.stats_fold = carry_sweeper,
		/* last: a final sweep after the last collection */
		.stop_rank = 2, .stop_pct = 100, .stop_margin_ms = 200,
	},
};
