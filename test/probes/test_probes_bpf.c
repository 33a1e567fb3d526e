// SPDX-License-Identifier: GPL-2.0-only
/*
 * The probes against this machine's kernel (needs root and BTF; skipped
 * with a TAP skip plan otherwise):
 *  - the loader (probes.h): opens, creates its maps, waits for cifs (this
 *    build machine has no cifs module), takes option updates, refuses bad
 *    options;
 *  - the classic-tracepoint programs pass the verifier with the layouts of
 *    the committed tracefs formats (tp_btf ones need cifs BTF to load);
 *  - the request-matching logic both tools run, through test-only raw
 *    tracepoint programs (logic_test.bpf.c) called with BPF_PROG_TEST_RUN:
 *    matching, session id 0 for NEGOTIATE / SESSION_SETUP, thresholds,
 *    command filter, error flow, reconnect generations, ring-full drops.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "aod_build.h"
#include "probes.h"
#include "probes_abi.h"
#include "histmaps.h"
#include "starts.h"
#include "tpformat.h"
#include "variant.h"
/* the skeletons after probes_abi.h: their rodata uses its types */
#include "aod_probes.skel.h"
#include "logic_test.skel.h"

#define FORMATS AOD_SOURCE_ROOT "/test/probes/formats"
#define MS 1000000ull

#define ERESTARTSYS_ABI 512 /* the kernel's, not in user-space errno.h */
enum { NEGOTIATE = 0x00, SESSION_SETUP = 0x01, CREATE = 0x05, CLOSE = 0x06, READ = 0x08, WRITE = 0x09,
       QUERY_DIRECTORY = 0x0e, QUERY_INFO = 0x10 };
#define ST_ACCESS_DENIED 0xc0000022u
#define ST_NAME_NOT_FOUND 0xc0000034u

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- the loader ------------------------------------------------------------ */

struct sink_count {
	size_t calls, events;
};

static void count_sink(const struct aod_event *ev, size_t n, void *arg)
{
	struct sink_count *c = arg;

	(void)ev;
	c->calls++;
	c->events += n;
}

static bool cifs_here(void)
{
	return access("/sys/module/cifs", F_OK) == 0;
}

START_TEST(loader_opens_and_waits_for_cifs)
{
	struct probes_opts o = { .want_latency = true, .want_errors = true, .min_latency_ns = 10 * MS };
	struct sink_count c = { 0 };
	struct probes_status st;
	struct probes *p = NULL;
	int fds[4];

	ck_assert_int_eq(probes_open(&o, count_sink, &c, &p), 0);
	ck_assert_ptr_nonnull(p);
	probes_get_status(p, &st);
	if (cifs_here()) {
		/* a machine with cifs: the programs attach at once */
		ck_assert(st.cifs_loaded);
		ck_assert(st.latency_attached && st.errors_attached);
	} else {
		ck_assert_str_eq(st.variant, "waiting for cifs");
		ck_assert(!st.cifs_loaded && !st.latency_attached && !st.errors_attached);
	}
	for (int i = 0; i < AOD_CNT_NR; i++)
		ck_assert_msg(st.counters[i] == 0, "counter %d is %llu before any traffic", i,
			      (unsigned long long)st.counters[i]);
	ck_assert_uint_eq(st.inflight, 0);
	ck_assert_uint_eq(st.rejected, 0);
	/* ring buffer, module watch, in-flight timer */
	ck_assert_int_eq(probes_fds(p, fds, 4), 3);
	ck_assert_int_eq(probes_fds(p, fds, 1), 1);
	ck_assert_int_eq(probes_fds(p, fds, 4), 3);
	for (int i = 0; i < 2; i++)
		ck_assert_int_ge(fcntl(fds[i], F_GETFD), 0);
	ck_assert_int_eq(probes_handle(p), 0);
	if (!cifs_here())
		ck_assert_uint_eq(c.events, 0);
	probes_close(p);
}
END_TEST

START_TEST(loader_takes_updates_and_refuses_bad_options)
{
	struct probes_opts o = { .want_latency = true, .want_errors = false };
	struct probes_opts bad = o;
	struct sink_count c = { 0 };
	struct probes_status st;
	struct probes *p = NULL;

	ck_assert_int_eq(probes_open(NULL, count_sink, &c, &p), -EINVAL);
	ck_assert_int_eq(probes_open(&o, NULL, &c, &p), -EINVAL);
	bad.cmd_filter_mask = 1u << AOD_SMB2_NR_COMMANDS;
	ck_assert_int_eq(probes_open(&bad, count_sink, &c, &p), -EINVAL);

	ck_assert_int_eq(probes_open(&o, count_sink, &c, &p), 0);
	ck_assert_int_eq(probes_update(p, &bad), -EINVAL);
	o.want_latency = false;
	ck_assert_int_eq(probes_update(p, &o), 0);
	probes_get_status(p, &st);
	ck_assert_str_eq(st.variant, "disabled");
	ck_assert(!st.latency_attached && !st.errors_attached);
	o.want_errors = true;
	o.cmd_filter_mask = 1u << READ;
	ck_assert_int_eq(probes_update(p, &o), 0);
	probes_get_status(p, &st);
	if (!cifs_here())
		ck_assert_str_eq(st.variant, "waiting for cifs");
	else
		ck_assert(st.errors_attached && !st.latency_attached);
	probes_close(p);
}
END_TEST

/* ---- classic programs and the verifier ------------------------------------- */

static void layouts_from(const char *sample, struct aod_tp_layout lay[VEV_NR])
{
	char path[512], why[200];
	struct tpfmt f;

	for (int ev = VEV_ENTER; ev <= VEV_ERR; ev++) {
		snprintf(path, sizeof(path), "%s/%s/%s.format", FORMATS, sample,
			 variant_event_name((enum variant_event)ev));
		ck_assert_int_eq(tpfmt_read(path, &f), 0);
		ck_assert_int_eq(variant_layout(&f, (enum variant_event)ev, &lay[ev], why, sizeof(why)), 0);
	}
}

static struct bpf_program *op_err_prog(struct aod_probes *s, unsigned i)
{
	char name[32];

	snprintf(name, sizeof(name), "aod_op_err_tp%u", i);
	return bpf_object__find_program_by_name(s->obj, name);
}

/* The sample's per-operation error events, as variant_op_errs would read them. */
static unsigned op_errs_from(const char *sample, struct aod_op_err_lay lay[AOD_OP_ERR_MAX])
{
	static const struct { const char *name; __u16 cmd; } evs[] = {
		{ "smb3_open_err", CREATE }, { "smb3_read_err", READ }, { "smb3_write_err", WRITE },
		{ "smb3_fsctl_err", 0x0b }, { "smb3_query_info_compound_err", CREATE } };
	char path[512], why[200];
	struct tpfmt f;
	unsigned n = 0;

	memset(lay, 0, sizeof(lay[0]) * AOD_OP_ERR_MAX);
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s/%s.format", FORMATS, sample, evs[i].name);
		if (tpfmt_read(path, &f) != 0)
			continue;
		ck_assert_int_eq(variant_op_err_layout(&f, evs[i].cmd, &lay[n], why, sizeof(why)), 0);
		n++;
	}
	return n;
}

static void load_classic(const char *sample)
{
	struct aod_op_err_lay op_lay[AOD_OP_ERR_MAX];
	unsigned n_op = op_errs_from(sample, op_lay);
	struct aod_tp_layout lay[VEV_NR];
	struct aod_probes *s = aod_probes__open();
	struct bpf_program *prog;
	int err;

	ck_assert_ptr_nonnull(s);
	layouts_from(sample, lay);
	bpf_object__for_each_program(prog, s->obj) {
		const char *sec = bpf_program__section_name(prog);

		bpf_program__set_autoload(prog, strncmp(sec, "tracepoint/", 11) == 0);
	}
	/* every slot's program, each with one of the sample's layouts */
	for (unsigned i = n_op; n_op && i < AOD_OP_ERR_MAX; i++)
		op_lay[i] = op_lay[i % n_op];
	for (unsigned i = 0; i < AOD_OP_ERR_MAX; i++)
		bpf_program__set_autoload(op_err_prog(s, i), n_op > 0);
	memcpy((void *)s->rodata->aod_op_err_lay, op_lay, sizeof(op_lay));
	memcpy((void *)&s->rodata->aod_lay_enter, &lay[VEV_ENTER], sizeof(lay[0]));
	memcpy((void *)&s->rodata->aod_lay_done, &lay[VEV_DONE], sizeof(lay[0]));
	memcpy((void *)&s->rodata->aod_lay_err, &lay[VEV_ERR], sizeof(lay[0]));
	err = aod_probes__load(s);
	ck_assert_msg(err == 0, "classic programs with %s layouts refused: %s", sample, strerror(-err));
	ck_assert_int_ge(bpf_program__fd(s->progs.aod_err_tp), 0);
	ck_assert_int_ge(bpf_program__fd(s->progs.aod_enter_tp), 0);
	ck_assert_int_lt(bpf_program__fd(s->progs.aod_err_btf), 0); /* not loaded */
	for (unsigned i = 0; i < AOD_OP_ERR_MAX; i++)
		ck_assert_msg((bpf_program__fd(op_err_prog(s, i)) >= 0) == (n_op > 0),
			      "%s: per-operation error slot %u", sample, i);
	aod_probes__destroy(s);
}

START_TEST(classic_programs_pass_the_verifier)
{
	load_classic("debian12-6.1");
	load_classic("preempt-rt");
}
END_TEST

/* ---- the shared logic, through BPF_PROG_TEST_RUN --------------------------- */

#define MAX_EVENTS 64

static struct logic {
	struct logic_test *skel;
	struct ring_buffer *rb;
	struct aod_event ev[MAX_EVENTS];
	struct aod_event internal[8];
	struct aod_event notes[8];
	size_t n, ninternal, nnotes;
	char comm[16];
} L;

static int collect(void *ctx, void *data, size_t size)
{
	const struct aod_event *e = data;

	(void)ctx;
	ck_assert_uint_ge(size, sizeof(*e));
	if (e->kind == AOD_RB_ARM || e->kind == AOD_RB_GONE || e->kind == AOD_RB_TREE || e->kind == AOD_RB_TCON) {
		L.notes[L.nnotes++ % 8] = *e; /* the loader's records: the watch and tree tests look */
	} else if (e->kind == AOD_RB_RECONNECT) {
		if (L.ninternal < 8)
			L.internal[L.ninternal++] = *e;
	} else if (L.n < MAX_EVENTS) {
		L.ev[L.n++] = *e;
	}
	return 0;
}

static void config(uint64_t min_ns, uint32_t mask, uint32_t flags)
{
	struct aod_probe_cfg c = { .min_latency_ns = min_ns, .cmd_filter_mask = mask, .flags = flags };
	__u32 zero = 0;

	ck_assert_int_eq(bpf_map_update_elem(bpf_map__fd(L.skel->maps.aod_probe_cfg), &zero, &c, BPF_ANY), 0);
}

static void logic_setup(void)
{
	memset(&L, 0, sizeof(L));
	libbpf_set_print(quiet_libbpf);
	L.skel = logic_test__open_and_load();
	ck_assert_ptr_nonnull(L.skel);
	L.rb = ring_buffer__new(bpf_map__fd(L.skel->maps.aod_events), collect, NULL, NULL);
	ck_assert_ptr_nonnull(L.rb);
	ck_assert_int_eq(prctl(PR_GET_NAME, L.comm), 0);
	config(0, 0, AOD_CFG_LATENCY | AOD_CFG_ERRORS);
}

static void logic_teardown(void)
{
	ring_buffer__free(L.rb);
	logic_test__destroy(L.skel);
}

static void run(struct bpf_program *prog, __u64 *args, size_t n)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args, .ctx_size_in = (__u32)(n * sizeof(*args)));

	ck_assert_int_eq(bpf_prog_test_run_opts(bpf_program__fd(prog), &o), 0);
}

static void enter(__u32 tid, __u64 ses, __u16 cmd, __u64 mid)
{
	__u64 a[] = { tid, ses, cmd, mid };

	run(L.skel->progs.t_enter, a, 4);
}

static void done(__u32 tid, __u64 ses, __u16 cmd, __u64 mid)
{
	__u64 a[] = { tid, ses, cmd, mid };

	run(L.skel->progs.t_done, a, 4);
}

static void err(__u32 tid, __u64 ses, __u16 cmd, __u64 mid, __u32 status, int rc)
{
	__u64 a[] = { tid, ses, cmd, mid, status, (__u64)(__s64)rc };

	run(L.skel->progs.t_err, a, 6);
}

static void reconnect(void)
{
	__u64 a[] = { 0 };

	run(L.skel->progs.t_reconnect, a, 1);
}

static void op_err_any(__u16 cmd, __u32 tid, __u64 ses, int rc, int any_cmd)
{
	__u64 a[] = { cmd, tid, ses, (__u64)(__s64)rc, (__u64)any_cmd };

	run(L.skel->progs.t_op_err, a, 5);
}

static void op_err(__u16 cmd, __u32 tid, __u64 ses, int rc)
{
	op_err_any(cmd, tid, ses, rc, 0);
}

static size_t drain(void)
{
	ck_assert_int_ge(ring_buffer__consume(L.rb), 0);
	return L.n;
}

static uint64_t counter(enum aod_probe_counter k)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *v = calloc((size_t)ncpu, sizeof(*v)), sum = 0;
	__u32 key = k;

	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(bpf_map_lookup_elem(bpf_map__fd(L.skel->maps.aod_counters), &key, v), 0);
	for (int i = 0; i < ncpu; i++)
		sum += v[i];
	free(v);
	return sum;
}

START_TEST(completion_emits_the_request_with_its_latency)
{
	uint64_t before = mono_ns();

	enter(7, 0x1111, READ, 42);
	usleep(2000);
	done(0x99, 0x1111, READ, 42); /* an async response: tid is not the tree id */
	ck_assert_uint_eq(drain(), 1);
	ck_assert_int_eq(L.ev[0].kind, AOD_EV_LATENCY);
	ck_assert_int_eq(L.ev[0].command, READ);
	ck_assert_uint_eq(L.ev[0].session_id, 0x1111);
	ck_assert_uint_eq(L.ev[0].message_id, 42);
	ck_assert_uint_eq(L.ev[0].tree_id, 7);
	ck_assert_uint_eq(L.ev[0].pid, (unsigned)getpid());
	ck_assert_str_eq(L.ev[0].comm, L.comm);
	ck_assert_uint_ge(L.ev[0].latency_ns, 2 * MS);
	ck_assert_uint_ge(L.ev[0].ts_ns, before);
	ck_assert_uint_le(L.ev[0].ts_ns, mono_ns());
	ck_assert_int_eq(L.ev[0].err, 0);
	ck_assert_uint_eq(L.ev[0].nt_status, 0);
	ck_assert_uint_eq(counter(AOD_CNT_STARTS), 1);
	ck_assert_uint_eq(counter(AOD_CNT_MATCHED), 1);
	ck_assert_uint_eq(counter(AOD_CNT_EMITTED), 1);
	/* the start entry is gone: a second completion finds nothing */
	done(7, 0x1111, READ, 42);
	ck_assert_uint_eq(drain(), 1);
	ck_assert_uint_eq(counter(AOD_CNT_UNMATCHED), 1);
}
END_TEST

START_TEST(session_setup_matches_under_session_zero)
{
	enter(0, 0, NEGOTIATE, 0);
	done(0, 0, NEGOTIATE, 0);
	enter(0, 0, SESSION_SETUP, 1);
	err(0, 0xabc, SESSION_SETUP, 1, AOD_STATUS_MORE_PROCESSING_REQUIRED, -EIO);
	enter(0, 0xabc, SESSION_SETUP, 2);
	done(0, 0xabc, SESSION_SETUP, 2);
	ck_assert_uint_eq(drain(), 3); /* three latencies, no error: MORE_PROCESSING is flow */
	ck_assert_int_eq(L.ev[0].command, NEGOTIATE);
	ck_assert_int_eq(L.ev[1].command, SESSION_SETUP);
	ck_assert_uint_eq(L.ev[1].session_id, 0xabc);
	ck_assert_uint_eq(L.ev[1].nt_status, AOD_STATUS_MORE_PROCESSING_REQUIRED);
	ck_assert_uint_eq(L.ev[2].message_id, 2);
	for (size_t i = 0; i < 3; i++)
		ck_assert_int_eq(L.ev[i].kind, AOD_EV_LATENCY);
	ck_assert_uint_eq(counter(AOD_CNT_MATCHED), 3);
	/* other commands do not fall back to session 0 */
	enter(0, 0, READ, 5);
	done(0, 0x77, READ, 5);
	ck_assert_uint_eq(drain(), 3);
	ck_assert_uint_eq(counter(AOD_CNT_UNMATCHED), 1);
}
END_TEST

START_TEST(minimum_latency_keeps_fast_requests_out)
{
	config(30 * MS, 0, AOD_CFG_LATENCY | AOD_CFG_ERRORS);
	enter(1, 5, CREATE, 1);
	done(1, 5, CREATE, 1);
	ck_assert_uint_eq(drain(), 0);
	ck_assert_uint_eq(counter(AOD_CNT_FILTERED), 1);
	ck_assert_uint_eq(counter(AOD_CNT_MATCHED), 1);
	enter(1, 5, CREATE, 2);
	usleep(40 * 1000);
	done(1, 5, CREATE, 2);
	ck_assert_uint_eq(drain(), 1);
	ck_assert_uint_ge(L.ev[0].latency_ns, 40 * MS);
	/* a fast failure is still an error event */
	enter(1, 5, CREATE, 3);
	err(1, 5, CREATE, 3, ST_NAME_NOT_FOUND, -ENOENT);
	ck_assert_uint_eq(drain(), 2);
	ck_assert_int_eq(L.ev[1].kind, AOD_EV_ERROR);
}
END_TEST

START_TEST(filtered_commands_store_and_emit_nothing)
{
	config(0, 1u << READ, AOD_CFG_LATENCY | AOD_CFG_ERRORS);
	enter(1, 5, READ, 1);
	ck_assert_uint_eq(counter(AOD_CNT_STARTS), 0);
	done(1, 5, READ, 1);
	enter(1, 5, READ, 2);
	err(1, 5, READ, 2, ST_ACCESS_DENIED, -EACCES);
	ck_assert_uint_eq(drain(), 0);
	ck_assert_uint_eq(counter(AOD_CNT_FILTERED), 2);
	ck_assert_uint_eq(counter(AOD_CNT_UNMATCHED), 0);
	enter(1, 5, CREATE, 3); /* not filtered */
	done(1, 5, CREATE, 3);
	ck_assert_uint_eq(drain(), 1);
}
END_TEST

START_TEST(error_carries_status_errno_and_latency)
{
	enter(3, 9, CREATE, 9);
	usleep(1000);
	err(3, 9, CREATE, 9, ST_NAME_NOT_FOUND, -ENOENT);
	ck_assert_uint_eq(drain(), 2);
	ck_assert_int_eq(L.ev[0].kind, AOD_EV_LATENCY);
	ck_assert_int_eq(L.ev[1].kind, AOD_EV_ERROR);
	ck_assert_uint_eq(L.ev[1].nt_status, ST_NAME_NOT_FOUND);
	ck_assert_int_eq(L.ev[1].err, ENOENT);
	ck_assert_uint_ge(L.ev[1].latency_ns, MS);
	ck_assert_uint_eq(L.ev[1].pid, (unsigned)getpid());
	ck_assert_uint_eq(L.ev[1].tree_id, 3);
	ck_assert_uint_eq(L.ev[1].latency_ns, L.ev[0].latency_ns);
}
END_TEST

START_TEST(normal_flow_statuses_are_not_errors)
{
	enter(1, 5, QUERY_DIRECTORY, 1);
	err(1, 5, QUERY_DIRECTORY, 1, AOD_STATUS_NO_MORE_FILES, -ENODATA);
	enter(1, 5, READ, 2);
	err(1, 5, READ, 2, AOD_STATUS_END_OF_FILE, -ENODATA);
	ck_assert_uint_eq(drain(), 2);
	ck_assert(L.ev[0].kind == AOD_EV_LATENCY && L.ev[1].kind == AOD_EV_LATENCY);
	/* MORE_PROCESSING_REQUIRED is flow only during SESSION_SETUP */
	enter(1, 5, CREATE, 3);
	err(1, 5, CREATE, 3, AOD_STATUS_MORE_PROCESSING_REQUIRED, -EIO);
	ck_assert_uint_eq(drain(), 4);
	ck_assert_int_eq(L.ev[3].kind, AOD_EV_ERROR);
	ck_assert_int_eq(L.ev[3].err, EIO);
}
END_TEST

START_TEST(error_without_start_is_still_reported)
{
	err(4, 6, CREATE, 77, ST_ACCESS_DENIED, -EACCES);
	ck_assert_uint_eq(drain(), 1);
	ck_assert_int_eq(L.ev[0].kind, AOD_EV_ERROR);
	ck_assert_uint_eq(L.ev[0].latency_ns, 0);
	ck_assert_uint_eq(L.ev[0].pid, 0);
	ck_assert_str_eq(L.ev[0].comm, "");
	ck_assert_uint_eq(L.ev[0].tree_id, 4);
	ck_assert_int_eq(L.ev[0].err, EACCES);
	ck_assert_uint_eq(counter(AOD_CNT_UNMATCHED), 1);
}
END_TEST

START_TEST(each_tool_can_be_off)
{
	config(0, 0, AOD_CFG_LATENCY);
	enter(1, 5, CREATE, 1);
	err(1, 5, CREATE, 1, ST_ACCESS_DENIED, -EACCES);
	ck_assert_uint_eq(drain(), 1);
	ck_assert_int_eq(L.ev[0].kind, AOD_EV_LATENCY);
	config(0, 0, AOD_CFG_ERRORS);
	enter(1, 5, CREATE, 2);
	done(1, 5, CREATE, 2);
	enter(1, 5, CREATE, 3);
	err(1, 5, CREATE, 3, ST_ACCESS_DENIED, -EACCES);
	ck_assert_uint_eq(drain(), 2);
	ck_assert_int_eq(L.ev[1].kind, AOD_EV_ERROR);
	ck_assert_uint_gt(L.ev[1].latency_ns, 0);
	config(0, 0, 0);
	enter(1, 5, CREATE, 4);
	err(1, 5, CREATE, 4, ST_ACCESS_DENIED, -EACCES);
	ck_assert_uint_eq(drain(), 2);
	ck_assert_uint_eq(counter(AOD_CNT_STARTS), 3); /* none with both tools off */
}
END_TEST

START_TEST(odd_values_from_the_kernel)
{
	err(1, 5, CREATE, 1, ST_ACCESS_DENIED, 5);     /* not a negative errno */
	err(1, 5, CREATE, 2, ST_ACCESS_DENIED, -512);  /* ERESTARTSYS */
	err(1, 5, CREATE, 3, ST_ACCESS_DENIED, -70000); /* not an errno at all */
	enter(1, 5, 0x13, 4);                           /* not an SMB2 command */
	done(1, 5, 0x13, 4);
	err(1, 5, 0xffff, 5, ST_ACCESS_DENIED, -EIO);
	ck_assert_uint_eq(drain(), 3);
	ck_assert_int_eq(L.ev[0].err, 0);
	ck_assert_int_eq(L.ev[1].err, 512);
	ck_assert_int_eq(L.ev[2].err, 0);
	ck_assert_uint_eq(counter(AOD_CNT_STARTS), 0);
}
END_TEST

static __u32 start_gen(__u64 ses, __u64 mid)
{
	struct aod_start_key k = { .session_id = ses, .message_id = mid };
	struct aod_start st;

	ck_assert_int_eq(bpf_map_lookup_elem(bpf_map__fd(L.skel->maps.aod_starts), &k, &st), 0);
	return st.gen;
}

START_TEST(reconnect_starts_a_new_generation)
{
	enter(1, 5, READ, 1);
	ck_assert_uint_eq(start_gen(5, 1), 0);
	reconnect();
	drain();
	ck_assert_uint_eq(L.ninternal, 1);
	ck_assert_uint_eq(L.internal[0].message_id, 1);
	ck_assert_uint_eq(L.n, 0); /* the internal record is not an event */
	enter(1, 6, READ, 1);
	ck_assert_uint_eq(start_gen(6, 1), 1);
	ck_assert_uint_eq(start_gen(5, 1), 0);
	reconnect();
	drain();
	ck_assert_uint_eq(L.internal[1].message_id, 2);
	/* a request of another connection in flight across the reconnect is
	 * still measured */
	done(1, 5, READ, 1);
	ck_assert_uint_eq(drain(), 1);
	ck_assert_uint_eq(counter(AOD_CNT_MATCHED), 1);
}
END_TEST

START_TEST(a_stale_start_is_replaced)
{
	enter(1, 5, READ, 1);
	enter(1, 5, READ, 1);
	ck_assert_uint_eq(counter(AOD_CNT_STARTS), 2);
	ck_assert_uint_eq(counter(AOD_CNT_REPLACED), 1);
}
END_TEST

static bool has_start(__u64 ses, __u64 mid)
{
	struct aod_start_key k = { .session_id = ses, .message_id = mid };
	struct aod_start st;

	return bpf_map_lookup_elem(bpf_map__fd(L.skel->maps.aod_starts), &k, &st) == 0;
}

START_TEST(a_failed_compound_drops_its_unsent_rest)
{
	enter(1, 5, CREATE, 10); /* CREATE + QUERY_INFO + CLOSE, as cifs compounds a stat */
	enter(1, 5, QUERY_INFO, 11);
	enter(1, 5, CLOSE, 12);
	usleep(5000);
	enter(1, 5, CREATE, 13); /* the thread's next request, later */
	err(1, 5, CREATE, 10, ST_NAME_NOT_FOUND, -ENOENT);
	ck_assert(!has_start(5, 11) && !has_start(5, 12));
	ck_assert(has_start(5, 13));
	ck_assert_uint_eq(counter(AOD_CNT_FLUSHED), 2);
	/* a success drops nothing */
	enter(1, 5, CREATE, 20);
	enter(1, 5, CLOSE, 21);
	done(1, 5, CREATE, 20);
	ck_assert(has_start(5, 21));
	/* normal-flow failures end a compound too */
	enter(1, 5, CREATE, 30);
	enter(1, 5, QUERY_DIRECTORY, 31);
	enter(1, 5, CLOSE, 32);
	done(1, 5, CREATE, 30);
	err(1, 5, QUERY_DIRECTORY, 31, AOD_STATUS_NO_MORE_FILES, -ENODATA);
	ck_assert(!has_start(5, 32));
	ck_assert_uint_eq(counter(AOD_CNT_FLUSHED), 3);
}
END_TEST

static void *err_from_other_thread(void *arg)
{
	(void)arg;
	err(1, 5, CREATE, 40, ST_NAME_NOT_FOUND, -ENOENT);
	return NULL;
}

START_TEST(an_async_failure_drops_nothing)
{
	pthread_t t;

	/* async responses fail in cifsd's context, not the issuer's */
	enter(1, 5, READ, 40);
	enter(1, 5, READ, 41);
	ck_assert_int_eq(pthread_create(&t, NULL, err_from_other_thread, NULL), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert(!has_start(5, 40));
	ck_assert(has_start(5, 41));
	ck_assert_uint_eq(counter(AOD_CNT_FLUSHED), 0);
}
END_TEST

START_TEST(a_full_ring_counts_its_drops)
{
	const unsigned n = 20000; /* the ring holds 1 MiB: about 14500 records */

	config(0, 0, AOD_CFG_ERRORS);
	for (unsigned i = 0; i < n; i++)
		err(1, 5, CREATE, i, ST_ACCESS_DENIED, -EACCES);
	ck_assert_uint_gt(counter(AOD_CNT_RB_DROPPED), 0);
	ck_assert_uint_eq(counter(AOD_CNT_EMITTED) + counter(AOD_CNT_RB_DROPPED), n);
	/* draining makes room again */
	ck_assert_int_eq(ring_buffer__consume(L.rb), (int)counter(AOD_CNT_EMITTED));
	err(1, 5, CREATE, n, ST_ACCESS_DENIED, -EACCES);
	ck_assert_uint_eq(counter(AOD_CNT_EMITTED) + counter(AOD_CNT_RB_DROPPED), n + 1);
	ck_assert_uint_eq(counter(AOD_CNT_RB_DROPPED), n - (counter(AOD_CNT_EMITTED) - 1));
}
END_TEST

START_TEST(a_reconnect_flushes_only_requests_old_enough_to_be_its_orphans)
{
	enter(1, 5, READ, 1);
	usleep(30000);
	enter(1, 7, READ, 2); /* another connection's, in flight across the reconnect */
	reconnect();
	drain();
	enter(1, 6, READ, 1);

	/* what the loader does on the reconnect record, with a 20 ms grace */
	struct starts_scan t = { .gen = 1, .stuck_after_ns = UINT64_MAX, .delete_older_after_ns = 20 * MS };
	ck_assert_int_eq(starts_scan(bpf_map__fd(L.skel->maps.aod_starts), &t), 0);
	ck_assert_uint_eq(t.present, 3);
	ck_assert_uint_eq(t.older_gen, 2);
	ck_assert_uint_eq(t.deleted, 1);
	ck_assert_uint_eq(t.inflight, 1); /* older-generation entries are not in flight */
	ck_assert(!has_start(5, 1));
	ck_assert(has_start(7, 2) && has_start(6, 1));
	/* the young one of another connection still gets its latency */
	done(1, 7, READ, 2);
	ck_assert_uint_eq(drain(), 1);
	ck_assert_uint_ge(L.ev[0].latency_ns, 1);
	/* a flushed request that completes after all has no start */
	done(1, 5, READ, 1);
	ck_assert_uint_eq(counter(AOD_CNT_UNMATCHED), 1);
	ck_assert_uint_eq(counter(AOD_CNT_MATCHED), 1);
	/* a walk without a grace deletes nothing */
	t = (struct starts_scan){ .gen = 0, .stuck_after_ns = UINT64_MAX };
	ck_assert_int_eq(starts_scan(bpf_map__fd(L.skel->maps.aod_starts), &t), 0);
	ck_assert_uint_eq(t.deleted, 0);
	ck_assert(has_start(6, 1));
}
END_TEST

START_TEST(stuck_requests_are_told_from_fresh_ones)
{
	enter(1, 5, READ, 1);
	usleep(20000);
	enter(1, 5, READ, 2);

	struct starts_scan t = { .gen = 0, .stuck_after_ns = 10 * MS };
	ck_assert_int_eq(starts_scan(bpf_map__fd(L.skel->maps.aod_starts), &t), 0);
	ck_assert_uint_eq(t.inflight, 2);
	ck_assert_uint_eq(t.stuck, 1);
	ck_assert_uint_ge(t.oldest_ns, 20 * MS);
	ck_assert_uint_eq(t.deleted, 0);
}
END_TEST

START_TEST(a_full_start_map_counts_its_evictions)
{
	const unsigned n = 20000; /* the map holds 16384 start entries */
	uint64_t c[AOD_CNT_NR];

	for (unsigned i = 0; i < n; i++)
		enter(1, 5, READ, i);
	done(1, 5, READ, n - 1); /* the newest is never the one evicted */

	uint64_t starts = counter(AOD_CNT_STARTS);
	struct starts_scan t = { .stuck_after_ns = UINT64_MAX };
	ck_assert_int_eq(starts_scan(bpf_map__fd(L.skel->maps.aod_starts), &t), 0);
	for (int k = 0; k < AOD_CNT_NR; k++)
		c[k] = counter((enum aod_probe_counter)k);
	ck_assert_uint_eq(starts, n);
	ck_assert_uint_eq(c[AOD_CNT_MATCHED], 1);
	ck_assert_uint_le(t.present, 16384);
	ck_assert_uint_ge(starts_evicted(starts, c, t.present), n - 16384);
	ck_assert_uint_eq(starts_evicted(starts, c, t.present) + t.present + 1, n);
	/* the arithmetic: 10 stored, 6 matched, 1 replaced, 1 flushed */
	c[AOD_CNT_MATCHED] = 6;
	c[AOD_CNT_REPLACED] = 1;
	c[AOD_CNT_FLUSHED] = 1;
	ck_assert_uint_eq(starts_evicted(10, c, 2), 0);
	ck_assert_uint_eq(starts_evicted(10, c, 1), 1);
	/* a start between the two readings is in the walk but not in the
	 * starts read before it: the figure can only come out lower */
	ck_assert_uint_eq(starts_evicted(10, c, 3), 0);
}
END_TEST

START_TEST(an_operation_error_the_response_reported_is_not_repeated)
{
	enter(3, 9, CREATE, 9);
	err(3, 9, CREATE, 9, ST_ACCESS_DENIED, -EACCES);
	op_err(CREATE, 3, 9, -EACCES); /* SMB2_open's own trace of the same failure */
	ck_assert_uint_eq(drain(), 2);
	ck_assert_int_eq(L.ev[0].kind, AOD_EV_LATENCY);
	ck_assert_int_eq(L.ev[1].kind, AOD_EV_ERROR);
	ck_assert_uint_eq(L.ev[1].nt_status, ST_ACCESS_DENIED);
	ck_assert_uint_eq(counter(AOD_CNT_OP_ERR_SAME), 1);
	/* one response answers for one operation error: a second is new */
	op_err(CREATE, 3, 9, -EACCES);
	ck_assert_uint_eq(drain(), 3);
	ck_assert_int_eq(L.ev[2].kind, AOD_EV_ERROR);
	ck_assert_uint_eq(counter(AOD_CNT_OP_ERR_SAME), 1);
}
END_TEST

START_TEST(an_operation_error_without_a_response_is_reported)
{
	op_err(READ, 7, 11, -EAGAIN); /* the connection dropped: no smb3_cmd_err */
	ck_assert_uint_eq(drain(), 1);
	ck_assert_int_eq(L.ev[0].kind, AOD_EV_ERROR);
	ck_assert_int_eq(L.ev[0].command, READ);
	ck_assert_int_eq(L.ev[0].err, EAGAIN);
	ck_assert_uint_eq(L.ev[0].nt_status, 0);
	ck_assert_uint_eq(L.ev[0].latency_ns, 0);
	ck_assert_uint_eq(L.ev[0].session_id, 11);
	ck_assert_uint_eq(L.ev[0].tree_id, 7);
	ck_assert_uint_eq(L.ev[0].message_id, 0);
	ck_assert_uint_eq(L.ev[0].pid, (unsigned)getpid());
	ck_assert_str_eq(L.ev[0].comm, L.comm);
	/* another errno, or another session, than the response's is another failure */
	err(3, 9, CREATE, 20, ST_NAME_NOT_FOUND, -ENOENT);
	op_err(CREATE, 3, 9, -ERESTARTSYS_ABI);
	err(3, 9, CREATE, 21, ST_NAME_NOT_FOUND, -ENOENT);
	op_err(CREATE, 3, 10, -ENOENT);
	ck_assert_uint_eq(drain(), 5);
	ck_assert_int_eq(L.ev[2].kind, AOD_EV_ERROR);
	ck_assert_int_eq(L.ev[2].err, ERESTARTSYS_ABI); /* an interrupted wait */
	ck_assert_uint_eq(L.ev[4].session_id, 10);
	/* ... or another command */
	err(3, 9, CREATE, 22, ST_ACCESS_DENIED, -EACCES);
	op_err(READ, 3, 9, -EACCES);
	ck_assert_uint_eq(drain(), 7);
	ck_assert_int_eq(L.ev[6].command, READ);
	ck_assert_uint_eq(counter(AOD_CNT_OP_ERR_SAME), 0);
}
END_TEST

START_TEST(a_compound_error_is_the_same_failure_as_any_member_s_response)
{
	/* a lookup: CREATE fine, QUERY_INFO denied, then the compound's trace */
	err(3, 9, QUERY_INFO, 40, ST_ACCESS_DENIED, -EACCES);
	op_err_any(CREATE, 3, 9, -EACCES, 1);
	ck_assert_uint_eq(drain(), 1);
	ck_assert_uint_eq(counter(AOD_CNT_OP_ERR_SAME), 1);
	/* 6.1's compound events swap the session and tree ids */
	err(3, 9, CREATE, 41, ST_NAME_NOT_FOUND, -ENOENT);
	op_err_any(CREATE, 9, 3, -ENOENT, 1);
	ck_assert_uint_eq(drain(), 2);
	ck_assert_uint_eq(counter(AOD_CNT_OP_ERR_SAME), 2);
	/* a dropped compound: nothing answered, reported as its CREATE */
	op_err_any(CREATE, 3, 9, -EAGAIN, 1);
	ck_assert_uint_eq(drain(), 3);
	ck_assert_int_eq(L.ev[2].command, CREATE);
	ck_assert_int_eq(L.ev[2].err, EAGAIN);
	ck_assert_uint_eq(L.ev[2].nt_status, 0);
}
END_TEST

START_TEST(a_response_answers_for_an_operation_error_for_one_second_only)
{
	err(3, 9, CREATE, 30, ST_ACCESS_DENIED, -EACCES);
	usleep(1100000); /* AOD_OP_ERR_SAME_NS */
	op_err(CREATE, 3, 9, -EACCES);
	ck_assert_uint_eq(drain(), 2);
	ck_assert_uint_eq(L.ev[1].nt_status, 0);
	ck_assert_uint_eq(counter(AOD_CNT_OP_ERR_SAME), 0);
}
END_TEST

START_TEST(operation_errors_follow_the_error_tool)
{
	config(0, 0, AOD_CFG_LATENCY);
	op_err(READ, 7, 11, -EIO);
	ck_assert_uint_eq(drain(), 0);
	config(0, 0, AOD_CFG_ERRORS);
	op_err(READ, 7, 11, 0); /* not a failure */
	op_err(0x13, 7, 11, -EIO); /* not an SMB2 command */
	ck_assert_uint_eq(drain(), 0);
	op_err(WRITE, 7, 11, -EIO);
	ck_assert_uint_eq(drain(), 1);
}
END_TEST

/* ---- in-kernel metrics ------------------------------------------------------ */

static void metrics_read(struct probes_metrics *m)
{
	ck_assert_int_eq(histmaps_read(bpf_map__fd(L.skel->maps.aod_hist), bpf_map__fd(L.skel->maps.aod_errs),
				       bpf_map__fd(L.skel->maps.aod_metrics_overflow), m), 0);
}

static const struct probes_hist *hist_of(const struct probes_metrics *m, uint64_t ses, uint32_t tid, uint16_t cmd)
{
	for (size_t i = 0; i < m->n_hist; i++)
		if (m->hist[i].session_id == ses && m->hist[i].tree_id == tid && m->hist[i].command == cmd)
			return &m->hist[i];
	return NULL;
}

static uint64_t hist_count(const struct probes_hist *h)
{
	uint64_t n = 0;

	for (int i = 0; i < PROBES_HIST_SLOTS; i++)
		n += h->slots[i];
	return n;
}

START_TEST(every_request_lands_in_the_histogram_whatever_the_filters)
{
	struct probes_metrics m;
	const struct probes_hist *h;
	int lo = 0;

	/* READ excluded from every anomaly, CREATE below the threshold */
	config(30 * MS, 1u << READ, AOD_CFG_LATENCY | AOD_CFG_ERRORS | AOD_CFG_METRICS);
	for (int i = 0; i < 2; i++) {
		enter(7, 0x1111, READ, 10 + i);
		usleep(2100); /* 2100 us and more: slot 11 (2048..4095 us) or above */
		done(0x99, 0x1111, READ, 10 + i); /* async response: the request's tree counts */
	}
	enter(8, 0x1111, CREATE, 20);
	done(8, 0x1111, CREATE, 20);
	ck_assert_uint_eq(drain(), 0); /* no anomaly event for any of them */
	metrics_read(&m);
	ck_assert_uint_eq(m.n_hist, 2);
	h = hist_of(&m, 0x1111, 7, READ);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(hist_count(h), 2);
	while (lo < PROBES_HIST_SLOTS && !h->slots[lo])
		lo++;
	ck_assert_int_ge(lo, 11);
	ck_assert_uint_ge(h->sum_us, 4200);
	h = hist_of(&m, 0x1111, 8, CREATE);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(hist_count(h), 1);
	ck_assert_uint_lt(h->sum_us, 1000000);
	ck_assert_uint_eq(m.overflow_hist + m.overflow_errs, 0);
	probes_metrics_free(&m);
}
END_TEST

START_TEST(errors_are_counted_by_errno_and_status_without_protocol_flow)
{
	struct probes_metrics m;
	unsigned denied = 0, flow = 0, nostart = 0;

	config(UINT64_MAX, 0, AOD_CFG_METRICS); /* metrics alone: no anomaly tool on */
	for (int i = 0; i < 3; i++) {
		enter(7, 0x22, CREATE, 30 + i);
		err(7, 0x22, CREATE, 30 + i, ST_ACCESS_DENIED, -EACCES);
	}
	enter(7, 0x22, QUERY_DIRECTORY, 40);
	err(7, 0x22, QUERY_DIRECTORY, 40, AOD_STATUS_NO_MORE_FILES, -ENODATA);
	err(9, 0x22, CREATE, 41, ST_NAME_NOT_FOUND, -ENOENT); /* start not seen */
	ck_assert_uint_eq(drain(), 0);
	metrics_read(&m);
	for (size_t i = 0; i < m.n_errs; i++) {
		const struct probes_errs *e = &m.errs[i];
		if (e->nt_status == ST_ACCESS_DENIED && e->err == EACCES && e->tree_id == 7 && e->command == CREATE)
			denied += (unsigned)e->count;
		else if (e->nt_status == AOD_STATUS_NO_MORE_FILES)
			flow += (unsigned)e->count;
		else if (e->nt_status == ST_NAME_NOT_FOUND && e->err == ENOENT && e->tree_id == 9)
			nostart += (unsigned)e->count;
	}
	ck_assert_uint_eq(m.n_errs, 2);
	ck_assert_uint_eq(denied, 3);
	ck_assert_uint_eq(flow, 0);
	ck_assert_uint_eq(nostart, 1);
	/* the failed requests' latencies count too (the flow one included) */
	ck_assert_uint_eq(hist_count(hist_of(&m, 0x22, 7, CREATE)), 3);
	ck_assert_uint_eq(hist_count(hist_of(&m, 0x22, 7, QUERY_DIRECTORY)), 1);
	probes_metrics_free(&m);
}
END_TEST

START_TEST(full_metrics_maps_count_what_did_not_fit)
{
	struct probes_metrics m;
	uint64_t total = 0;

	config(UINT64_MAX, 0, AOD_CFG_METRICS);
	for (unsigned i = 0; i < AOD_HIST_KEYS + 5; i++) {
		enter(1, 0x1000 + i, READ, i);
		done(1, 0x1000 + i, READ, i);
	}
	for (unsigned i = 0; i < AOD_ERR_KEYS + 3; i++)
		err(1, 0x1000, WRITE, i, 0xd0000000u + i, -EIO); /* none a flow status */
	metrics_read(&m);
	ck_assert_uint_eq(m.n_hist, AOD_HIST_KEYS);
	ck_assert_uint_eq(m.overflow_hist, 5);
	ck_assert_uint_eq(m.n_errs, AOD_ERR_KEYS);
	ck_assert_uint_eq(m.overflow_errs, 3);
	for (size_t i = 0; i < m.n_hist; i++)
		total += hist_count(&m.hist[i]);
	ck_assert_uint_eq(total, AOD_HIST_KEYS);
	probes_metrics_free(&m);
}
END_TEST

START_TEST(metrics_off_keep_nothing_and_filtered_commands_store_no_start)
{
	struct probes_metrics m;

	config(0, 1u << READ, AOD_CFG_LATENCY | AOD_CFG_ERRORS);
	enter(7, 0x33, READ, 1);
	done(7, 0x33, READ, 1);
	enter(7, 0x33, CREATE, 2);
	err(7, 0x33, CREATE, 2, ST_ACCESS_DENIED, -EACCES);
	ck_assert_uint_eq(counter(AOD_CNT_STARTS), 1);
	metrics_read(&m);
	ck_assert_uint_eq(m.n_hist + m.n_errs, 0);
	probes_metrics_free(&m);
}
END_TEST


static Suite *bpf_suite(void)
{
	Suite *s = suite_create("probes_bpf");
	TCase *loader = tcase_create("loader");
	TCase *verifier = tcase_create("verifier");
	TCase *logic = tcase_create("logic");

	tcase_add_test(loader, loader_opens_and_waits_for_cifs);
	tcase_add_test(loader, loader_takes_updates_and_refuses_bad_options);
	tcase_add_test(verifier, classic_programs_pass_the_verifier);
	tcase_set_timeout(verifier, 60);
	tcase_add_checked_fixture(logic, logic_setup, logic_teardown);
	tcase_add_test(logic, completion_emits_the_request_with_its_latency);
	tcase_add_test(logic, session_setup_matches_under_session_zero);
	tcase_add_test(logic, minimum_latency_keeps_fast_requests_out);
	tcase_add_test(logic, filtered_commands_store_and_emit_nothing);
	tcase_add_test(logic, error_carries_status_errno_and_latency);
	tcase_add_test(logic, normal_flow_statuses_are_not_errors);
	tcase_add_test(logic, error_without_start_is_still_reported);
	tcase_add_test(logic, each_tool_can_be_off);
	tcase_add_test(logic, odd_values_from_the_kernel);
	tcase_add_test(logic, reconnect_starts_a_new_generation);
	tcase_add_test(logic, a_stale_start_is_replaced);
	tcase_add_test(logic, a_failed_compound_drops_its_unsent_rest);
	tcase_add_test(logic, an_async_failure_drops_nothing);
	tcase_add_test(logic, a_full_ring_counts_its_drops);
	tcase_add_test(logic, a_reconnect_flushes_only_requests_old_enough_to_be_its_orphans);
	tcase_add_test(logic, stuck_requests_are_told_from_fresh_ones);
	tcase_add_test(logic, a_full_start_map_counts_its_evictions);
	tcase_add_test(logic, an_operation_error_the_response_reported_is_not_repeated);
	tcase_add_test(logic, an_operation_error_without_a_response_is_reported);
	tcase_add_test(logic, a_response_answers_for_an_operation_error_for_one_second_only);
	tcase_add_test(logic, a_compound_error_is_the_same_failure_as_any_member_s_response);
	tcase_add_test(logic, operation_errors_follow_the_error_tool);
	tcase_add_test(logic, every_request_lands_in_the_histogram_whatever_the_filters);
	tcase_add_test(logic, errors_are_counted_by_errno_and_status_without_protocol_flow);
	tcase_add_test(logic, full_metrics_maps_count_what_did_not_fit);
	tcase_add_test(logic, metrics_off_keep_nothing_and_filtered_commands_store_no_start);
	tcase_set_timeout(logic, 60);
	suite_add_tcase(s, loader);
	suite_add_tcase(s, verifier);
	suite_add_tcase(s, logic);
	return s;
}

/* Skips (a TAP skip plan, exit 0) only when BPF is truly unavailable here. */
static void require_bpf(void)
{
	struct logic_test *probe;

	if (geteuid() != 0) {
		printf("1..0 # SKIP loading BPF needs root\n");
		exit(0); /* TAP skip: meson counts exit 77 as an error */
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		printf("1..0 # SKIP the kernel has no BTF (/sys/kernel/btf/vmlinux)\n");
		exit(0); /* TAP skip: meson counts exit 77 as an error */
	}
	libbpf_set_print(quiet_libbpf);
	probe = logic_test__open_and_load();
	if (!probe && (errno == EPERM || errno == ENOSYS)) {
		printf("1..0 # SKIP the kernel refuses bpf(): %s\n", strerror(errno));
		exit(0); /* TAP skip: meson counts exit 77 as an error */
	}
	logic_test__destroy(probe);
}

int main(void)
{
	SRunner *sr;
	int failed;

	require_bpf();
	sr = srunner_create(bpf_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
