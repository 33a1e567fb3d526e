// SPDX-License-Identifier: GPL-2.0-only
/* debugdata: /proc/fs/cifs/DebugData (servers, sessions, channels, credits). */
#include "qa.h"

static void qa_debugdata_plan(const struct qa_env *env, const struct qa_params *params,
			      struct qa_plan *plan)
{
	(void)params;
	char *path = qa_rooted(plan, env, "/proc/fs/cifs/DebugData");
	if (!qa_file_exists(path)) {
		qa_unavailable(plan, "not available: %s does not exist (cifs not loaded)", path);
		return;
	}
	plan->kind = QA_BUILTIN;
	plan->run = qa_copy_inputs;
	qa_input(plan, path);
	qa_arg(plan, "read %s", path);
}

const struct quickaction qa_debugdata = {
	.name = "debugdata", .ext = "txt", .plan = qa_debugdata_plan,
};
