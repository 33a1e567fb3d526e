// SPDX-License-Identifier: GPL-2.0-only
/* journalctl: the journal of the last watcher.journal_minutes minutes; where
 * journald does not run, the syslog file's tail instead (said in the
 * manifest's note). */
#include "qa.h"

static void qa_journalctl_plan(const struct qa_env *env, const struct qa_params *params,
			       struct qa_plan *plan)
{
	/* journald's runtime directory exists exactly while it runs. */
	char *runtime = qa_rooted(plan, env, "/run/systemd/journal");
	if (!qa_file_exists(runtime)) {
		qa_plan_syslog_tail(env, plan);
		if (plan->unavailable)
			qa_unavailable(plan, "not available: journald is not running and neither "
				       "/var/log/syslog nor /var/log/messages exists");
		else
			plan->note = "journald is not running: the syslog tail instead";
		return;
	}
	if (!qa_program(plan, env, "journalctl"))
		return;
	qa_arg(plan, "--no-pager");
	qa_arg(plan, "--output=short-iso-precise");
	qa_arg(plan, "--since=-%umin", params->journal_minutes);
}

const struct quickaction qa_journalctl = {
	.name = "journalctl", .ext = "txt", .plan = qa_journalctl_plan,
};
