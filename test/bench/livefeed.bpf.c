// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark-only program: writes latency events into the probes' ring
 * buffer through the probes' own aod_emit() (aod_probes.bpf.h), as
 * smbslower does for a completed request, so a running supervisor drains
 * them like real ones. bench_live loads it with the supervisor's
 * aod_events and aod_counters maps (bpf_map__reuse_fd) and calls it with
 * BPF_PROG_TEST_RUN: one run writes args[0] events, message ids from
 * args[1], under pid args[2]. Never attached.
 *
 * The events: a common command each (READ twice as often), 1..15 ms, one
 * in 100 taking 30 ms (over the default 20 ms threshold), on 8 trees of 2
 * sessions, chosen by a hash of the message id.
 */
#include "aod_probes.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define FEED_MAX (1u << 20)
#define FEED_MS 1000000ull

/* Eight command codes, a byte each (CREATE CLOSE READ WRITE QUERY_DIRECTORY
 * QUERY_INFO SET_INFO READ), packed: no table the verifier must bound. */
#define FEED_CMDS 0x0811100e09080605ull

struct feed {
	__u64 first_mid;
	__u32 pid;
};

static long feed_one(__u32 i, void *data)
{
	const struct feed *f = data;
	__u64 mid = f->first_mid + i;
	__u32 r = (__u32)((mid + 1) * 0x9E3779B97F4A7C15ull >> 32);
	__u64 now = bpf_ktime_get_ns();
	__u64 lat = (r >> 4) % 100 == 0 ? 30 * FEED_MS : FEED_MS + (r >> 8) % (14 * FEED_MS);
	struct aod_start st = { .ts_ns = now - lat, .tgid = f->pid, .tree_id = 1 + (r & 7),
				.comm = "aodbench" };
	__u8 cmd = (__u8)(FEED_CMDS >> ((r >> 24 & 7) * 8));

	aod_emit(AOD_EV_LATENCY, &st, true, now, 0x1000 + (r >> 3 & 1), mid, st.tree_id, cmd, 0, 0);
	return 0;
}

SEC("raw_tp/aod_livefeed")
int BPF_PROG(livefeed, __u64 n, __u64 first_mid, __u64 pid)
{
	struct feed f = { .first_mid = first_mid, .pid = (__u32)pid };

	if (n > FEED_MAX)
		return -1;
	return bpf_loop((__u32)n, feed_one, &f, 0);
}
