// SPDX-License-Identifier: GPL-2.0-only
/*
 * Defaults, applied after merging so that a default never overrides what
 * any file set. The numbers live in config_rules.c next to each range; the
 * rules that depend on other settings (an anomaly's tool follows its type,
 * Latency-only thresholds) are here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

static int set_default(const struct cfg_rule *r, void *base)
{
	void *dst = (char *)base + r->cfg_off;
	int v;

	switch (r->kind) {
	case CFG_U32:
		*(uint32_t *)dst = (uint32_t)r->def;
		return 0;
	case CFG_DOUBLE:
		*(double *)dst = r->def;
		return 0;
	case CFG_BOOL:
		*(bool *)dst = r->def != 0;
		return 0;
	case CFG_ABSPATH:
	case CFG_SOCKPATH:
	case CFG_USER:
	case CFG_FILTER:
	case CFG_TEXTFILE:
		free(*(char **)dst);
		*(char **)dst = strdup(r->def_str);
		return *(char **)dst ? 0 : -ENOMEM;
	default:
		v = (int)r->def;
		memcpy(dst, &v, sizeof(v));
		return 0;
	}
}

static int default_actions(struct aod_config *cfg)
{
	unsigned n = 0;

	while (config_action_name_at(n))
		n++;
	cfg->actions = calloc(n, sizeof(*cfg->actions));
	if (!cfg->actions)
		return -ENOMEM;
	for (cfg->n_actions = 0; cfg->n_actions < n; cfg->n_actions++) {
		cfg->actions[cfg->n_actions] = strdup(config_action_name_at(cfg->n_actions));
		if (!cfg->actions[cfg->n_actions])
			return -ENOMEM;
	}
	return 0;
}

static int anomaly_defaults(struct aod_anomaly_cfg *out, const struct ov_anomaly *a)
{
	for (unsigned i = 0; i < cfg_n_rules; i++) {
		const struct cfg_rule *r = &cfg_rules[i];

		if (r->sec != SEC_ANOMALY || r->no_default || cfg_rule_text(r, NULL, a))
			continue;
		if (r->latency_only && out->type != AOD_TYPE_LATENCY)
			continue;
		if (set_default(r, out) < 0)
			return -ENOMEM;
	}
	if (!a->tool && out->type == AOD_TYPE_LATENCY)
		out->tool = AOD_TOOL_SMBSLOWER;
	else if (!a->tool && out->type == AOD_TYPE_ERROR)
		out->tool = AOD_TOOL_SMBIOSNOOP;
	return 0;
}

int cfg_defaults_apply(struct aod_config *cfg, const struct cfg_layer *merged)
{
	const struct ov_watcher *w = merged->top ? merged->top->watcher : NULL;

	for (unsigned i = 0; i < cfg_n_rules; i++) {
		const struct cfg_rule *r = &cfg_rules[i];

		if (r->sec == SEC_ANOMALY || cfg_rule_text(r, merged->top, NULL))
			continue;
		if (set_default(r, cfg) < 0)
			return -ENOMEM;
	}
	if (!(w && w->actions_set) && default_actions(cfg) < 0)
		return -ENOMEM;
	if (cfg_recorder_defaults(cfg, merged->top) < 0)
		return -ENOMEM;
	/* cfg_convert added the anomalies in the merged order */
	for (unsigned i = 0; i < merged->n_anomalies && i < cfg->n_anomalies; i++)
		if (anomaly_defaults(&cfg->anomalies[i], &merged->anomalies[i].a) < 0)
			return -ENOMEM;
	return 0;
}
