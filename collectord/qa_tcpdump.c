// SPDX-License-Identifier: GPL-2.0-only
/* tcpdump: a short capture of SMB traffic (port 445) on every interface,
 * headers only (snaplen), as pcap on stdout. It is bounded twice: collectord
 * sends SIGTERM after watcher.tcpdump_duration_sec (tcpdump then flushes and
 * exits: a normal end) and keeps at most watcher.tcpdump_max_mb of output.
 * A tcpdump slow to start (a loaded machine) is stopped only once it says
 * it is listening, so it always leaves a pcap file. */
#include "qa.h"

static void qa_tcpdump_plan(const struct qa_env *env, const struct qa_params *params,
			    struct qa_plan *plan)
{
	if (!qa_program(plan, env, "tcpdump"))
		return;
	qa_arg(plan, "-i");
	qa_arg(plan, "any");
	qa_arg(plan, "-p"); /* not promiscuous: only this host's traffic */
	qa_arg(plan, "-n");
	qa_arg(plan, "-s");
	qa_arg(plan, "%u", QA_TCPDUMP_SNAPLEN);
	qa_arg(plan, "-U"); /* packet-buffered: what was seen survives a kill */
	qa_arg(plan, "-w");
	qa_arg(plan, "-");
	qa_arg(plan, "port");
	qa_arg(plan, "445");
	plan->soft_stop_sec = params->tcpdump_duration_sec;
	/* printed once the capture is open, after its SIGTERM handler is set:
	 * from then on SIGTERM flushes a valid pcap file */
	plan->ready_marker = "listening on";
	plan->max_bytes = (uint64_t)params->tcpdump_max_mb << 20;
}

const struct quickaction qa_tcpdump = { .name = "tcpdump", .ext = "pcap", .plan = qa_tcpdump_plan };
