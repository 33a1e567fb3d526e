// SPDX-License-Identifier: GPL-2.0-only
/*
 * blocked_tasks: the kernel stacks, wchan and state of the tasks in
 * uninterruptible sleep and of those with requests in flight, as the
 * supervisor read them when it routed the anomaly (collectord cannot read
 * other tasks' stacks: collectord/blocked.h).
 */
#include "qa.h"

static int qa_blocked_run(const struct qa_plan *plan, int out)
{
	return writeall_fd(out, plan->blob, plan->blob_len);
}

static void qa_blocked_plan(const struct qa_env *env, const struct qa_params *params, struct qa_plan *plan)
{
	(void)env;
	if (!params->blocked_text) {
		qa_unavailable(plan, "not available: no snapshot from the supervisor (it reads the stacks "
				     "when it routes the anomaly; a replay has none)");
		return;
	}
	plan->kind = QA_BUILTIN;
	plan->run = qa_blocked_run;
	plan->blob = params->blocked_text;
	plan->blob_len = params->blocked_len;
	qa_arg(plan, "the supervisor's snapshot of /proc/*/task/*/{stat,wchan,stack}");
}

const struct quickaction qa_blocked_tasks = {
	.name = "blocked_tasks", .ext = "txt", .plan = qa_blocked_plan,
};
