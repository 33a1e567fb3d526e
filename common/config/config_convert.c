// SPDX-License-Identifier: GPL-2.0-only
/*
 * Overlay text -> struct aod_config values. Used twice: on each file alone
 * (into a scratch config, so every bad value in every file is reported where
 * it was written), then on the merged overlay for the real config.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "config_internal.h"
#include "smb_tables.h"

#define PATH_LEN 256
#define OUTPUT_DIR_MAX 3800 /* leaves room for /aod_<ns>/<file> below it */

struct conv {
	struct cfg_ctx *ctx;
	unsigned upto;
};

static void err_value(struct conv *c, const char *path, const char *text, const char *why)
{
	char q[96];

	cfg_err_path(c->ctx, c->upto, path, "'%s' %s", cfg_quote(text, q, sizeof(q)), why);
}

static void err_range(struct conv *c, const struct cfg_rule *r, const char *path, const char *text)
{
	char q[96];

	cfg_err_path(c->ctx, c->upto, path, "'%s' is out of range (%.10g..%.10g)",
		     cfg_quote(text, q, sizeof(q)), r->min, r->max);
}

static int set_string(void *slot, const char *text)
{
	char *copy = strdup(text);

	if (!copy)
		return -ENOMEM;
	free(*(char **)slot);
	*(char **)slot = copy;
	return 0;
}

static int convert_enum(struct conv *c, const struct cfg_rule *r, const char *text, void *dst,
			const char *path)
{
	static const char *const choices[] = {
		[CFG_TYPE] = "Latency or Error",
		[CFG_TOOL] = "smbslower or smbiosnoop",
		[CFG_MODE] = "all, trackonly or excludeonly",
		[CFG_SCOPE] = "host, server or share",
	};
	char why[96];
	int v = r->kind == CFG_TYPE ? cfg_type_from_name(text)
		: r->kind == CFG_TOOL ? cfg_tool_from_name(text)
		: r->kind == CFG_SCOPE ? cfg_scope_from_name(text)
				      : cfg_mode_from_name(text);

	if (v < 0) {
		snprintf(why, sizeof(why), "is not %s", choices[r->kind]);
		err_value(c, path, text, why);
		return 0;
	}
	memcpy(dst, &v, sizeof(v)); /* the enums are int-sized */
	return 0;
}

/* Returns -ENOMEM only; a bad value is reported and leaves dst alone. */
static int convert_scalar(struct conv *c, const struct cfg_rule *r, const char *text,
			  void *base, const char *path)
{
	void *dst = (char *)base + r->cfg_off;
	const char *why = NULL;
	uint32_t u;
	double d;
	bool b;
	int rc = 0;

	switch (r->kind) {
	case CFG_U32:
		rc = cfg_parse_u32(text, (uint32_t)r->min, (uint32_t)r->max, &u, &why);
		if (!rc)
			*(uint32_t *)dst = u;
		break;
	case CFG_DOUBLE:
		rc = cfg_parse_double(text, r->min, r->max, &d, &why);
		if (!rc)
			*(double *)dst = d;
		break;
	case CFG_BOOL:
		rc = cfg_parse_bool(text, &b, &why);
		if (!rc)
			*(bool *)dst = b;
		break;
	case CFG_ABSPATH:
	case CFG_SOCKPATH:
		rc = cfg_parse_abspath(text, r->kind == CFG_ABSPATH ? OUTPUT_DIR_MAX
					: sizeof(((struct sockaddr_un *)0)->sun_path) - 1, &why);
		if (!rc)
			return set_string(dst, text);
		break;
	case CFG_TEXTFILE:
		if (strcmp(text, "none") == 0)
			return set_string(dst, "");
		rc = cfg_parse_abspath(text, OUTPUT_DIR_MAX, &why);
		if (!rc && text[strlen(text) - 1] == '/') {
			why = "must name a file, not a directory";
			rc = -EINVAL;
		}
		if (!rc)
			return set_string(dst, text);
		break;
	case CFG_USER:
		rc = cfg_parse_user(text, &why);
		if (!rc)
			return set_string(dst, text);
		break;
	case CFG_FILTER:
		rc = cfg_parse_filter(text, &why);
		if (!rc)
			return set_string(dst, text);
		break;
	default:
		return convert_enum(c, r, text, dst, path);
	}
	if (rc && strcmp(why, "is out of range") == 0)
		err_range(c, r, path, text);
	else if (rc)
		err_value(c, path, text, why);
	return 0;
}

static int convert_rules(struct conv *c, bool anomaly, const struct ov_top *top,
			 const struct ov_anomaly *a, void *base, const char *prefix)
{
	char path[PATH_LEN];

	for (unsigned i = 0; i < cfg_n_rules; i++) {
		const struct cfg_rule *r = &cfg_rules[i];
		const char *text;

		if ((r->sec == SEC_ANOMALY) != anomaly)
			continue;
		text = cfg_rule_text(r, top, a);
		if (!text)
			continue;
		cfg_pathf(path, sizeof(path), "%s%s%s", prefix, cfg_section_prefix(r->sec), r->key);
		if (convert_scalar(c, r, text, base, path) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* ---- lists ---- */

static bool dup_before(const char *const *v, unsigned i)
{
	for (unsigned j = 0; j < i; j++)
		if (v[j] && strcmp(v[j], v[i]) == 0)
			return true;
	return false;
}

/* watcher.actions or an anomaly's actions: known names, no duplicates. */
static int convert_actions(struct conv *c, char *const *in, unsigned n, char ***out,
			   unsigned *n_out, const char *path)
{
	char item[PATH_LEN], **v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		if (!in[i]) /* an item the walk refused (a broken file) */
			continue;
		cfg_pathf(item, sizeof(item), "%s[%u]", path, i);
		if (!config_action_known(in[i]))
			err_value(c, item, in[i],
				  "is not a QuickAction (tcpdump, dmesg, journalctl, debugdata, stats, "
				  "mounts, smbinfo, syslogs, blocked_tasks)");
		else if (dup_before((const char *const *)in, i))
			err_value(c, item, in[i], "is listed twice");
		v[i] = strdup(in[i]);
		if (!v[i]) {
			cfg_strv_free(v, i);
			return -ENOMEM;
		}
	}
	cfg_strv_free(*out, *n_out);
	*out = v;
	*n_out = n;
	return 0;
}

static int convert_codes(struct conv *c, const struct ov_anomaly *a, struct aod_anomaly_cfg *out,
			 const char *path)
{
	char item[PATH_LEN];
	int *v = calloc(a->track_codes_count ? a->track_codes_count : 1, sizeof(*v));
	/* errno values seen: one lookup per item keeps a long list linear */
	uint64_t seen[CFG_ERRNO_MAX / 64] = { 0 };

	if (!v)
		return -ENOMEM;
	for (unsigned i = 0; i < a->track_codes_count; i++) {
		cfg_pathf(item, sizeof(item), "%s.track_codes[%u]", path, i);
		v[i] = a->track_codes[i] ? errno_from_name(a->track_codes[i]) : 0;
		if (!a->track_codes[i]) /* an item the walk refused (a broken file) */
			continue;
		if (v[i] < 0)
			err_value(c, item, a->track_codes[i],
				  "is not an errno name the kernel uses (like EIO, EACCES)");
		if (v[i] > 0 && v[i] < CFG_ERRNO_MAX) {
			uint64_t bit = 1ull << (v[i] % 64);
			if (seen[v[i] / 64] & bit)
				err_value(c, item, a->track_codes[i], "is listed twice");
			seen[v[i] / 64] |= bit;
		}
	}
	free(out->track_codes);
	out->track_codes = v;
	out->n_track_codes = a->track_codes_count;
	return 0;
}

static void convert_command(struct conv *c, const struct ov_track_command *in,
			    struct aod_track_command *v, unsigned i, const char *item,
			    uint32_t *seen)
{
	char sub[PATH_LEN];
	const char *why;

	v[i].command = -1;
	cfg_pathf(sub, sizeof(sub), "%s.command", item);
	if (!cfg_origin_find(c->ctx, c->upto, item)) {
		return; /* an item the walk refused (a broken file) */
	} else if (!in->command) {
		cfg_err_path(c->ctx, c->upto, item, "needs a command (like SMB2_WRITE)");
	} else if ((v[i].command = smb2_command_from_name(in->command)) < 0) {
		err_value(c, sub, in->command,
			  "is not an SMB2 command (SMB2_NEGOTIATE .. SMB2_OPLOCK_BREAK)");
	} else if (*seen & (1u << v[i].command)) {
		err_value(c, sub, in->command, "is listed twice");
	} else {
		*seen |= 1u << v[i].command;
	}
	cfg_pathf(sub, sizeof(sub), "%s.threshold", item);
	if (in->threshold && cfg_parse_u32(in->threshold, 1, 600000, &v[i].threshold_ms, &why) < 0)
		err_value(c, sub, in->threshold,
			  strcmp(why, "is out of range") == 0 ? "is out of range (1..600000)" : why);
}

static int convert_commands(struct conv *c, const struct ov_anomaly *a,
			    struct aod_anomaly_cfg *out, const char *path)
{
	char item[PATH_LEN];
	unsigned n = a->track_commands_count;
	struct aod_track_command *v = calloc(n ? n : 1, sizeof(*v));
	uint32_t seen = 0; /* SMB2 commands 0..18 */

	if (!v)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		cfg_pathf(item, sizeof(item), "%s.track_commands[%u]", path, i);
		convert_command(c, &a->track_commands[i], v, i, item, &seen);
	}
	free(out->track_commands);
	out->track_commands = v;
	out->n_track_commands = n;
	return 0;
}

/* ---- anomalies ---- */

static struct aod_anomaly_cfg *anomaly_slot(struct aod_config *cfg, const char *name)
{
	struct aod_anomaly_cfg *v;

	for (unsigned i = 0; i < cfg->n_anomalies; i++)
		if (strcmp(cfg->anomalies[i].name, name) == 0)
			return &cfg->anomalies[i];
	v = realloc(cfg->anomalies, (cfg->n_anomalies + 1) * sizeof(*v));
	if (!v)
		return NULL;
	cfg->anomalies = v;
	v = &v[cfg->n_anomalies];
	*v = (struct aod_anomaly_cfg){ .name = strdup(name) };
	if (!v->name)
		return NULL;
	cfg->n_anomalies++;
	return v;
}

static int convert_anomaly(struct conv *c, const struct ov_named_anomaly *na,
			   struct aod_config *cfg)
{
	struct aod_anomaly_cfg *out = anomaly_slot(cfg, na->name);
	const struct ov_anomaly *a = &na->a;
	char path[PATH_LEN], prefix[PATH_LEN];

	if (!out)
		return -ENOMEM;
	cfg_pathf(path, sizeof(path), "guardian.anomalies.%s", na->name);
	cfg_pathf(prefix, sizeof(prefix), "%s.", path);
	if (convert_rules(c, true, NULL, a, out, prefix) < 0)
		return -ENOMEM;
	if (a->track_commands_set && convert_commands(c, a, out, path) < 0)
		return -ENOMEM;
	if (a->track_codes_set && convert_codes(c, a, out, path) < 0)
		return -ENOMEM;
	cfg_pathf(prefix, sizeof(prefix), "%s.actions", path);
	if (a->actions_set &&
	    convert_actions(c, a->actions, a->actions_count, &out->actions, &out->n_actions, prefix) < 0)
		return -ENOMEM;
	return 0;
}

int cfg_convert(struct cfg_ctx *ctx, unsigned upto, const struct cfg_layer *l,
		struct aod_config *cfg)
{
	struct conv c = { .ctx = ctx, .upto = upto };
	const struct ov_watcher *w = l->top ? l->top->watcher : NULL;

	if (convert_rules(&c, false, l->top, NULL, cfg, "") < 0)
		return -ENOMEM;
	if (w && w->actions_set &&
	    convert_actions(&c, w->actions, w->actions_count, &cfg->actions, &cfg->n_actions,
			    "watcher.actions") < 0)
		return -ENOMEM;
	if (cfg_recorder_convert(ctx, upto, l->top, cfg) < 0)
		return -ENOMEM;
	for (unsigned i = 0; i < l->n_anomalies; i++)
		if (convert_anomaly(&c, &l->anomalies[i], cfg) < 0)
			return -ENOMEM;
	return 0;
}
