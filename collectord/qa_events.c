// SPDX-License-Identifier: GPL-2.0-only
/* events: aodv2's own events of the pre_sec before the trigger (the flight
 * recorder), as a replay CSV with the share column (recording.h):
 * `aodv2-supervisor --source replay:events.csv` judges them again, by the
 * same shares and in the same windows. The supervisor copies them from the
 * shared ring into a sealed memfd, after the share names (AOD_EV_WHERE
 * records) they need; each record is checked here (a bad one is counted on
 * stderr and skipped). ts_ns is written relative to the first event, or to
 * the anomaly's window start when that is earlier; the grid line says where
 * the anomaly's windows started. */
#include "qa.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aod_event.h"
#include "ev_where.h"
#include "flightrec.h"
#include "proto.h"
#include "recording.h"
#include "recording_csv.h"

#define QA_EVENTS_CHUNK 256
/* watch_interval_sec's bound (3600 s), and as long again of slack */
#define QA_EVENTS_GRID_MAX_NS (7200ull * 1000000000ull)

static bool qa_event_ok(const struct aod_event *e)
{
	return (e->kind == AOD_EV_LATENCY || e->kind == AOD_EV_ERROR) &&
	       e->command < AOD_SMB2_NR_COMMANDS && e->err >= 0;
}

struct qa_events_out {
	int fd;
	uint64_t grid;  /* CLOCK_MONOTONIC start of one of the anomaly's windows, 0: none */
	uint64_t base, first, last, written, skipped;
	struct smb_where_table *names;
	struct ev_where_asm as;
	char line[RECORDING_CSV_MAX_LINE];
};

/* A share name record: the name is kept once complete. */
static void qa_events_where(struct qa_events_out *o, const struct aod_event *e)
{
	struct smb_where w;
	int rc = ev_where_feed(&o->as, e, &w);

	if (rc == 1)
		smb_where_put(o->names, &w);
	else if (rc < 0)
		o->skipped++;
}

/* Before the first event: the base, and the grid line relative to it. */
static int qa_events_start(struct qa_events_out *o, uint64_t ts)
{
	o->base = o->grid && o->grid < ts ? o->grid : ts;
	o->first = ts;
	if (!o->grid)
		return 0;
	int n = snprintf(o->line, sizeof(o->line), RECORDING_CSV_GRID "%llu\n",
			 (unsigned long long)(o->grid - o->base));
	return writeall_fd(o->fd, o->line, (size_t)n);
}

static int qa_events_put(struct qa_events_out *o, const struct aod_event *e)
{
	int rc = 0;

	if (e->kind == AOD_EV_WHERE || e->kind == AOD_EV_WHERE_TEXT) {
		qa_events_where(o, e);
		return 0;
	}
	/* known, not written: in-flight reports (the requests complete or
	 * fail later) and a replay's grid record (the CSV has its own) */
	if (e->kind == AOD_EV_INFLIGHT || e->kind == AOD_EV_GRID)
		return 0;
	if (!qa_event_ok(e)) {
		o->skipped++;
		return 0;
	}
	if (!o->written && (rc = qa_events_start(o, e->ts_ns)) < 0)
		return rc;
	if (e->ts_ns < o->first)
		o->first = e->ts_ns;
	if (e->ts_ns > o->last)
		o->last = e->ts_ns;
	const struct smb_where *w = smb_where_find(o->names, e->session_id, e->tree_id);
	int n = recording_csv_format_share(e, o->base, w ? w->share : "", o->line, sizeof(o->line));
	if (n < 0)
		return n;
	o->written++;
	return writeall_fd(o->fd, o->line, (size_t)n);
}

/* Reads the memfd (stdin) record by record into o. */
static int qa_events_read(struct qa_events_out *o)
{
	struct aod_event buf[QA_EVENTS_CHUNK];
	off_t off = 0;
	int rc = 0;

	for (;;) {
		ssize_t n = pread(STDIN_FILENO, buf, sizeof(buf), off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0 || rc < 0)
			return rc;
		off += n;
		for (size_t i = 0; rc == 0 && i < (size_t)n / sizeof(buf[0]); i++)
			rc = qa_events_put(o, &buf[i]);
		if ((size_t)n % sizeof(buf[0])) {
			dprintf(STDERR_FILENO, "the events input ends inside a record\n");
			return rc;
		}
	}
}

static int qa_events_run(const struct qa_plan *plan, int out)
{
	struct qa_events_out *o = calloc(1, sizeof(*o));
	int rc;

	if (!o || !(o->names = calloc(1, sizeof(*o->names)))) {
		free(o);
		return -ENOMEM;
	}
	smb_where_init(o->names);
	o->fd = out;
	/* a window starts at most QA_EVENTS_GRID_MAX_NS before the trigger:
	 * another grid is not the anomaly's */
	uint64_t to_mono = plan->to_ns - (uint64_t)plan->mono_to_wall_ns;
	if (plan->grid_mono_ns && plan->grid_mono_ns <= to_mono &&
	    to_mono - plan->grid_mono_ns <= QA_EVENTS_GRID_MAX_NS)
		o->grid = plan->grid_mono_ns;
	rc = qa_write_str(out, RECORDING_CSV_HEADER_SHARE "\n");
	if (rc == 0)
		rc = qa_events_read(o);
	if (o->skipped)
		dprintf(STDERR_FILENO, "skipped %llu malformed events\n",
			(unsigned long long)o->skipped);
	if (o->written)
		flightrec_report_span(o->first + (uint64_t)plan->mono_to_wall_ns,
				      o->last + (uint64_t)plan->mono_to_wall_ns);
	else
		flightrec_report_span(plan->from_ns, plan->to_ns);
	free(o->names);
	free(o);
	return rc;
}

static void qa_events_plan(const struct qa_env *env, const struct qa_params *params,
			   struct qa_plan *plan)
{
	(void)env;
	if (!(params->inputs & (1u << PROTO_REC_EVENTS))) {
		qa_unavailable(plan, "not available: the supervisor sent no events window");
		return;
	}
	plan->kind = QA_BUILTIN;
	plan->run = qa_events_run;
	plan->mono_to_wall_ns = params->mono_to_wall_ns;
	plan->from_ns = params->events_from_ns;
	plan->to_ns = params->events_to_ns;
	plan->grid_mono_ns = params->grid_mono_ns;
	qa_arg(plan, "the events of the %u s before the trigger, from the shared ring, as replay CSV",
	       params->pre_sec);
}

const struct quickaction qa_events = {
	.name = "events", .recorder = true, .ext = "csv", .input = PROTO_REC_EVENTS, .plan = qa_events_plan,
};
