// SPDX-License-Identifier: GPL-2.0-only
/* events: aodv2's own events of the pre_sec before the trigger (the flight
 * recorder), as a replay CSV (recording.h): `aodv2-supervisor --source
 * replay:events.csv` judges them again. The supervisor copies them from
 * the shared ring into a sealed memfd; each record is checked here (a bad
 * one is counted on stderr and skipped), ts_ns is written relative to the
 * first event. */
#include "qa.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aod_event.h"
#include "flightrec.h"
#include "proto.h"
#include "recording.h"
#include "recording_csv.h"

#define QA_EVENTS_CHUNK 256

static bool qa_event_ok(const struct aod_event *e)
{
	return (e->kind == AOD_EV_LATENCY || e->kind == AOD_EV_ERROR) &&
	       e->command < AOD_SMB2_NR_COMMANDS && e->err >= 0;
}

struct qa_events_out {
	int fd;
	uint64_t base, first, last, written, skipped;
	char line[RECORDING_CSV_MAX_LINE];
};

static int qa_events_put(struct qa_events_out *o, const struct aod_event *e)
{
	if (!qa_event_ok(e)) {
		o->skipped++;
		return 0;
	}
	if (!o->written)
		o->base = o->first = e->ts_ns;
	if (e->ts_ns < o->first)
		o->first = e->ts_ns;
	if (e->ts_ns > o->last)
		o->last = e->ts_ns;
	int n = recording_csv_format(e, o->base, o->line, sizeof(o->line));
	if (n < 0)
		return n;
	o->written++;
	return writeall_fd(o->fd, o->line, (size_t)n);
}

static int qa_events_run(const struct qa_plan *plan, int out)
{
	struct aod_event buf[QA_EVENTS_CHUNK];
	struct qa_events_out o = { .fd = out };
	off_t off = 0;
	int rc = qa_write_str(out, RECORDING_CSV_HEADER "\n");
	for (;;) {
		ssize_t n = pread(STDIN_FILENO, buf, sizeof(buf), off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0 || rc < 0)
			break;
		off += n;
		for (size_t i = 0; rc == 0 && i < (size_t)n / sizeof(buf[0]); i++)
			rc = qa_events_put(&o, &buf[i]);
		if ((size_t)n % sizeof(buf[0])) {
			dprintf(STDERR_FILENO, "the events input ends inside a record\n");
			break;
		}
	}
	if (o.skipped)
		dprintf(STDERR_FILENO, "skipped %llu malformed events\n",
			(unsigned long long)o.skipped);
	if (o.written)
		flightrec_report_span(o.first + (uint64_t)plan->mono_to_wall_ns,
				      o.last + (uint64_t)plan->mono_to_wall_ns);
	else
		flightrec_report_span(plan->from_ns, plan->to_ns);
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
	qa_arg(plan, "the events of the %u s before the trigger, from the shared ring, as replay CSV",
	       params->pre_sec);
}

const struct quickaction qa_events = {
	.name = "events", .recorder = true, .ext = "csv", .input = PROTO_REC_EVENTS, .plan = qa_events_plan,
};
