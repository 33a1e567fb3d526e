// SPDX-License-Identifier: GPL-2.0-only
/* The probes' kernel-side filter derived from the config (probe_filter.h). */
#include "probe_filter.h"

#include <string.h>

/* The smallest latency at which any latency anomaly can act, in ns: its
 * thresholds or, where that is lower, its emergency bound (a trackonly
 * anomaly may list only thresholds above it). Faster requests cannot
 * matter, so the probe need not emit them. */
static uint64_t filter_anomaly_min_latency(const struct aod_anomaly_cfg *a)
{
	uint64_t min = UINT64_MAX;

	if (a->mode != AOD_MODE_TRACKONLY)
		min = (uint64_t)a->default_threshold_ms * 1000000u;
	if (a->mode != AOD_MODE_EXCLUDEONLY)
		for (unsigned k = 0; k < a->n_track_commands; k++) {
			uint32_t t = a->track_commands[k].threshold_ms ? a->track_commands[k].threshold_ms
								       : a->default_threshold_ms;
			if ((uint64_t)t * 1000000u < min)
				min = (uint64_t)t * 1000000u;
		}
	if (min != UINT64_MAX && a->emergency_threshold_ms &&
	    (uint64_t)a->emergency_threshold_ms * 1000000u < min)
		min = (uint64_t)a->emergency_threshold_ms * 1000000u;
	return min;
}

static uint64_t filter_min_latency(const struct aod_config *cfg)
{
	uint64_t min = UINT64_MAX;

	for (unsigned i = 0; i < cfg->n_anomalies; i++) {
		const struct aod_anomaly_cfg *a = &cfg->anomalies[i];
		if (a->type != AOD_TYPE_LATENCY)
			continue;
		uint64_t m = filter_anomaly_min_latency(a);
		if (m < min)
			min = m;
	}
	return min == UINT64_MAX ? 0 : min;
}

/* Bit c set when every anomaly ignores SMB2 command c. */
static uint32_t filter_cmd_mask(const struct aod_config *cfg)
{
	uint32_t all = (1u << AOD_SMB2_NR_COMMANDS) - 1, excluded = all;

	for (unsigned i = 0; i < cfg->n_anomalies && excluded; i++) {
		const struct aod_anomaly_cfg *a = &cfg->anomalies[i];
		uint32_t listed = 0;
		for (unsigned k = 0; k < a->n_track_commands; k++)
			if (a->track_commands[k].command >= 0 &&
			    a->track_commands[k].command < AOD_SMB2_NR_COMMANDS)
				listed |= 1u << a->track_commands[k].command;
		uint32_t ignores = 0;
		if (a->type == AOD_TYPE_LATENCY && a->mode == AOD_MODE_TRACKONLY)
			ignores = all & ~listed;
		else if (a->type == AOD_TYPE_LATENCY && a->mode == AOD_MODE_EXCLUDEONLY)
			ignores = listed;
		excluded &= ignores;
	}
	return excluded;
}

/* The smallest emergency bound of the latency anomalies (ns), 0 when none
 * has one: a request waiting this long is reported while it waits. */
static uint64_t filter_inflight_after(const struct aod_config *cfg)
{
	uint64_t min = 0;

	for (unsigned i = 0; i < cfg->n_anomalies; i++) {
		const struct aod_anomaly_cfg *a = &cfg->anomalies[i];
		uint64_t e = (uint64_t)a->emergency_threshold_ms * 1000000u;
		if (a->type == AOD_TYPE_LATENCY && e && (!min || e < min))
			min = e;
	}
	return min;
}

void probe_filter_from_config(const struct aod_config *cfg, struct probes_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->min_latency_ns = filter_min_latency(cfg);
	o->cmd_filter_mask = filter_cmd_mask(cfg);
	o->inflight_after_ns = filter_inflight_after(cfg);
	o->inflight_every_ns = (uint64_t)(cfg->watch_interval_sec * 1e9 + 0.5);
	o->want_metrics = cfg->metrics_in_kernel; /* every request, whatever the anomalies */
	for (unsigned i = 0; i < cfg->n_anomalies; i++) {
		if (cfg->anomalies[i].tool == AOD_TOOL_SMBSLOWER)
			o->want_latency = true;
		if (cfg->anomalies[i].tool == AOD_TOOL_SMBIOSNOOP)
			o->want_errors = true;
	}
}

void probe_filter_union(struct probes_opts *o, const struct probes_opts *also)
{
	/* a config without latency anomalies has no floor to contribute */
	if (also->want_latency && (!o->want_latency || also->min_latency_ns < o->min_latency_ns))
		o->min_latency_ns = also->min_latency_ns;
	o->cmd_filter_mask &= also->cmd_filter_mask;
	if (also->inflight_after_ns && (!o->inflight_after_ns || also->inflight_after_ns < o->inflight_after_ns))
		o->inflight_after_ns = also->inflight_after_ns;
	if (also->inflight_every_ns && also->inflight_every_ns < o->inflight_every_ns)
		o->inflight_every_ns = also->inflight_every_ns;
	o->want_latency = o->want_latency || also->want_latency;
	o->want_errors = o->want_errors || also->want_errors;
	o->want_metrics = o->want_metrics || also->want_metrics;
}
