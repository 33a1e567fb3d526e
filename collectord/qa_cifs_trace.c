// SPDX-License-Identifier: GPL-2.0-only
/* cifs-trace: the cifs trace ring's content (the flight recorder): the
 * supervisor opens its tracefs instance's "trace" (root only) and passes the
 * fd; this copies it as it is and reports the span of its event timestamps
 * (the instance's clock is CLOCK_MONOTONIC; converted to wall clock here). */
#include "qa.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "flightrec.h"
#include "proto.h"
#include "tracetime.h"

#define TRACE_LINE_MAX 4096

struct trace_scan {
	char line[TRACE_LINE_MAX];
	size_t len;
	bool skipping; /* inside a line longer than line[] */
	uint64_t first, last;
};

static void trace_scan_line(struct trace_scan *s)
{
	uint64_t ts;
	s->line[s->len] = '\0';
	if (s->line[0] != '#' && tracetime_parse(s->line, &ts) == 0) {
		if (!s->first)
			s->first = ts;
		s->last = ts;
	}
	s->len = 0;
}

static void trace_scan(struct trace_scan *s, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			if (!s->skipping)
				trace_scan_line(s);
			s->skipping = false;
			s->len = 0;
		} else if (!s->skipping && s->len < sizeof(s->line) - 1) {
			s->line[s->len++] = buf[i];
		} else {
			s->skipping = true;
		}
	}
}

static int qa_cifs_trace_run(const struct qa_plan *plan, int out)
{
	struct trace_scan scan = { .len = 0 };
	char buf[65536];
	ssize_t n;
	(void)plan;
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		trace_scan(&scan, buf, (size_t)n);
		int rc = qa_write_all(out, buf, (size_t)n);
		if (rc < 0)
			return rc;
	}
	int64_t off = (int64_t)(clock_wall_ns() - clock_mono_ns());
	if (scan.first)
		flightrec_report_span(scan.first + (uint64_t)off, scan.last + (uint64_t)off);
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
	qa_arg(plan, "read the cifs trace ring (tracefs instance aodv2-<pid>, fd from the supervisor)");
}

const struct quickaction qa_cifs_trace = {
	.name = "cifs-trace", .recorder = true, .ext = "txt", .input = PROTO_REC_CIFS_TRACE,
	.plan = qa_cifs_trace_plan,
};
