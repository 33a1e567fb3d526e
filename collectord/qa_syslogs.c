// SPDX-License-Identifier: GPL-2.0-only
/* syslogs: the tail of /var/log/syslog or /var/log/messages. */
#include "qa.h"

static void qa_syslogs_plan(const struct qa_env *env, const struct qa_params *params,
			    struct qa_plan *plan)
{
	(void)params;
	qa_plan_syslog_tail(env, plan);
}

const struct quickaction qa_syslogs = { .name = "syslogs", .ext = "txt", .plan = qa_syslogs_plan };
