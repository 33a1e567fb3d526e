// SPDX-License-Identifier: GPL-2.0-only
/* dmesg: the kernel ring buffer with wall-clock timestamps. */
#include "qa.h"

static void qa_dmesg_plan(const struct qa_env *env, const struct qa_params *params,
			  struct qa_plan *plan)
{
	(void)params;
	if (!qa_program(plan, env, "dmesg"))
		return;
	qa_arg(plan, "--time-format");
	qa_arg(plan, "iso");
}

const struct quickaction qa_dmesg = { .name = "dmesg", .ext = "txt", .plan = qa_dmesg_plan };
