// SPDX-License-Identifier: GPL-2.0-only
#include "col_audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"

/* The argv (or a builtin's description) as one line. */
static void col_audit_command(const struct action_result *r, char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = '\0';
	if (!r->plan || r->plan->err)
		return;
	for (unsigned i = 0; i < r->plan->argc && n < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? " " : "",
				      i == 0 && r->plan->kind == QA_PROGRAM ? r->plan->path
									   : r->plan->argv[i]);
}

void col_audit(const struct collection *col)
{
	if (!audit_enabled())
		return;
	for (unsigned i = 0; i < col->n; i++) {
		const struct action_result *r = &col->res[i];
		char cmd[512], exit_s[16], bytes[24], dur[24];
		col_audit_command(r, cmd, sizeof(cmd));
		snprintf(exit_s, sizeof(exit_s), "%d", r->term_signal > 0 ? -r->term_signal : r->exit_code);
		snprintf(bytes, sizeof(bytes), "%" PRIu64, r->raw_bytes);
		snprintf(dur, sizeof(dur), "%" PRIu64,
			 r->start_ns && r->end_ns ? (r->end_ns - r->start_ns) / 1000000u : 0);
		struct journal_field f[] = {
			{ "AOD_COLLECTION", col->name }, { "AOD_ANOMALY", col->anomaly.name },
			{ "AOD_ACTION", r->name }, { "AOD_COMMAND", cmd },
			{ "AOD_STATUS", result_state_name(r->state) }, { "AOD_EXIT", exit_s },
			{ "AOD_BYTES", bytes }, { "AOD_DURATION_MS", dur },
		};
		audit_record(AUDIT_ACTION, f, 8, "collection %s action %s: %s, exit %s, %s bytes in %s ms",
			     col->name, r->name, result_state_name(r->state), exit_s, bytes, dur);
	}
}
