// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lookups, comparison and freeing of a loaded struct aod_config.
 */
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

static void anomaly_free(struct aod_anomaly_cfg *a)
{
	free(a->name);
	free(a->track_commands);
	free(a->track_codes);
	cfg_strv_free(a->actions, a->n_actions);
}

void config_free(struct aod_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->output_dir);
	free(cfg->metrics_textfile);
	free(cfg->control_socket);
	free(cfg->service_user);
	for (unsigned i = 0; i < cfg->n_anomalies; i++)
		anomaly_free(&cfg->anomalies[i]);
	free(cfg->anomalies);
	cfg_strv_free(cfg->actions, cfg->n_actions);
	cfg_strv_free(cfg->files, cfg->n_files);
	cfg_recorder_free(&cfg->recorder);
	free(cfg);
}

void config_errors_free(struct config_errors *errs)
{
	if (!errs)
		return;
	cfg_strv_free(errs->lines, errs->n);
	errs->lines = NULL;
	errs->n = 0;
}

const struct aod_anomaly_cfg *config_anomaly(const struct aod_config *cfg, const char *name)
{
	for (unsigned i = 0; cfg && name && i < cfg->n_anomalies; i++)
		if (strcmp(cfg->anomalies[i].name, name) == 0)
			return &cfg->anomalies[i];
	return NULL;
}

bool config_has_action(const struct aod_config *cfg, const char *action)
{
	for (unsigned i = 0; cfg && action && i < cfg->n_actions; i++)
		if (strcmp(cfg->actions[i], action) == 0)
			return true;
	return false;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool strv_eq(char *const *a, unsigned na, char *const *b, unsigned nb)
{
	if (na != nb)
		return false;
	for (unsigned i = 0; i < na; i++)
		if (!str_eq(a[i], b[i]))
			return false;
	return true;
}

static bool anomaly_eq(const struct aod_anomaly_cfg *a, const struct aod_anomaly_cfg *b)
{
	if (!str_eq(a->name, b->name) || a->type != b->type || a->tool != b->tool ||
	    a->mode != b->mode || a->acceptable_count != b->acceptable_count ||
	    a->default_threshold_ms != b->default_threshold_ms ||
	    a->emergency_threshold_ms != b->emergency_threshold_ms ||
	    a->cooldown_sec != b->cooldown_sec || a->scope != b->scope || a->n_track_commands != b->n_track_commands ||
	    a->n_track_codes != b->n_track_codes ||
	    !strv_eq(a->actions, a->n_actions, b->actions, b->n_actions))
		return false;
	for (unsigned i = 0; i < a->n_track_commands; i++)
		if (a->track_commands[i].command != b->track_commands[i].command ||
		    a->track_commands[i].threshold_ms != b->track_commands[i].threshold_ms)
			return false;
	for (unsigned i = 0; i < a->n_track_codes; i++)
		if (a->track_codes[i] != b->track_codes[i])
			return false;
	return true;
}

bool config_equal(const struct aod_config *a, const struct aod_config *b)
{
	if (!a || !b)
		return a == b;
	if (a->watch_interval_sec != b->watch_interval_sec || !str_eq(a->output_dir, b->output_dir) ||
	    a->ring_capacity_events != b->ring_capacity_events ||
	    a->shutdown_timeout_sec != b->shutdown_timeout_sec ||
	    !str_eq(a->control_socket, b->control_socket) ||
	    !str_eq(a->service_user, b->service_user) ||
	    a->collect_on_shutdown != b->collect_on_shutdown ||
	    !strv_eq(a->actions, a->n_actions, b->actions, b->n_actions) ||
	    a->max_concurrent_tasks != b->max_concurrent_tasks ||
	    a->action_timeout_sec != b->action_timeout_sec ||
	    a->compression_level != b->compression_level ||
	    a->journal_minutes != b->journal_minutes ||
	    a->tcpdump_duration_sec != b->tcpdump_duration_sec ||
	    a->tcpdump_max_mb != b->tcpdump_max_mb ||
	    a->cleanup_interval_sec != b->cleanup_interval_sec ||
	    a->max_log_age_days != b->max_log_age_days ||
	    a->max_total_log_size_mb != b->max_total_log_size_mb ||
	    a->audit_enabled != b->audit_enabled || a->n_anomalies != b->n_anomalies ||
	    !str_eq(a->metrics_textfile, b->metrics_textfile) ||
	    a->metrics_interval_sec != b->metrics_interval_sec || a->metrics_in_kernel != b->metrics_in_kernel ||
	    !cfg_recorder_equal(&a->recorder, &b->recorder))
		return false;
	for (unsigned i = 0; i < a->n_anomalies; i++)
		if (!anomaly_eq(&a->anomalies[i], &b->anomalies[i]))
			return false;
	return true;
}
