// SPDX-License-Identifier: GPL-2.0-only
/* tcp: the TCP state of each SMB connection at the trigger (the flight
 * recorder): `ss -tin` for port 445, with rtt, retransmits and queues. */
#include "qa.h"

static void qa_tcp_plan(const struct qa_env *env, const struct qa_params *params,
			struct qa_plan *plan)
{
	static const char *const filter[] = { "(", "sport", "=", ":445", "or", "dport", "=",
					      ":445", ")" };
	(void)params;
	if (!qa_program(plan, env, "ss"))
		return;
	qa_arg(plan, "-tin");
	for (size_t i = 0; i < sizeof(filter) / sizeof(filter[0]); i++)
		qa_arg(plan, "%s", filter[i]);
}

const struct quickaction qa_tcp = { .name = "tcp", .recorder = true, .ext = "txt", .plan = qa_tcp_plan };
