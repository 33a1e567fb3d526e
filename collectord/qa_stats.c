// SPDX-License-Identifier: GPL-2.0-only
/* stats: /proc/fs/cifs/Stats (per-command counts and times) and
 * /proc/fs/cifs/open_files. */
#include "qa.h"

static void qa_stats_plan(const struct qa_env *env, const struct qa_params *params,
			  struct qa_plan *plan)
{
	(void)params;
	char *stats = qa_rooted(plan, env, "/proc/fs/cifs/Stats");
	char *open_files = qa_rooted(plan, env, "/proc/fs/cifs/open_files");
	if (!qa_file_exists(stats)) {
		qa_unavailable(plan, "not available: %s does not exist (cifs not loaded)", stats);
		return;
	}
	plan->kind = QA_BUILTIN;
	plan->run = qa_copy_inputs;
	qa_input(plan, stats);
	qa_arg(plan, "read %s", stats);
	if (qa_file_exists(open_files)) {
		qa_input(plan, open_files);
		qa_arg(plan, "read %s", open_files);
	}
}

const struct quickaction qa_stats = { .name = "stats", .ext = "txt", .plan = qa_stats_plan };
