// SPDX-License-Identifier: GPL-2.0-only
/* packets: the packet ring's traffic from pre_sec before the trigger to
 * post_sec after it (the flight recorder), as one pcap file. The supervisor
 * passes the ring's directory as an fd; this waits until post_sec after the
 * trigger has passed, then cuts (pcapcut.h) without stopping the ring. */
#include "qa.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "flightrec.h"
#include "pcapcut.h"
#include "proto.h"

#define NS_PER_SEC 1000000000ull
/* tcpdump -U writes each packet as it sees it; give the last ones a moment. */
#define QA_PACKETS_SETTLE_NS 200000000ull

static void qa_packets_wait(uint64_t until_wall_ns)
{
	uint64_t now = clock_wall_ns();
	if (until_wall_ns <= now)
		return;
	uint64_t ns = until_wall_ns - now;
	struct timespec ts = { .tv_sec = (time_t)(ns / NS_PER_SEC), .tv_nsec = (long)(ns % NS_PER_SEC) };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int qa_packets_run(const struct qa_plan *plan, int out)
{
	struct pcapcut_result res;
	qa_packets_wait(plan->to_ns + QA_PACKETS_SETTLE_NS);
	int rc = pcapcut_run(STDIN_FILENO, "packets.pcap", plan->from_ns, plan->to_ns, out, &res);
	if (rc == -ENODATA) {
		dprintf(STDERR_FILENO, "the packet ring holds no packets yet\n");
		return rc;
	}
	dprintf(STDERR_FILENO, "%llu packets from %u ring files\n", (unsigned long long)res.packets,
		res.files);
	if (res.ring_first_ns > plan->from_ns)
		dprintf(STDERR_FILENO, "the ring's oldest packet is %.3f s after the window's start\n",
			(double)(res.ring_first_ns - plan->from_ns) / 1e9);
	flightrec_report_span(res.ring_first_ns > plan->from_ns ? res.ring_first_ns : plan->from_ns,
			      plan->to_ns);
	return rc;
}

static void qa_packets_plan(const struct qa_env *env, const struct qa_params *params,
			    struct qa_plan *plan)
{
	(void)env;
	if (!(params->inputs & (1u << PROTO_REC_PACKETS))) {
		qa_unavailable(plan, "not available: no packet ring (it runs with the bpf source; see "
			       "the supervisor's log)");
		return;
	}
	plan->kind = QA_BUILTIN;
	plan->run = qa_packets_run;
	plan->from_ns = params->trigger_wall_ns - (uint64_t)params->pre_sec * NS_PER_SEC;
	plan->to_ns = params->trigger_wall_ns + (uint64_t)params->post_sec * NS_PER_SEC;
	qa_arg(plan, "cut the packet ring from %u s before the trigger to %u s after it",
	       params->pre_sec, params->post_sec);
}

const struct quickaction qa_packets = {
	.name = "packets", .recorder = true, .ext = "pcap", .input = PROTO_REC_PACKETS, .plan = qa_packets_plan,
};
