// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every scalar setting in one table: where it sits in the overlay and in
 * struct aod_config, how it is parsed, its range and its default. config.h
 * documents the same ranges for users; keep them in step.
 */
#include <stddef.h>

#include "config_internal.h"
#include "ring.h"

#define TOP(key, f, k, lo, hi, d, ds) \
	{ #key, SEC_TOP, offsetof(struct ov_top, key), offsetof(struct aod_config, f), k, lo, hi, d, ds, false, false }
#define SEC(sec, ovt, key, f, k, lo, hi, d) \
	{ #key, sec, offsetof(ovt, key), offsetof(struct aod_config, f), k, lo, hi, d, NULL, false, false }
#define ANO(key, k, lo, hi, d, lat, nodef) \
	{ #key, SEC_ANOMALY, offsetof(struct ov_anomaly, key), offsetof(struct aod_anomaly_cfg, key), \
	  k, lo, hi, d, NULL, lat, nodef }

const struct cfg_rule cfg_rules[] = {
	TOP(watch_interval_sec, watch_interval_sec, CFG_DOUBLE, 0.05, 3600, 1, NULL),
	TOP(aod_output_dir, output_dir, CFG_ABSPATH, 0, 0, 0, "/var/log/aodv2"),
	TOP(ring_capacity_events, ring_capacity_events, CFG_U32, RING_MIN_CAPACITY,
	    RING_MAX_CAPACITY, 65536, NULL),
	TOP(shutdown_timeout_sec, shutdown_timeout_sec, CFG_U32, 1, 600, 10, NULL),
	TOP(control_socket, control_socket, CFG_SOCKPATH, 0, 0, 0, "/run/aodv2/aodv2.sock"),
	TOP(service_user, service_user, CFG_USER, 0, 0, 0, "aodv2"),
	TOP(collect_on_shutdown, collect_on_shutdown, CFG_BOOL, 0, 0, 0, NULL),

	SEC(SEC_WATCHER, struct ov_watcher, max_concurrent_tasks, max_concurrent_tasks, CFG_U32, 1, 64, 4),
	SEC(SEC_WATCHER, struct ov_watcher, action_timeout_sec, action_timeout_sec, CFG_U32, 1, 3600, 30),
	SEC(SEC_WATCHER, struct ov_watcher, compression_level, compression_level, CFG_U32, 1, 19, 3),
	SEC(SEC_WATCHER, struct ov_watcher, journal_minutes, journal_minutes, CFG_U32, 1, 1440, 5),
	SEC(SEC_WATCHER, struct ov_watcher, tcpdump_duration_sec, tcpdump_duration_sec, CFG_U32, 1,
	    3600, 5),
	SEC(SEC_WATCHER, struct ov_watcher, tcpdump_max_mb, tcpdump_max_mb, CFG_U32, 1, 10240, 50),

	SEC(SEC_RECORDER, struct ov_recorder, pre_sec, recorder.pre_sec, CFG_U32, 1, 300, 10),
	SEC(SEC_RECORDER, struct ov_recorder, post_sec, recorder.post_sec, CFG_U32, 0, 300, 2),
	SEC(SEC_RECORDER, struct ov_recorder, events, recorder.events, CFG_BOOL, 0, 0, 1),
	SEC(SEC_RECORDER, struct ov_recorder, snapshots, recorder.snapshots, CFG_BOOL, 0, 0, 1),
	SEC(SEC_RECORDER, struct ov_recorder, cifs_trace, recorder.cifs_trace, CFG_BOOL, 0, 0, 1),
	SEC(SEC_RECORDER, struct ov_recorder, cifs_trace_buffer_kb, recorder.cifs_trace_buffer_kb,
	    CFG_U32, 64, 262144, 1024),
	SEC(SEC_RECORDER, struct ov_recorder, packets, recorder.packets, CFG_BOOL, 0, 0, 1),
	{ "packet_filter", SEC_RECORDER, offsetof(struct ov_recorder, packet_filter),
	  offsetof(struct aod_config, recorder.packet_filter), CFG_FILTER, 0, 0, 0, "port 445",
	  false, false },
	SEC(SEC_RECORDER, struct ov_recorder, packet_snaplen, recorder.packet_snaplen, CFG_U32, 64,
	    65535, 512),
	SEC(SEC_RECORDER, struct ov_recorder, packet_file_mb, recorder.packet_file_mb, CFG_U32, 1,
	    256, 4),
	SEC(SEC_RECORDER, struct ov_recorder, packet_files, recorder.packet_files, CFG_U32, 2, 64, 4),

	SEC(SEC_CLEANUP, struct ov_cleanup, cleanup_interval_sec, cleanup_interval_sec, CFG_U32, 1,
	    86400, 60),
	SEC(SEC_CLEANUP, struct ov_cleanup, max_log_age_days, max_log_age_days, CFG_DOUBLE, 0.01,
	    3650, 2),
	SEC(SEC_CLEANUP, struct ov_cleanup, max_total_log_size_mb, max_total_log_size_mb, CFG_DOUBLE,
	    0.01, 1048576, 512),

	SEC(SEC_AUDIT, struct ov_audit, enabled, audit_enabled, CFG_BOOL, 0, 0, 0),

	/* "none" turns the text file off (an empty value means "not set") */
	{ "textfile", SEC_METRICS, offsetof(struct ov_metrics, textfile),
	  offsetof(struct aod_config, metrics_textfile), CFG_TEXTFILE, 0, 0, 0,
	  CONFIG_METRICS_TEXTFILE_DEFAULT, false, false },
	SEC(SEC_METRICS, struct ov_metrics, interval_sec, metrics_interval_sec, CFG_U32, 1, 3600, 15),
	SEC(SEC_METRICS, struct ov_metrics, in_kernel, metrics_in_kernel, CFG_BOOL, 0, 0, 1),

	ANO(type, CFG_TYPE, 0, 0, 0, false, true),
	ANO(tool, CFG_TOOL, 0, 0, 0, false, true),
	ANO(mode, CFG_MODE, 0, 0, AOD_MODE_ALL, false, false),
	ANO(acceptable_count, CFG_U32, 0, 1000000, 10, false, false),
	ANO(default_threshold_ms, CFG_U32, 1, 600000, 20, true, false),
	ANO(emergency_threshold_ms, CFG_U32, 0, 600000, 1000, true, false),
	ANO(cooldown_sec, CFG_U32, 0, 86400, 60, false, false),
	ANO(scope, CFG_SCOPE, 0, 0, AOD_SCOPE_HOST, false, false),
};

const unsigned cfg_n_rules = sizeof(cfg_rules) / sizeof(cfg_rules[0]);

const char *cfg_section_prefix(enum cfg_section sec)
{
	switch (sec) {
	case SEC_WATCHER:
		return "watcher.";
	case SEC_CLEANUP:
		return "cleanup.";
	case SEC_AUDIT:
		return "audit.";
	case SEC_RECORDER:
		return "watcher.flight_recorder.";
	case SEC_METRICS:
		return "metrics.";
	default:
		return "";
	}
}

char **cfg_rule_slot(const struct cfg_rule *r, struct ov_top *top, struct ov_anomaly *a)
{
	void *base = NULL;

	switch (r->sec) {
	case SEC_TOP:
		base = top;
		break;
	case SEC_WATCHER:
		base = top ? top->watcher : NULL;
		break;
	case SEC_CLEANUP:
		base = top ? top->cleanup : NULL;
		break;
	case SEC_AUDIT:
		base = top ? top->audit : NULL;
		break;
	case SEC_METRICS:
		base = top ? top->metrics : NULL;
		break;
	case SEC_ANOMALY:
		base = a;
		break;
	case SEC_RECORDER:
		base = top && top->watcher ? top->watcher->flight_recorder : NULL;
		break;
	}
	return base ? (char **)((char *)base + r->ov_off) : NULL;
}

const char *cfg_rule_text(const struct cfg_rule *r, const struct ov_top *top,
			  const struct ov_anomaly *a)
{
	/* the slot is only read here */
	char **slot = cfg_rule_slot(r, (struct ov_top *)top, (struct ov_anomaly *)a);

	return slot ? *slot : NULL;
}
