// SPDX-License-Identifier: GPL-2.0-only
/*
 * The real aodv2-detectord in a child process, as the supervisor runs it:
 * socketpair on fd 3, a ring this test creates on fds 4-6, --user nobody
 * (as root) or the current user. A recorded trace is produced into the ring
 * at maximum and at recorded speed and must yield exactly the expected
 * PROTO_ANOMALY messages; an emergency request must be reported well within
 * one interval; config refusal, reload, stats, shutdown, EOF and malformed
 * messages behave as the worker conventions say.
 */
#include <check.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aod_build.h"
#include "config.h"
#include "det_util.h"
#include "dproc.h"
#include "msg.h"
#include "proto.h"
#include "recording.h"
#include "ring.h"

static struct dproc C = { .sock = -1 };

#define mono_ns dproc_mono_ns
#define sleep_until dproc_sleep_until

static void child_start(void)
{
	int r = dproc_start(&C, 4096);

	ck_assert_msg(r == 0, "starting %s: %s", dproc_binary(), strerror(-r));
}

/* Exit status of the child (128 + signal when killed), -1 on timeout. */
static int child_wait(int timeout_ms)
{
	int r = dproc_wait(&C, timeout_ms);

	return r < 0 ? -1 : r;
}

static void child_stop(void)
{
	dproc_stop(&C);
}

static void send_msg(uint16_t type, const void *body, size_t len)
{
	ck_assert_int_eq(dproc_send(&C, type, body, len), 0);
}

/* The next message, or NULL when none came within timeout_ms. */
static const struct msg *recv_msg(int timeout_ms)
{
	int r = dproc_recv(&C, timeout_ms);

	if (r == 0)
		return NULL;
	ck_assert_msg(r == 1, "receiving from detectord: %s", strerror(-r));
	ck_assert_msg(proto_body_valid(C.m->type, C.m->body, C.m->len) ||
			      (C.m->type == PROTO_ANOMALY && proto_anomaly_valid(C.m->body, C.m->len)) ||
			      (C.m->type == PROTO_STATS_DETECTOR &&
			       proto_stats_detector_valid(C.m->body, C.m->len)),
		      "invalid body of message %u", C.m->type);
	return C.m;
}

static const struct msg *expect_msg(uint16_t type, int timeout_ms)
{
	const struct msg *m = recv_msg(timeout_ms);

	ck_assert_msg(m != NULL, "no %s within %d ms", proto_type_name(type), timeout_ms);
	ck_assert_msg(m->type == type, "got %s, wanted %s", proto_type_name(m->type),
		      proto_type_name(type));
	return m;
}

static const char trace_yaml[] =
	"watch_interval_sec: 1\n"
	"aod_output_dir: /var/tmp/aodv2-test\n"
	"guardian:\n"
	"  anomalies:\n"
	"    latency:\n"
	"      type: Latency\n"
	"      tool: smbslower\n"
	"      mode: all\n"
	"      acceptable_count: 10\n"
	"      default_threshold_ms: 20\n"
	"      emergency_threshold_ms: 1000\n"
	"      cooldown_sec: 2\n"
	"      track_commands:\n"
	"        - command: SMB2_WRITE\n"
	"          threshold: 50\n"
	"    error:\n"
	"      type: Error\n"
	"      tool: smbiosnoop\n"
	"      mode: trackonly\n"
	"      acceptable_count: 10\n"
	"      cooldown_sec: 1\n"
	"      track_codes: [EACCES, EAGAIN, EIO]\n";

static void start_ready(const char *yaml)
{
	child_start();
	send_msg(PROTO_CONFIG, yaml, strlen(yaml));
	expect_msg(PROTO_READY, 5000);
}

struct anomalies {
	struct proto_anomaly a[8];
	unsigned n;
};

/* Waits for a message of type `type`, keeping the anomalies that come first. */
static const struct msg *expect_after_anomalies(uint16_t type, struct anomalies *got,
						int timeout_ms)
{
	for (;;) {
		const struct msg *m = recv_msg(timeout_ms);
		ck_assert_msg(m != NULL, "no %s within %d ms", proto_type_name(type), timeout_ms);
		if (m->type == type)
			return m;
		ck_assert_msg(m->type == PROTO_ANOMALY, "got %s, wanted %s or ANOMALY",
			      proto_type_name(m->type), proto_type_name(type));
		ck_assert_uint_lt(got->n, 8);
		memcpy(&got->a[got->n++], m->body, sizeof(got->a[0]));
	}
}

static struct proto_stats_detector get_stats(struct anomalies *got)
{
	struct proto_stats_detector st;

	send_msg(PROTO_STATS_REQ, NULL, 0);
	memcpy(&st, expect_after_anomalies(PROTO_STATS_DETECTOR, got, 5000)->body, sizeof(st));
	return st;
}

static void wait_consumed(uint64_t n, int timeout_ms)
{
	struct ring_stats rs;
	uint64_t until = mono_ns() + (uint64_t)timeout_ms * MS;

	do {
		ring_get_stats(C.ring, &rs);
		if (rs.consumed >= n)
			return;
		sleep_until(mono_ns() + 2 * MS);
	} while (mono_ns() < until);
	ck_abort_msg("detectord consumed %llu of %llu events", (unsigned long long)rs.consumed,
		     (unsigned long long)n);
}

/* ---- the recorded trace ---------------------------------------------------- */

static size_t trace_load(struct aod_event *ev, size_t max)
{
	char path[4096];
	struct recording_reader *rd;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/test/detectord/traces/write_spike.csv", AOD_SOURCE_ROOT);
	ck_assert_int_eq(recording_open(path, NULL, NULL, &rd, NULL, 0), 0);
	while (n < max && recording_next(rd, &ev[n]) == 1)
		n++;
	ck_assert_uint_eq(recording_skipped(rd), 0);
	recording_close(rd);
	return n;
}

/* Produces the trace with ts_ns = base + recorded time (as the replay source
 * does), at recorded speed or as fast as the ring takes it. */
static void trace_produce(struct aod_event *ev, size_t n, uint64_t base, bool realtime)
{
	for (size_t i = 0; i < n;) {
		size_t k = 1;
		if (realtime) {
			sleep_until(base + ev[i].ts_ns);
		} else {
			k = n - i < 64 ? n - i : 64;
		}
		struct aod_event batch[64];
		for (size_t j = 0; j < k; j++) {
			batch[j] = ev[i + j];
			batch[j].ts_ns += base;
		}
		size_t done = 0;
		while (done < k) {
			done += ring_produce(C.ring, batch + done, k - done);
			if (done < k)
				ck_assert_int_ge(ring_wait_space(C.ring, 5000), 1);
		}
		i += k;
	}
}

struct want {
	const char *name;
	uint32_t type, emergency;
	uint64_t start_ms, end_ms, ts_ms; /* recorded time */
	uint64_t judged, violations;
};

/* What the trace must yield (see traces/write_spike.csv's generator in the
 * commit that added it): the WRITE spike in second 1; 10 violations in
 * second 2 are not more than acceptable_count; the error burst in second 3;
 * the 1.5 s READ at 4.21 s at once; in second 5 the WRITE spike is inside
 * the 2 s cooldown (suppressed) and the EIO burst is sent. */
static const struct want trace_want[] = {
	{ "latency", PROTO_ANOMALY_LATENCY, 0, 1000, 2000, 2000, 62, 12 },
	{ "error", PROTO_ANOMALY_ERROR, 0, 3000, 4000, 4000, 14, 11 },
	{ "latency", PROTO_ANOMALY_LATENCY, 1, 4000, 4210, 4210, 12, 1 },
	{ "error", PROTO_ANOMALY_ERROR, 0, 5000, 6000, 6000, 11, 11 },
};

static void check_anomaly(const struct proto_anomaly *a, const struct want *w, uint64_t base,
			  int64_t offset)
{
	uint64_t t0 = base + (uint64_t)offset; /* the trace's 0 on the wall clock */
	int64_t skew = (int64_t)(a->interval_start_ns - (t0 + w->start_ms * MS));

	ck_assert_str_eq(a->name, w->name);
	ck_assert_uint_eq(a->type, w->type);
	ck_assert_uint_eq(a->emergency, w->emergency);
	/* Both processes convert with their own CLOCK_REALTIME - CLOCK_MONOTONIC
	 * taken at start: equal up to clock reading jitter. */
	ck_assert_msg(skew > -(int64_t)(5 * MS) && skew < (int64_t)(5 * MS), "wall clock skew %lld ns",
		      (long long)skew);
	ck_assert_uint_eq(a->interval_end_ns - a->interval_start_ns, (w->end_ms - w->start_ms) * MS);
	ck_assert_uint_eq(a->timestamp_ns - a->interval_start_ns, (w->ts_ms - w->start_ms) * MS);
	ck_assert_uint_eq(a->events_judged, w->judged);
	ck_assert_uint_eq(a->violations, w->violations);
	ck_assert_uint_eq(a->acceptable_count, 10);
}

static void check_trace_summaries(const struct proto_anomaly *a)
{
	/* the WRITE spike: 60, 70, ... 170 ms */
	ck_assert_uint_eq(a[0].cmds[SMB2_WRITE].count, 12);
	ck_assert_uint_eq(a[0].cmds[SMB2_WRITE].p50_ns, 110 * MS);
	ck_assert_uint_eq(a[0].cmds[SMB2_WRITE].p99_ns, 170 * MS);
	ck_assert_uint_eq(a[0].cmds[SMB2_WRITE].max_ns, 170 * MS);
	ck_assert_uint_eq(a[0].cmds[SMB2_READ].count, 0);
	ck_assert_uint_eq(a[0].n_worst, PROTO_WORST);
	for (unsigned i = 0; i < PROTO_WORST; i++) {
		ck_assert_uint_eq(a[0].worst[i].latency_ns, (170 - 10 * i) * MS);
		ck_assert_uint_eq(a[0].worst[i].session_id, 0x2000 + 11 - i);
		ck_assert_uint_eq(a[0].worst[i].pid, 2000);
		ck_assert_str_eq(a[0].worst[i].comm, "dd");
		ck_assert_uint_eq(a[0].worst[i].command, SMB2_WRITE);
	}
	/* the error burst: 6 EIO, 5 EACCES on CREATE; ENOENT not tracked */
	ck_assert_uint_eq(a[1].cmds[SMB2_CREATE].count, 11);
	ck_assert_uint_eq(a[1].n_errnos, 2);
	ck_assert_int_eq(a[1].errnos[0].err, EIO);
	ck_assert_uint_eq(a[1].errnos[0].count, 6);
	ck_assert_int_eq(a[1].errnos[1].err, EACCES);
	ck_assert_uint_eq(a[1].errnos[1].count, 5);
	ck_assert_uint_eq(a[1].worst[0].nt_status, 0xC0000185u);
	/* the emergency */
	ck_assert_uint_eq(a[2].cmds[SMB2_READ].count, 1);
	ck_assert_uint_eq(a[2].cmds[SMB2_READ].max_ns, 1500 * MS);
	ck_assert_uint_eq(a[2].n_worst, 1);
	ck_assert_uint_eq(a[2].worst[0].session_id, 0x4242);
	ck_assert_str_eq(a[2].worst[0].comm, "backup");
	/* the second error burst: EIO on WRITE */
	ck_assert_uint_eq(a[3].n_errnos, 1);
	ck_assert_int_eq(a[3].errnos[0].err, EIO);
	ck_assert_uint_eq(a[3].cmds[SMB2_WRITE].count, 11);
}

static void trace_run(bool realtime)
{
	static struct aod_event ev[1024];
	struct anomalies got = { .n = 0 };
	size_t n = trace_load(ev, 1024);

	ck_assert_uint_eq(n, 360);
	start_ready(trace_yaml);
	int64_t offset = detect_clock_offset();
	/* At maximum speed the events are stamped well ahead of the clock, as
	 * a long recording replayed fast is: no window may close by the clock
	 * during the test, however loaded the machine. */
	uint64_t base = mono_ns() + (realtime ? 50 * MS : 120 * SEC);
	trace_produce(ev, n, base, realtime);
	wait_consumed(360, 5000);
	if (realtime) {
		/* Live, the last window closes by the clock (its end + 200 ms
		 * grace): its anomaly comes without a shutdown. */
		while (got.n < 4 && mono_ns() < base + 9 * SEC) {
			const struct msg *m = recv_msg(100);
			if (!m)
				continue;
			ck_assert_uint_eq(m->type, PROTO_ANOMALY);
			memcpy(&got.a[got.n++], m->body, sizeof(got.a[0]));
		}
		ck_assert_uint_eq(got.n, 4);
		ck_assert_uint_ge(mono_ns(), base + 6 * SEC + 200 * MS);
	}
	struct proto_stats_detector st = get_stats(&got);
	ck_assert_uint_eq(got.n, realtime ? 4 : 3);
	ck_assert_uint_eq(st.events_consumed, 360);
	ck_assert_uint_eq(st.late_events, 0);
	ck_assert_uint_eq(st.n_anomalies, 2);
	ck_assert_str_eq(st.anomalies[0].name, "latency");
	ck_assert_uint_eq(st.anomalies[0].judged, 335);
	ck_assert_uint_eq(st.anomalies[0].detected, realtime ? 3 : 2);
	ck_assert_uint_eq(st.anomalies[0].sent, 2);
	ck_assert_uint_eq(st.anomalies[0].suppressed, realtime ? 1 : 0);
	ck_assert_str_eq(st.anomalies[1].name, "error");
	ck_assert_uint_eq(st.anomalies[1].judged, 25);
	ck_assert_uint_eq(st.anomalies[1].sent, realtime ? 2 : 1);

	/* Shutdown closes the open window (at maximum speed, second 5's). */
	uint32_t deadline_ms = 5000;
	send_msg(PROTO_SHUTDOWN, &deadline_ms, sizeof(deadline_ms));
	expect_after_anomalies(PROTO_DRAINED, &got, 5000);
	ck_assert_int_eq(child_wait(5000), 0);

	ck_assert_uint_eq(got.n, sizeof(trace_want) / sizeof(trace_want[0]));
	for (unsigned i = 0; i < got.n; i++)
		check_anomaly(&got.a[i], &trace_want[i], base, offset);
	check_trace_summaries(got.a);
}

START_TEST(trace_max_speed)
{
	trace_run(false);
}
END_TEST

START_TEST(trace_recorded_speed)
{
	trace_run(true);
}
END_TEST

/* ---- a CSV recording with shares, judged by share ---------------------------- */

static const char scope_yaml[] =
	"watch_interval_sec: 1\n"
	"aod_output_dir: /var/tmp/aodv2-test\n"
	"guardian:\n"
	"  anomalies:\n"
	"    byshare:\n"
	"      type: Latency\n"
	"      scope: share\n"
	"      acceptable_count: 2\n"
	"      default_threshold_ms: 20\n"
	"      emergency_threshold_ms: 0\n"
	"      cooldown_sec: 0\n";

/* Share \\a\x: 6 fast reads; share \\b\y: 3 slow ones (over 2 on its own,
 * 3 of 9 for the host too): one anomaly, naming \\b\y; an event at 1.5 s
 * closes the window. The replay path: recording_next's share records go
 * into the ring before the events they name. */
START_TEST(csv_shares_replayed_are_judged_by_share)
{
	char path[] = "/tmp/aod-scope-XXXXXX";
	struct aod_event ev[64];
	struct recording_reader *rd;
	struct anomalies got = { 0 };
	size_t n = 0;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n", RECORDING_CSV_HEADER_SHARE);
	for (int i = 0; i < 9; i++)
		fprintf(f, "%d,latency,SMB2_READ,%d,,,7,%d,%d,1,%s,dd\n", 10000000 + i * 1000000,
			i % 3 == 2 ? 30000000 : 1000000, i % 3 == 2 ? 2 : 1, i,
			i % 3 == 2 ? "\\\\b\\y" : "\\\\a\\x");
	fprintf(f, "1500000000,latency,SMB2_READ,1000000,,,7,1,99,1,\\\\a\\x,dd\n");
	fclose(f);
	ck_assert_int_eq(recording_open(path, NULL, NULL, &rd, NULL, 0), 0);
	while (n < 64 && recording_next(rd, &ev[n]) == 1)
		n++;
	ck_assert_uint_eq(recording_skipped(rd), 0);
	recording_close(rd);
	unlink(path);
	ck_assert_uint_eq(n, 10 + 2 * 2); /* two shares, each a header and one text record */

	start_ready(scope_yaml);
	trace_produce(ev, n, mono_ns(), false);
	wait_consumed(n, 5000);
	get_stats(&got);
	ck_assert_uint_eq(got.n, 1);
	ck_assert_str_eq(got.a[0].share, "\\\\b\\y");
	ck_assert_str_eq(got.a[0].server, "b");
	ck_assert_uint_eq(got.a[0].scope, PROTO_SCOPE_SHARE);
	ck_assert_uint_eq(got.a[0].violations, 3);
	ck_assert_uint_eq(got.a[0].events_judged, 3);
	child_stop();
}
END_TEST

/* ---- the emergency path across processes ------------------------------------ */

static void produce1(struct aod_event e)
{
	ck_assert_uint_eq(ring_produce(C.ring, &e, 1), 1);
}

START_TEST(emergency_within_interval)
{
	struct proto_anomaly a;

	start_ready(trace_yaml); /* watch_interval_sec: 1 */
	uint64_t first = mono_ns();
	produce1(dt_lat(first, SMB2_READ, 5 * MS)); /* opens a window */
	sleep_until(first + 100 * MS);
	/* Slow, but not over the emergency bound: nothing until the window ends. */
	produce1(dt_lat(mono_ns(), SMB2_READ, 900 * MS));
	ck_assert_ptr_null(recv_msg(300));

	uint64_t t0 = mono_ns();
	produce1(dt_lat(t0, SMB2_WRITE, 1500 * MS));
	const struct msg *m = expect_msg(PROTO_ANOMALY, 1000);
	uint64_t t1 = mono_ns();
	memcpy(&a, m->body, sizeof(a));
	ck_assert_uint_eq(a.emergency, 1);
	ck_assert_uint_eq(a.worst[0].latency_ns, 1500 * MS);
	ck_assert_uint_eq(a.violations, 2);
	fprintf(stderr, "# emergency: produced -> PROTO_ANOMALY received in %.3f ms\n",
		(double)(t1 - t0) / 1e6);
	ck_assert_msg(t1 - t0 < 500 * MS, "emergency took %llu ms, more than half an interval",
		      (unsigned long long)((t1 - t0) / MS));
	ck_assert_msg(t1 < first + SEC, "emergency arrived after its window ended");
}
END_TEST

/* ---- reloads while events stream in ---------------------------------------- */

static const char reload_a[] =
	"watch_interval_sec: 0.05\n"
	"aod_output_dir: /var/tmp/aodv2-test\n"
	"guardian:\n  anomalies:\n    latency:\n      type: Latency\n"
	"      acceptable_count: 0\n      cooldown_sec: 0\n      emergency_threshold_ms: 0\n"
	"      default_threshold_ms: 20\n";
static const char reload_b[] =
	"watch_interval_sec: 0.05\n"
	"aod_output_dir: /var/tmp/aodv2-test\n"
	"guardian:\n  anomalies:\n    latency:\n      type: Latency\n"
	"      acceptable_count: 0\n      cooldown_sec: 0\n      emergency_threshold_ms: 0\n"
	"      default_threshold_ms: 30\n";

struct reload_tally {
	uint64_t judged, violations, anomalies, acks;
	bool drained;
};

static void reload_take(struct reload_tally *t, const struct msg *m)
{
	struct proto_anomaly a;
	struct proto_config_ack ack;

	switch (m->type) {
	case PROTO_ANOMALY:
		memcpy(&a, m->body, sizeof(a));
		t->judged += a.events_judged;
		t->violations += a.violations;
		t->anomalies++;
		break;
	case PROTO_CONFIG_ACK:
		memcpy(&ack, m->body, sizeof(ack));
		ck_assert_msg(ack.status == 0, "reload refused: %s", ack.reason);
		t->acks++;
		break;
	case PROTO_DRAINED:
		t->drained = true;
		break;
	default:
		ck_abort_msg("unexpected %s", proto_type_name(m->type));
	}
}

/* Reloads land between batches while the ring is never empty: every event
 * is judged exactly once (each is a violation under both configs, every
 * window is sent, so the windows' counts add up to what was produced). */
START_TEST(reload_under_load_judges_each_event_once)
{
	enum { N = 200000, CHUNK = 500, RELOAD_EVERY = 10000 };
	static struct aod_event batch[CHUNK];
	struct reload_tally t = { 0 };
	const struct msg *m;
	unsigned reloads = 0;

	start_ready(reload_a);
	/* Stamped ahead of the clock: windows close by events only. */
	uint64_t base = mono_ns() + 100 * SEC;
	for (unsigned i = 0; i < N; i += CHUNK) {
		for (unsigned j = 0; j < CHUNK; j++)
			batch[j] = dt_lat(base + (uint64_t)(i + j) * 10000u, SMB2_READ, 50 * MS);
		size_t done = 0;
		while (done < CHUNK) {
			done += ring_produce(C.ring, batch + done, CHUNK - done);
			while ((m = recv_msg(0)) != NULL)
				reload_take(&t, m);
			if (done < CHUNK)
				ring_wait_space(C.ring, 100);
		}
		if ((i + CHUNK) % RELOAD_EVERY == 0 && i + CHUNK < N) {
			const char *y = reloads++ % 2 ? reload_a : reload_b;
			send_msg(PROTO_CONFIG, y, strlen(y));
		}
	}
	wait_consumed(N, 20000);
	uint32_t deadline_ms = 5000;
	send_msg(PROTO_SHUTDOWN, &deadline_ms, sizeof(deadline_ms));
	while (!t.drained) {
		m = recv_msg(5000);
		ck_assert_msg(m != NULL, "no DRAINED");
		reload_take(&t, m);
	}
	ck_assert_int_eq(child_wait(5000), 0);
	ck_assert_uint_eq(reloads, N / RELOAD_EVERY - 1);
	ck_assert_uint_eq(t.acks, reloads);
	ck_assert_uint_eq(t.judged, N);
	ck_assert_uint_eq(t.violations, N);
	/* 2 s of event time in 50 ms windows: 40 (a reload keeps the open
	 * window and its counts, so none is cut short) */
	ck_assert_uint_eq(t.anomalies, 40);
}
END_TEST

/* ---- the worker conventions -------------------------------------------------- */

START_TEST(config_refused_exits_78)
{
	static const char bad[] = "watch_interval_sec: 0\n";
	struct proto_config_ack ack;

	child_start();
	send_msg(PROTO_CONFIG, bad, sizeof(bad) - 1);
	memcpy(&ack, expect_msg(PROTO_CONFIG_ACK, 5000)->body, sizeof(ack));
	ck_assert_int_lt(ack.status, 0);
	ck_assert_msg(strstr(ack.reason, "watch_interval_sec") != NULL, "reason: %s", ack.reason);
	ck_assert_int_eq(child_wait(5000), AOD_EX_CONFIG);
}
END_TEST

START_TEST(reload_applies_or_keeps)
{
	static const char strict[] =
		"watch_interval_sec: 1\n"
		"aod_output_dir: /var/tmp/aodv2-test\n"
		"guardian:\n  anomalies:\n    latency:\n      type: Latency\n"
		"      acceptable_count: 0\n      cooldown_sec: 0\n";
	static const char bad[] = "guardian:\n  anomalies:\n    latency:\n      type: Nonsense\n";
	struct proto_config_ack ack;
	struct anomalies got = { .n = 0 };

	start_ready(trace_yaml);
	uint64_t t = mono_ns();
	produce1(dt_lat(t, SMB2_READ, 30 * MS)); /* 1 violation: fine at acceptable 10 */
	wait_consumed(1, 2000);

	send_msg(PROTO_CONFIG, strict, sizeof(strict) - 1);
	memcpy(&ack, expect_msg(PROTO_CONFIG_ACK, 5000)->body, sizeof(ack));
	ck_assert_int_eq(ack.status, 0);
	send_msg(PROTO_CONFIG, bad, sizeof(bad) - 1);
	memcpy(&ack, expect_msg(PROTO_CONFIG_ACK, 5000)->body, sizeof(ack));
	ck_assert_int_lt(ack.status, 0);
	ck_assert_msg(ack.reason[0] != '\0', "a refused config needs a reason");

	/* Still running with the strict config: the window's one violation
	 * (judged before the reload) now exceeds acceptable_count 0. */
	struct proto_stats_detector st = get_stats(&got);
	ck_assert_uint_eq(st.n_anomalies, 1);
	ck_assert_uint_eq(st.anomalies[0].judged, 1);
	uint32_t deadline_ms = 2000;
	send_msg(PROTO_SHUTDOWN, &deadline_ms, sizeof(deadline_ms));
	expect_after_anomalies(PROTO_DRAINED, &got, 5000);
	ck_assert_int_eq(child_wait(5000), 0);
	ck_assert_uint_eq(got.n, 1);
	ck_assert_uint_eq(got.a[0].violations, 1);
	ck_assert_uint_eq(got.a[0].acceptable_count, 0);
}
END_TEST

START_TEST(eof_exits_1)
{
	start_ready(trace_yaml);
	close(C.sock);
	C.sock = -1;
	ck_assert_int_eq(child_wait(5000), 1);
}
END_TEST

START_TEST(malformed_message_exits_1)
{
	struct proto_anomaly a;
	uint16_t short_deadline = 5;

	start_ready(trace_yaml);
	memset(&a, 0, sizeof(a));
	switch (_i) {
	case 0: /* a type detectord never receives */
		send_msg(PROTO_ANOMALY, &a, sizeof(a));
		break;
	case 1: /* SHUTDOWN's body is a uint32_t */
		send_msg(PROTO_SHUTDOWN, &short_deadline, sizeof(short_deadline));
		break;
	default: /* STATS_REQ has no body */
		send_msg(PROTO_STATS_REQ, &a, 8);
		break;
	}
	ck_assert_int_eq(child_wait(5000), 1);
}
END_TEST

static unsigned long proc_field(pid_t pid, const char *key)
{
	char path[64], line[256];
	unsigned long v = ~0ul;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtoul(line + strlen(key), NULL, strcmp(key, "CapEff:") == 0 ? 16 : 10);
	fclose(f);
	return v;
}

START_TEST(runs_named_and_unprivileged)
{
	char path[64], comm[32] = "";
	FILE *f;

	start_ready(trace_yaml);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)C.pid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(comm, sizeof(comm), f));
	fclose(f);
	ck_assert_str_eq(comm, "aodv2-detectord\n");
	ck_assert_uint_eq(proc_field(C.pid, "CapEff:"), 0);
	ck_assert_uint_eq(proc_field(C.pid, "NoNewPrivs:"), 1);
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam("nobody");
		ck_assert_ptr_nonnull(pw);
		ck_assert_uint_eq(proc_field(C.pid, "Uid:"), pw->pw_uid);
	}
}
END_TEST

static Suite *proc_suite(void)
{
	Suite *s = suite_create("detectord-process");
	TCase *tc;

	tc = tcase_create("trace");
	tcase_add_checked_fixture(tc, NULL, child_stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, trace_max_speed);
	tcase_add_test(tc, trace_recorded_speed);
	tcase_add_test(tc, emergency_within_interval);
	tcase_add_test(tc, csv_shares_replayed_are_judged_by_share);
	tcase_add_test(tc, reload_under_load_judges_each_event_once);
	suite_add_tcase(s, tc);

	tc = tcase_create("protocol");
	tcase_add_checked_fixture(tc, NULL, child_stop);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, config_refused_exits_78);
	tcase_add_test(tc, reload_applies_or_keeps);
	tcase_add_test(tc, eof_exits_1);
	tcase_add_loop_test(tc, malformed_message_exits_1, 0, 3);
	tcase_add_test(tc, runs_named_and_unprivileged);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proc_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
