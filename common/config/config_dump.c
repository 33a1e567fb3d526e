// SPDX-License-Identifier: GPL-2.0-only
/*
 * The effective config as YAML, in the shape of etc/aodv2.yaml. Every
 * setting is written out, so the text reads back (config_load_text) to an
 * equal config without relying on defaults; numbers are written so that
 * they parse back to the same double.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "smb_tables.h"

/* Double-quoted YAML scalar: always valid, whatever the text holds. */
static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* The shortest %g form that reads back to the same value. */
static void put_double(FILE *f, double v)
{
	char buf[64];

	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, f);
}

static void put_list(FILE *f, const char *indent, const char *key, char *const *v, unsigned n)
{
	fprintf(f, "%s%s: [", indent, key);
	for (unsigned i = 0; i < n; i++) {
		fputs(i ? ", " : "", f);
		fputs(v[i], f); /* known QuickAction names */
	}
	fputs("]\n", f);
}

/* A comment line must stay one line whatever the file name holds. */
static void put_comment(FILE *f, const char *prefix, const char *text)
{
	fputs(prefix, f);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
	fputc('\n', f);
}

static void put_latency(FILE *f, const struct aod_anomaly_cfg *a)
{
	fprintf(f, "      default_threshold_ms: %u\n", a->default_threshold_ms);
	fprintf(f, "      emergency_threshold_ms: %u\n", a->emergency_threshold_ms);
	fprintf(f, "      track_commands:%s\n", a->n_track_commands ? "" : " []");
	for (unsigned i = 0; i < a->n_track_commands; i++) {
		fprintf(f, "        - command: %s\n", smb2_command_name(a->track_commands[i].command));
		if (a->track_commands[i].threshold_ms)
			fprintf(f, "          threshold: %u\n", a->track_commands[i].threshold_ms);
	}
}

static void put_error(FILE *f, const struct aod_anomaly_cfg *a)
{
	fprintf(f, "      track_codes: [");
	for (unsigned i = 0; i < a->n_track_codes; i++)
		fprintf(f, "%s%s", i ? ", " : "", errno_name(a->track_codes[i]));
	fputs("]\n", f);
}

static void put_anomaly(FILE *f, const struct aod_anomaly_cfg *a)
{
	fputs("    ", f);
	put_str(f, a->name);
	fputs(":\n", f);
	fprintf(f, "      type: %s\n", config_type_name(a->type));
	fprintf(f, "      tool: %s\n", config_tool_name(a->tool));
	fprintf(f, "      mode: %s\n", config_mode_name(a->mode));
	fprintf(f, "      acceptable_count: %u\n", a->acceptable_count);
	if (a->type == AOD_TYPE_LATENCY)
		put_latency(f, a);
	else
		put_error(f, a);
	fprintf(f, "      cooldown_sec: %u\n", a->cooldown_sec);
	fprintf(f, "      scope: %s\n", config_scope_name(a->scope));
	put_list(f, "      ", "actions", a->actions, a->n_actions);
}

static void put_config(FILE *f, const struct aod_config *c)
{
	fputs("# aodv2 effective configuration\n", f);
	for (unsigned i = 0; i < c->n_files; i++)
		put_comment(f, i ? "#   then " : "# from ", c->files[i]);
	fputs("watch_interval_sec: ", f);
	put_double(f, c->watch_interval_sec);
	fputs("\naod_output_dir: ", f);
	put_str(f, c->output_dir);
	fprintf(f, "\nring_capacity_events: %u\nshutdown_timeout_sec: %u\ncontrol_socket: ",
		c->ring_capacity_events, c->shutdown_timeout_sec);
	put_str(f, c->control_socket);
	fputs("\nservice_user: ", f);
	put_str(f, c->service_user);
	fprintf(f, "\ncollect_on_shutdown: %s", c->collect_on_shutdown ? "true" : "false");
	fputs("\n\nguardian:\n", f);
	fprintf(f, "  anomalies:%s\n", c->n_anomalies ? "" : " {}");
	for (unsigned i = 0; i < c->n_anomalies; i++)
		put_anomaly(f, &c->anomalies[i]);
	fputs("\nwatcher:\n", f);
	put_list(f, "  ", "actions", c->actions, c->n_actions);
	fprintf(f, "  max_concurrent_tasks: %u\n  action_timeout_sec: %u\n", c->max_concurrent_tasks,
		c->action_timeout_sec);
	fprintf(f, "  compression_level: %u\n  journal_minutes: %u\n", c->compression_level,
		c->journal_minutes);
	fprintf(f, "  tcpdump_duration_sec: %u\n  tcpdump_max_mb: %u\n", c->tcpdump_duration_sec,
		c->tcpdump_max_mb);
	cfg_recorder_dump(f, &c->recorder);
	fprintf(f, "\ncleanup:\n  cleanup_interval_sec: %u\n  max_log_age_days: ",
		c->cleanup_interval_sec);
	put_double(f, c->max_log_age_days);
	fputs("\n  max_total_log_size_mb: ", f);
	put_double(f, c->max_total_log_size_mb);
	fprintf(f, "\n\naudit:\n  enabled: %s\n", c->audit_enabled ? "true" : "false");
	fputs("\nmetrics:\n  textfile: ", f);
	if (c->metrics_textfile[0])
		put_str(f, c->metrics_textfile);
	else
		fputs("none", f);
	fprintf(f, "\n  interval_sec: %u\n  in_kernel: %s\n", c->metrics_interval_sec,
		c->metrics_in_kernel ? "true" : "false");
}

char *config_dump(const struct aod_config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool failed;

	if (!f)
		return NULL;
	put_config(f, cfg);
	failed = ferror(f) != 0;
	if (fclose(f) != 0 || failed) {
		free(buf);
		return NULL;
	}
	return buf;
}

void cfg_put_str(FILE *f, const char *s)
{
	put_str(f, s);
}
