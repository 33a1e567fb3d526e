// SPDX-License-Identifier: GPL-2.0-only
/* cifs-trace: the cifs trace ring's content (the flight recorder) from
 * pre_sec before the trigger up to the trigger: the window of events.csv,
 * which the supervisor computes and sends with the fd of its tracefs
 * instance's "trace" (root only opens it). The instance's clock is
 * CLOCK_MONOTONIC; the window comes in wall-clock ns with the supervisor's
 * offset between the two. Reading stops at the first event after the
 * trigger (tracetime.h), so what the ring records meanwhile is not read. */
#include "qa.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "flightrec.h"
#include "proto.h"
#include "tracetime.h"

static uint64_t mono_of(uint64_t wall_ns, int64_t mono_to_wall_ns)
{
	uint64_t off = (uint64_t)mono_to_wall_ns;
	return wall_ns > off ? wall_ns - off : 0;
}

static void qa_cifs_trace_report(const struct qa_plan *plan, const struct tracecut *c)
{
	uint64_t off = (uint64_t)plan->mono_to_wall_ns;
	uint64_t from = mono_of(plan->from_ns, plan->mono_to_wall_ns);
	dprintf(STDERR_FILENO, "%llu events up to the trigger kept, %llu older ones left out\n",
		(unsigned long long)c->kept, (unsigned long long)c->before);
	if (!c->oldest || c->oldest > c->to) {
		dprintf(STDERR_FILENO, "the trace ring holds no event up to the trigger\n");
		return;
	}
	if (c->oldest > from)
		dprintf(STDERR_FILENO, "the ring's oldest event is %.3f s after the window's start\n",
			(double)(c->oldest - from) / 1e9);
	flightrec_report_span((c->oldest > from ? c->oldest : from) + off, plan->to_ns);
}

static int qa_cifs_trace_run(const struct qa_plan *plan, int out)
{
	struct tracecut cut;
	char buf[65536];
	ssize_t n;
	int rc = 0;

	tracecut_init(&cut, mono_of(plan->from_ns, plan->mono_to_wall_ns),
		      mono_of(plan->to_ns, plan->mono_to_wall_ns), out);
	while (rc == 0 && (n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		rc = tracecut_feed(&cut, buf, (size_t)n);
	}
	if (rc < 0 || (rc = tracecut_finish(&cut)) < 0)
		return rc;
	qa_cifs_trace_report(plan, &cut);
	return 0;
}

static void qa_cifs_trace_plan(const struct qa_env *env, const struct qa_params *params,
			       struct qa_plan *plan)
{
	(void)env;
	if (!(params->inputs & (1u << PROTO_REC_CIFS_TRACE))) {
		qa_unavailable(plan, "not available: no cifs trace ring (it runs with the bpf source; "
			       "see the supervisor's log)");
		return;
	}
	plan->kind = QA_BUILTIN;
	plan->run = qa_cifs_trace_run;
	plan->from_ns = params->trace.from_ns;
	plan->to_ns = params->trace.to_ns;
	plan->mono_to_wall_ns = params->trace.mono_to_wall_ns;
	qa_arg(plan, "read the cifs trace ring (tracefs instance aodv2-<pid>, fd from the supervisor) "
	       "from %u s before the trigger up to it", params->pre_sec);
}

const struct quickaction qa_cifs_trace = {
	.name = "cifs-trace", .recorder = true, .ext = "txt", .input = PROTO_REC_CIFS_TRACE,
	.plan = qa_cifs_trace_plan,
};
