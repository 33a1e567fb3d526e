// SPDX-License-Identifier: GPL-2.0-only
#include "summary.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "smb_tables.h"

/* Text from outside (comm, stderr, error strings) with control characters
 * shown as '?', on one line. */
static void summary_clean(FILE *f, const char *s, size_t len)
{
	for (size_t i = 0; i < len && s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];
		fputc(ch < 0x20 || ch == 0x7f ? (ch == '\n' || ch == '\t' ? ' ' : '?') : ch, f);
	}
}

static void summary_ms(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%03" PRIu64 " ms", ns / 1000000u, ns / 1000u % 1000u);
}

/* "2024-05-01 12:00:00.123 CEST" (local) or "... UTC". */
static void summary_time(FILE *f, uint64_t ts_ns, bool local)
{
	time_t secs = (time_t)(ts_ns / 1000000000u);
	struct tm tm;
	char date[32], zone[16];

	if (!(local ? localtime_r(&secs, &tm) : gmtime_r(&secs, &tm))) {
		fprintf(f, "%" PRIu64 " ns since the epoch", ts_ns);
		return;
	}
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
	if (!local || strftime(zone, sizeof(zone), "%Z", &tm) == 0)
		snprintf(zone, sizeof(zone), "%s", local ? "local" : "UTC");
	fprintf(f, "%s.%03" PRIu64 " %s", date, ts_ns / 1000000u % 1000u, zone);
}

static const char *summary_cmd(unsigned cmd, char *buf, size_t cap)
{
	const char *name = smb2_command_name((int)cmd);
	if (name)
		return name;
	snprintf(buf, cap, "0x%02x", cmd);
	return buf;
}

void summary_rule(char *buf, size_t cap, const struct aod_anomaly_cfg *ac)
{
	size_t n = 0;
#define RULE_ADD(...) \
	do { \
		if (n < cap) \
			n += (size_t)snprintf(buf + n, cap - n, __VA_ARGS__); \
	} while (0)

	if (!ac) {
		snprintf(buf, cap, "none (a manual collection: every action in watcher.actions)");
		return;
	}
	RULE_ADD("%s: %s, mode %s", ac->name, config_type_name(ac->type), config_mode_name(ac->mode));
	if (ac->type == AOD_TYPE_LATENCY) {
		RULE_ADD(", a request is slow over %u ms", ac->default_threshold_ms);
		for (unsigned i = 0; i < ac->n_track_commands; i++) {
			char cb[8];
			const struct aod_track_command *t = &ac->track_commands[i];
			const char *label = ac->mode == AOD_MODE_EXCLUDEONLY ? "; except"
					    : ac->mode == AOD_MODE_TRACKONLY ? "; only" : "; per command:";
			RULE_ADD("%s %s", i ? "," : label, summary_cmd((unsigned)t->command, cb, sizeof(cb)));
			if (t->threshold_ms)
				RULE_ADD(" over %u ms", t->threshold_ms);
		}
	} else {
		for (unsigned i = 0; i < ac->n_track_codes; i++) {
			const char *e = errno_name(ac->track_codes[i]);
			RULE_ADD("%s %s", i ? "," : ", codes", e ? e : "?");
		}
	}
	RULE_ADD("; fires when more than %u in one window", ac->acceptable_count);
	if (ac->type == AOD_TYPE_LATENCY && ac->emergency_threshold_ms)
		RULE_ADD(", or at once for one request over %u ms (emergency)", ac->emergency_threshold_ms);
	RULE_ADD("; cooldown %u s", ac->cooldown_sec);
#undef RULE_ADD
}

static void summary_scope(FILE *f, const struct proto_anomaly *a)
{
	bool share = a->scope == PROTO_SCOPE_SHARE;

	if (a->scope != PROTO_SCOPE_SERVER && !share)
		return;
	fprintf(f, "Scope:      %s ", share ? "share" : "server");
	if (a->scope_other)
		fprintf(f, "(the %ss past the ones tracked one by one)\n", share ? "share" : "server");
	else if (!(share ? a->share : a->server)[0])
		fprintf(f, "(requests whose share was not known)\n");
	else if (share) {
		summary_clean(f, a->share, sizeof(a->share));
		fprintf(f, " on server ");
		summary_clean(f, a->server, sizeof(a->server));
		fputc('\n', f);
	} else {
		summary_clean(f, a->server, sizeof(a->server));
		fputc('\n', f);
	}
}

static void summary_head(FILE *f, const struct collection *col)
{
	const struct proto_anomaly *a = &col->anomaly;
	char host[256] = "unknown";
	struct utsname uts;

	if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "unknown");
	if (uname(&uts) != 0)
		snprintf(uts.release, sizeof(uts.release), "unknown");
	fprintf(f, "aodv2 collection %s\n\n", col->name);
	fprintf(f, "Status:     %s", col->status ? "INCOMPLETE: " : "complete\n");
	if (col->status) {
		summary_clean(f, col->error, sizeof(col->error));
		fputc('\n', f);
	}
	fprintf(f, "Anomaly:    %s (%s)%s\n", a->name, proto_anomaly_type_name(a->type),
		a->emergency ? ", emergency: one request over the emergency bound" : "");
	summary_scope(f, a);
	fprintf(f, "When:       ");
	summary_time(f, a->timestamp_ns, true);
	fprintf(f, " (local time)\n            ");
	summary_time(f, a->timestamp_ns, false);
	fprintf(f, "\nHost:       %s, kernel %s\n", host, uts.release);
	fprintf(f, "Collected:  in ");
	summary_ms(f, col->finished_ns - col->received_ns);
	fprintf(f, ", %u actions\n\n", col->n);
}

static void summary_numbers(FILE *f, const struct collection *col)
{
	const struct proto_anomaly *a = &col->anomaly;
	char cb[8];

	fprintf(f, "What fired\n----------\nRule:       %s\n", col->rule[0] ? col->rule : "unknown");
	if (a->type == PROTO_ANOMALY_MANUAL) {
		fprintf(f, "Numbers:    none: nothing was judged; a collection was asked for\n\n");
		return;
	}
	fprintf(f, "Window:     ");
	summary_time(f, a->interval_start_ns, true);
	fprintf(f, " .. ");
	summary_ms(f, a->interval_end_ns - a->interval_start_ns);
	fprintf(f, " long\nNumbers:    %" PRIu64 " %s among %" PRIu64
		" requests judged; acceptable: %u\n", a->violations,
		a->type == PROTO_ANOMALY_LATENCY ? "slow requests" : "errors", a->events_judged,
		a->acceptable_count);
	for (unsigned c = 0; c < PROTO_SUMMARY_CMDS; c++) {
		const struct proto_cmd_stat *s = &a->cmds[c];
		if (!s->count)
			continue;
		fprintf(f, "  %-22s %" PRIu64 "", summary_cmd(c, cb, sizeof(cb)), s->count);
		if (a->type == PROTO_ANOMALY_LATENCY) {
			fprintf(f, " slow, p50 ");
			summary_ms(f, s->p50_ns);
			fprintf(f, ", p99 ");
			summary_ms(f, s->p99_ns);
			fprintf(f, ", max ");
			summary_ms(f, s->max_ns);
		}
		fputc('\n', f);
	}
	for (unsigned i = 0; i < a->n_errnos; i++) {
		const char *e = errno_name(a->errnos[i].err);
		fprintf(f, "  error %-16s %" PRIu64 " times\n", e ? e : "?", a->errnos[i].count);
	}
	fputc('\n', f);
}

static void summary_worst(FILE *f, const struct proto_anomaly *a)
{
	char cb[8];

	if (!a->n_worst)
		return;
	fprintf(f, "Worst requests\n--------------\n");
	for (unsigned i = 0; i < a->n_worst; i++) {
		const struct proto_worst *w = &a->worst[i];
		fprintf(f, "  %u. %-18s ", i + 1, summary_cmd(w->command, cb, sizeof(cb)));
		summary_ms(f, w->latency_ns);
		fprintf(f, "  pid %u (", w->pid);
		summary_clean(f, w->comm, sizeof(w->comm));
		fprintf(f, "), session 0x%016" PRIx64 ", tree %u", w->session_id, w->tree_id);
		if (w->err) {
			const char *e = errno_name(w->err);
			fprintf(f, ", %s, status 0x%08x", e ? e : "error", w->nt_status);
		}
		fputc('\n', f);
	}
	fputc('\n', f);
}

static void summary_action(FILE *f, const struct collection *col, const struct action_result *r)
{
	fprintf(f, "  %-11s %s", r->name, result_state_name(r->state));
	if (r->output[0] && r->start_ns && r->end_ns) {
		fprintf(f, ": %s, %" PRIu64 " bytes (%" PRIu64 " compressed) in ", r->output,
			r->raw_bytes, r->zst_bytes);
		summary_ms(f, r->end_ns - r->start_ns);
		if (r->exit_code >= 0)
			fprintf(f, ", exit status %d", r->exit_code);
		if (r->term_signal > 0)
			fprintf(f, ", signal %d", r->term_signal);
		if (r->stopped)
			fprintf(f, ", stopped at its planned duration");
		if (r->truncated)
			fprintf(f, ", cut at its size cap");
	}
	if (r->error[0]) {
		static const char na[] = "not available: ";
		const char *why = r->error;
		if (r->state == RES_NOT_AVAILABLE && strncmp(why, na, sizeof(na) - 1) == 0)
			why += sizeof(na) - 1; /* the status already says so */
		fprintf(f, "\n              why: ");
		summary_clean(f, why, sizeof(r->error) - (size_t)(why - r->error));
	}
	if (r->state != RES_OK && r->stderr_len) {
		fprintf(f, "\n              its stderr ends: ");
		summary_clean(f, r->stderr_tail, r->stderr_len);
	}
	fputc('\n', f);
	(void)col;
}

static void summary_open_hint(FILE *f, const struct action_result *r)
{
	size_t n = strlen(r->output);
	if (n < 4 || strcmp(r->output + n - 4, ".zst") != 0)
		return;
	if (n > 9 && strcmp(r->output + n - 9, ".pcap.zst") == 0)
		fprintf(f, "  %-22s zstd -d %s && tcpdump -nr %.*s\n", r->output, r->output, (int)(n - 4),
			r->output);
	else
		fprintf(f, "  %-22s zstd -dc %s | less   (or zstd -d %s)\n", r->output, r->output,
			r->output);
}

static void summary_actions(FILE *f, const struct collection *col)
{
	fprintf(f, "Actions\n-------\n");
	if (!col->n)
		fprintf(f, "  none configured for this anomaly\n");
	for (unsigned i = 0; i < col->n; i++)
		summary_action(f, col, &col->res[i]);
	fprintf(f, "\nHow to open\n-----------\n");
	for (unsigned i = 0; i < col->n; i++)
		if (col->res[i].output[0])
			summary_open_hint(f, &col->res[i]);
	fprintf(f, "  %-22s every field above and more, as JSON (jq . manifest.json)\n",
		"manifest.json");
}

int summary_write(const struct collection *col, int dirfd)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return -errno;
	summary_head(f, col);
	summary_numbers(f, col);
	summary_worst(f, &col->anomaly);
	summary_actions(f, col);
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	int rc = atomic_file_write(dirfd, "summary.txt", text, len, 0640);
	free(text);
	return rc;
}
