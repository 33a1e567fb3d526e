// SPDX-License-Identifier: GPL-2.0-only
/* snapshot, snapshot-end: the flight recorder's "before and after" of the
 * cifs client: /proc/fs/cifs/Stats, DebugData and open_files at the trigger
 * (first part of a collection) and again at its end (last part), both in
 * stats.txt.zst, each under a marked heading. */
#include "qa.h"

#include <stdio.h>
#include <time.h>

#include "clock.h"
#include "flightrec.h"

static int qa_snapshot_write(const struct qa_plan *plan, int out, const char *moment)
{
	uint64_t from = clock_wall_ns();
	time_t secs = (time_t)(from / 1000000000u);
	struct tm tm;
	char when[64] = "?", head[160];

	if (gmtime_r(&secs, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(head, sizeof(head), "#### aodv2 flight recorder: cifs state %s (%s, %llu ns)\n",
		 moment, when, (unsigned long long)from);
	int rc = qa_write_str(out, head);
	if (rc == 0)
		rc = qa_copy_inputs(plan, out);
	if (rc == 0)
		rc = qa_write_str(out, "\n");
	flightrec_report_span(from, clock_wall_ns());
	return rc;
}

static int qa_snapshot_trigger(const struct qa_plan *plan, int out)
{
	return qa_snapshot_write(plan, out, "at the trigger");
}

static int qa_snapshot_end(const struct qa_plan *plan, int out)
{
	return qa_snapshot_write(plan, out, "at the end of the collection");
}

static void qa_snapshot_inputs(const struct qa_env *env, struct qa_plan *plan)
{
	static const char *const files[] = { "/proc/fs/cifs/Stats", "/proc/fs/cifs/DebugData",
					     "/proc/fs/cifs/open_files" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = qa_rooted(plan, env, files[i]);
		if (!path || !qa_file_exists(path))
			continue;
		qa_input(plan, path);
		qa_arg(plan, "read %s", path);
	}
	if (!plan->ninputs)
		qa_unavailable(plan, "not available: no /proc/fs/cifs (cifs not loaded)");
	plan->kind = QA_BUILTIN;
}

static void qa_snapshot_plan(const struct qa_env *env, const struct qa_params *params,
			     struct qa_plan *plan)
{
	(void)params;
	qa_snapshot_inputs(env, plan);
	plan->run = qa_snapshot_trigger;
}

static void qa_snapshot_end_plan(const struct qa_env *env, const struct qa_params *params,
				 struct qa_plan *plan)
{
	(void)params;
	qa_snapshot_inputs(env, plan);
	plan->run = qa_snapshot_end;
}

const struct quickaction qa_snapshot = {
	.name = "snapshot", .recorder = true, .ext = "txt", .file = "stats", .plan = qa_snapshot_plan,
};
const struct quickaction qa_snapshot_end_qa = {
	.name = "snapshot-end", .recorder = true, .ext = "txt", .file = "stats", .append = true, .last = true,
	.plan = qa_snapshot_end_plan,
};
