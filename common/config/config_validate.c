// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checks that need the merged result: they relate settings that may come
 * from different files. Each error names the file and line that wrote the
 * offending value (the last file that set it), or where the anomaly was
 * first declared when what is wrong is something missing.
 */
#include <stdio.h>
#include <string.h>

#include "config_internal.h"
#include "proto.h"

#define PATH_LEN 256

static void check_tool(struct cfg_ctx *ctx, const struct aod_anomaly_cfg *a,
		       const struct ov_anomaly *ov, const char *path)
{
	char p[PATH_LEN];
	enum aod_tool want = a->type == AOD_TYPE_LATENCY ? AOD_TOOL_SMBSLOWER : AOD_TOOL_SMBIOSNOOP;

	if (!ov->tool || a->tool == want)
		return;
	cfg_pathf(p, sizeof(p), "%s.tool", path);
	cfg_err_path(ctx, CFG_ALL_LAYERS, p, "tool %s does not report %s anomalies (use %s)",
		     config_tool_name(a->tool), config_type_name(a->type), config_tool_name(want));
}

/* Settings that belong to the other type are refused, not ignored. */
static void check_type_fields(struct cfg_ctx *ctx, const struct aod_anomaly_cfg *a,
			      const struct ov_anomaly *ov, const char *path)
{
	const char *latency_only[] = { ov->default_threshold_ms ? "default_threshold_ms" : NULL,
				       ov->emergency_threshold_ms ? "emergency_threshold_ms" : NULL,
				       a->n_track_commands ? "track_commands" : NULL };
	char p[PATH_LEN];

	if (a->type == AOD_TYPE_ERROR) {
		for (unsigned i = 0; i < 3; i++) {
			if (!latency_only[i])
				continue;
			cfg_pathf(p, sizeof(p), "%s.%s", path, latency_only[i]);
			cfg_err_path(ctx, CFG_ALL_LAYERS, p,
				     "only Latency anomalies take %s, this one is type Error",
				     latency_only[i]);
		}
	} else if (a->n_track_codes) {
		cfg_pathf(p, sizeof(p), "%s.track_codes", path);
		cfg_err_path(ctx, CFG_ALL_LAYERS, p,
			     "only Error anomalies take track_codes, this one is type Latency");
	}
}

static void check_mode(struct cfg_ctx *ctx, const struct aod_anomaly_cfg *a, const char *path)
{
	bool latency = a->type == AOD_TYPE_LATENCY;
	unsigned n_track = latency ? a->n_track_commands : a->n_track_codes;
	const char *list = latency ? "track_commands" : "track_codes";
	char p[PATH_LEN];

	if (a->mode != AOD_MODE_ALL && n_track == 0) {
		cfg_pathf(p, sizeof(p), "%s.mode", path);
		cfg_err_path(ctx, CFG_ALL_LAYERS, p, "mode %s needs a non-empty %s",
			     config_mode_name(a->mode), list);
	}
	if (!latency && a->mode == AOD_MODE_ALL && n_track) {
		cfg_pathf(p, sizeof(p), "%s.track_codes", path);
		cfg_err_path(ctx, CFG_ALL_LAYERS, p,
			     "mode all tracks every error code, so track_codes would be ignored; "
			     "use mode trackonly or excludeonly");
	}
	if (latency && a->mode == AOD_MODE_EXCLUDEONLY) {
		for (unsigned i = 0; i < a->n_track_commands; i++) {
			if (!a->track_commands[i].threshold_ms)
				continue;
			cfg_pathf(p, sizeof(p), "%s.track_commands[%u].threshold", path, i);
			cfg_err_path(ctx, CFG_ALL_LAYERS, p,
				     "mode excludeonly ignores these commands, so a threshold has no "
				     "effect");
		}
	}
}

static void check_thresholds(struct cfg_ctx *ctx, const struct aod_anomaly_cfg *a,
			     const char *path)
{
	char p[PATH_LEN];

	if (a->type != AOD_TYPE_LATENCY || a->emergency_threshold_ms == 0 ||
	    a->emergency_threshold_ms > a->default_threshold_ms)
		return;
	cfg_pathf(p, sizeof(p), "%s.emergency_threshold_ms", path);
	cfg_err_path(ctx, CFG_ALL_LAYERS, p,
		     "%u ms must be above default_threshold_ms (%u ms), or 0 to disable",
		     a->emergency_threshold_ms, a->default_threshold_ms);
}

static void check_actions(struct cfg_ctx *ctx, const struct aod_config *cfg,
			  const struct aod_anomaly_cfg *a, const char *path)
{
	char p[PATH_LEN];

	for (unsigned i = 0; i < a->n_actions; i++) {
		if (config_has_action(cfg, a->actions[i]))
			continue;
		cfg_pathf(p, sizeof(p), "%s.actions[%u]", path, i);
		cfg_err_path(ctx, CFG_ALL_LAYERS, p, "action %s is not in watcher.actions",
			     a->actions[i]);
	}
}

static void check_anomaly(struct cfg_ctx *ctx, const struct aod_config *cfg,
			  const struct aod_anomaly_cfg *a, const struct ov_anomaly *ov)
{
	char path[PATH_LEN];

	cfg_pathf(path, sizeof(path), "guardian.anomalies.%s", a->name);
	check_actions(ctx, cfg, a, path);
	if (!a->type) {
		cfg_err_first(ctx, path, "anomaly %s needs a type (Latency or Error)", a->name);
		return;
	}
	check_tool(ctx, a, ov, path);
	check_type_fields(ctx, a, ov, path);
	check_mode(ctx, a, path);
	check_thresholds(ctx, a, path);
}

void cfg_validate(struct cfg_ctx *ctx, const struct aod_config *cfg,
		  const struct cfg_layer *merged)
{
	char p[PATH_LEN];

	for (unsigned i = 0; i < cfg->n_anomalies && i < merged->n_anomalies; i++) {
		if (i == PROTO_MAX_ANOMALIES) {
			cfg_pathf(p, sizeof(p), "guardian.anomalies.%s", cfg->anomalies[i].name);
			cfg_err_first(ctx, p, "too many anomalies (at most %d)", PROTO_MAX_ANOMALIES);
		}
		check_anomaly(ctx, cfg, &cfg->anomalies[i], &merged->anomalies[i].a);
	}
	if (config_has_action(cfg, "tcpdump") &&
	    cfg->tcpdump_duration_sec >= cfg->action_timeout_sec)
		cfg_err_path(ctx, CFG_ALL_LAYERS, "watcher.tcpdump_duration_sec",
			     "%u s must be shorter than watcher.action_timeout_sec (%u s)",
			     cfg->tcpdump_duration_sec, cfg->action_timeout_sec);
	cfg_recorder_validate(ctx, cfg);
}
