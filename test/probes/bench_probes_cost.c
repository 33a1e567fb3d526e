// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_probes_cost: what the probe programs cost per SMB request on this
 * machine's own kernel, with the in-kernel metrics (histograms and error
 * counts) off and on. The request-matching logic the attached programs run
 * (aod_probes.bpf.h, behind logic_test.bpf.c's raw tracepoint programs) is
 * called with BPF_PROG_TEST_RUN for REQUESTS requests (an enter and a
 * completion each, on 8 trees of 2 sessions, 4 commands), and the kernel's
 * BPF run-time statistics (BPF_ENABLE_STATS) give the programs' own time,
 * without the syscall around them. No request is slow enough to be an event
 * (the common case: nothing goes to the ring). Needs root.
 *
 * Prints BENCH lines (test/bench/benchenv.h's format) for etc/bootstrap bench.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "probes_abi.h"
#include "logic_test.skel.h"

#define REQUESTS 200000u

struct prog_time {
	uint64_t ns, cnt;
};

static int prog_time(struct bpf_program *p, struct prog_time *t)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len) != 0)
		return -errno;
	t->ns = info.run_time_ns;
	t->cnt = info.run_cnt;
	return 0;
}

static int run(struct bpf_program *p, __u64 *args, unsigned n)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args, .ctx_size_in = n * (__u32)sizeof(*args));

	return bpf_prog_test_run_opts(bpf_program__fd(p), &o) ? -errno : 0;
}

static int set_flags(struct logic_test *s, uint32_t flags)
{
	/* every request is faster than this: no event goes to the ring */
	struct aod_probe_cfg c = { .min_latency_ns = 3600ull * 1000000000ull, .flags = flags };
	__u32 zero = 0;

	return bpf_map_update_elem(bpf_map__fd(s->maps.aod_probe_cfg), &zero, &c, BPF_ANY) ? -errno : 0;
}

/* ns of program time per request (enter + completion), or a negative errno. */
static double per_request_ns(struct logic_test *s, uint32_t flags, __u64 first_mid)
{
	static const __u16 cmds[] = { 5, 6, 8, 9 }; /* CREATE CLOSE READ WRITE */
	struct prog_time e0, d0, e1, d1;
	int rc = set_flags(s, flags);

	if (!rc)
		rc = prog_time(s->progs.t_enter, &e0);
	if (!rc)
		rc = prog_time(s->progs.t_done, &d0);
	for (unsigned i = 0; !rc && i < REQUESTS; i++) {
		__u64 a[] = { 1 + i % 8, 0x1000 + i % 2, cmds[i % 4], first_mid + i };
		rc = run(s->progs.t_enter, a, 4);
		if (!rc)
			rc = run(s->progs.t_done, a, 4);
	}
	if (!rc)
		rc = prog_time(s->progs.t_enter, &e1);
	if (!rc)
		rc = prog_time(s->progs.t_done, &d1);
	if (rc)
		return rc;
	if (e1.cnt - e0.cnt != REQUESTS || d1.cnt - d0.cnt != REQUESTS)
		return -EPROTO; /* the statistics missed runs */
	return (double)((e1.ns - e0.ns) + (d1.ns - d0.ns)) / REQUESTS;
}

static void report(const char *id, double v, const char *figure)
{
	struct utsname u;

	if (uname(&u) != 0)
		snprintf(u.release, sizeof(u.release), "?");
	printf("BENCH %s %.1f ns - | %s | BPF_PROG_TEST_RUN of the probes' request logic "
	       "(test/probes/logic_test.bpf.c), %u requests (enter + completion, 8 trees, 4 commands), "
	       "program time from the kernel's BPF run-time statistics, lower of two runs, kernel %s\n",
	       id, v, figure, REQUESTS, u.release);
	fflush(stdout);
}

int main(void)
{
	struct logic_test *s;
	int stats_fd;
	double off, on;

	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	s = logic_test__open_and_load();
	if (!s) {
		fprintf(stderr, "bench_probes_cost: cannot load the test programs (root and BTF needed): %s\n",
			strerror(errno));
		return 77;
	}
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		fprintf(stderr, "bench_probes_cost: BPF_ENABLE_STATS: %s\n", strerror(errno));
		logic_test__destroy(s);
		return 1;
	}
	/* a warm-up round, then off and on alternately twice; the lower of each */
	const uint32_t base = AOD_CFG_LATENCY | AOD_CFG_ERRORS;
	double r[5] = { 0 };
	for (unsigned i = 0; i < 5; i++) {
		r[i] = per_request_ns(s, i % 2 ? base : base | AOD_CFG_METRICS, (__u64)i << 32);
		if (r[i] < 0) {
			fprintf(stderr, "bench_probes_cost: run %u failed: %s\n", i, strerror((int)-r[i]));
			break;
		}
	}
	close(stats_fd);
	logic_test__destroy(s);
	if (r[0] < 0 || r[1] < 0 || r[2] < 0 || r[3] < 0 || r[4] < 0)
		return 1;
	off = r[1] < r[3] ? r[1] : r[3];
	on = r[2] < r[4] ? r[2] : r[4];
	report("probes.ns_request_metrics_off", off, "probe programs' time per SMB request, in-kernel metrics off");
	report("probes.ns_request_metrics_on", on, "probe programs' time per SMB request, histograms and error counts on");
	return 0;
}
