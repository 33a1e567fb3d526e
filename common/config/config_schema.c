// SPDX-License-Identifier: GPL-2.0-only
/*
 * The config schema as libcyaml tables. Every field is optional and a NULL
 * pointer (CYAML_FLAG_POINTER_NULL: an empty value loads as NULL) means "not
 * set in this file", which is what merging needs. Scalars are strings: the
 * strict parsers in config_scalar.c turn them into numbers, so "10abc" is an
 * error instead of libcyaml 1.3.1's silent 10.
 */
#include <stdlib.h>

#include "config_internal.h"

#define OPT (CYAML_FLAG_OPTIONAL | CYAML_FLAG_POINTER_NULL)
#define STR(key, type, member) CYAML_FIELD_STRING_PTR(key, OPT, type, member, 0, CYAML_UNLIMITED)

static const cyaml_schema_value_t string_entry = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};

static const cyaml_schema_field_t track_command_fields[] = {
	STR("command", struct ov_track_command, command),
	STR("threshold", struct ov_track_command, threshold),
	CYAML_FIELD_END,
};

static const cyaml_schema_value_t track_command_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct ov_track_command, track_command_fields),
};

const cyaml_schema_field_t cfg_anomaly_fields[] = {
	STR("type", struct ov_anomaly, type),
	STR("tool", struct ov_anomaly, tool),
	STR("mode", struct ov_anomaly, mode),
	STR("acceptable_count", struct ov_anomaly, acceptable_count),
	STR("default_threshold_ms", struct ov_anomaly, default_threshold_ms),
	STR("emergency_threshold_ms", struct ov_anomaly, emergency_threshold_ms),
	STR("cooldown_sec", struct ov_anomaly, cooldown_sec),
	STR("scope", struct ov_anomaly, scope),
	CYAML_FIELD_SEQUENCE("track_commands", OPT, struct ov_anomaly, track_commands,
			     &track_command_entry, 0, CYAML_UNLIMITED),
	CYAML_FIELD_SEQUENCE("track_codes", OPT, struct ov_anomaly, track_codes,
			     &string_entry, 0, CYAML_UNLIMITED),
	CYAML_FIELD_SEQUENCE("actions", OPT, struct ov_anomaly, actions,
			     &string_entry, 0, CYAML_UNLIMITED),
	CYAML_FIELD_END,
};

/* guardian.anomalies is a map with user-chosen keys, which libcyaml cannot
 * describe: libcyaml skips it and config_yaml.c reads it. */
const cyaml_schema_field_t cfg_guardian_fields[] = {
	CYAML_FIELD_IGNORE("anomalies", CYAML_FLAG_OPTIONAL),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t watcher_fields[] = {
	CYAML_FIELD_SEQUENCE("actions", OPT, struct ov_watcher, actions,
			     &string_entry, 0, CYAML_UNLIMITED),
	STR("max_concurrent_tasks", struct ov_watcher, max_concurrent_tasks),
	STR("action_timeout_sec", struct ov_watcher, action_timeout_sec),
	STR("compression_level", struct ov_watcher, compression_level),
	STR("journal_minutes", struct ov_watcher, journal_minutes),
	STR("tcpdump_duration_sec", struct ov_watcher, tcpdump_duration_sec),
	STR("tcpdump_max_mb", struct ov_watcher, tcpdump_max_mb),
	CYAML_FIELD_MAPPING_PTR("flight_recorder", OPT, struct ov_watcher, flight_recorder,
				cfg_recorder_fields),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t cleanup_fields[] = {
	STR("cleanup_interval_sec", struct ov_cleanup, cleanup_interval_sec),
	STR("max_log_age_days", struct ov_cleanup, max_log_age_days),
	STR("max_total_log_size_mb", struct ov_cleanup, max_total_log_size_mb),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t audit_fields[] = {
	STR("enabled", struct ov_audit, enabled),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t metrics_fields[] = {
	STR("textfile", struct ov_metrics, textfile),
	STR("interval_sec", struct ov_metrics, interval_sec),
	STR("in_kernel", struct ov_metrics, in_kernel),
	CYAML_FIELD_END,
};

const cyaml_schema_field_t cfg_top_fields[] = {
	STR("watch_interval_sec", struct ov_top, watch_interval_sec),
	STR("aod_output_dir", struct ov_top, aod_output_dir),
	STR("ring_capacity_events", struct ov_top, ring_capacity_events),
	STR("shutdown_timeout_sec", struct ov_top, shutdown_timeout_sec),
	STR("control_socket", struct ov_top, control_socket),
	STR("service_user", struct ov_top, service_user),
	STR("collect_on_shutdown", struct ov_top, collect_on_shutdown),
	CYAML_FIELD_IGNORE("guardian", CYAML_FLAG_OPTIONAL),
	CYAML_FIELD_MAPPING_PTR("watcher", OPT, struct ov_top, watcher, watcher_fields),
	CYAML_FIELD_MAPPING_PTR("cleanup", OPT, struct ov_top, cleanup, cleanup_fields),
	CYAML_FIELD_MAPPING_PTR("audit", OPT, struct ov_top, audit, audit_fields),
	CYAML_FIELD_MAPPING_PTR("metrics", OPT, struct ov_top, metrics, metrics_fields),
	CYAML_FIELD_END,
};

const cyaml_schema_value_t cfg_top_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct ov_top, cfg_top_fields),
};

void cfg_cyaml_config(cyaml_config_t *c, cyaml_log_fn_t log_fn, void *log_ctx)
{
	*c = (cyaml_config_t){
		.log_fn = log_fn,
		.log_ctx = log_ctx,
		.mem_fn = cyaml_mem,
		/* INFO would log every key; errors come as WARNING and up */
		.log_level = log_fn ? CYAML_LOG_WARNING : CYAML_LOG_ERROR,
		/* aliases can expand exponentially; a config does not need them */
		.flags = CYAML_CFG_NO_ALIAS,
	};
}

void cfg_strv_free(char **v, unsigned n)
{
	if (!v)
		return;
	for (unsigned i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void cfg_ov_anomaly_clear(struct ov_anomaly *a)
{
	free(a->type);
	free(a->tool);
	free(a->mode);
	free(a->acceptable_count);
	free(a->default_threshold_ms);
	free(a->emergency_threshold_ms);
	free(a->cooldown_sec);
	free(a->scope);
	for (unsigned i = 0; a->track_commands && i < a->track_commands_count; i++) {
		free(a->track_commands[i].command);
		free(a->track_commands[i].threshold);
	}
	free(a->track_commands);
	cfg_strv_free(a->track_codes, a->track_codes_count);
	cfg_strv_free(a->actions, a->actions_count);
	*a = (struct ov_anomaly){ 0 };
}

void cfg_layer_clear_top(struct cfg_layer *l)
{
	cyaml_config_t c;

	if (!l->top)
		return;
	/* libcyaml frees with the allocator (realloc/free) the walk and merge use */
	cfg_cyaml_config(&c, NULL, NULL);
	cyaml_free(&c, &cfg_top_schema, l->top, 0);
	l->top = NULL;
}

void cfg_layer_clear(struct cfg_layer *l)
{
	cfg_layer_clear_top(l);
	for (unsigned i = 0; i < l->n_anomalies; i++) {
		free(l->anomalies[i].name);
		cfg_ov_anomaly_clear(&l->anomalies[i].a);
	}
	free(l->anomalies);
	*l = (struct cfg_layer){ 0 };
}
