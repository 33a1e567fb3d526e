// SPDX-License-Identifier: GPL-2.0-only
/*
 * collectord's supervisor protocol, with collectord in a child process on a
 * socketpair: CONFIG first (a bad one: CONFIG_ACK < 0 and exit 78), READY,
 * ANOMALY -> COLLECTION_DONE, STATS, reload (kept on failure), SHUTDOWN with
 * a deadline -> DRAINED and exit 0 with helpers killed, EOF and malformed
 * messages -> exit 1.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "col_util.h"
#include "peer.h"
#include "proto.h"
#include "worker.h"

static struct harness H;
static struct peer P;

static int run_collectord(int sock, void *arg)
{
	(void)arg;
	struct qa_env env = { .bin_path = H.bin, .root = H.root };
	return collectord_run(sock, &env);
}

static void setup(void)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	h_init(&H, "dmesg");
	h_file(&H, "/proc/mounts", "//s/x /mnt/x cifs rw 0 0\n");
	h_file(&H, "/proc/self/mountinfo", "1 2 0:1 / /mnt/x rw - cifs //s/x rw\n");
	memset(&P, 0, sizeof(P));
	P.sock = -1;
}

static void teardown(void)
{
	peer_stop(&P);
	h_fini(&H);
}

static void send_config(const char *out, const char *actions, const char *extra)
{
	char yaml[2048];
	int n = snprintf(yaml, sizeof(yaml),
			 "aod_output_dir: %s\n"
			 "guardian:\n  anomalies:\n    latency:\n      type: Latency\n"
			 "      tool: smbslower\n      actions: [%s]\n"
			 "watcher:\n  actions: [dmesg, mounts, tcpdump]\n"
			 "  flight_recorder: {events: false, snapshots: false, cifs_trace: false, packets: false}\n"
			 "  action_timeout_sec: 20\n%s",
			 out, actions, extra ? extra : "");
	peer_send(&P, PROTO_CONFIG, yaml, (size_t)n);
}

static void start_ready(const char *actions)
{
	peer_start(&P, run_collectord, NULL);
	send_config(H.out, actions, NULL);
	ck_assert_uint_eq(peer_expect(&P, PROTO_READY, 5000)->len, 0);
}

static void send_anomaly(uint64_t ts)
{
	struct proto_anomaly a = h_anomaly("latency", PROTO_ANOMALY_LATENCY, ts);
	peer_send(&P, PROTO_ANOMALY, &a, sizeof(a));
}

static struct proto_collection_done expect_done(int timeout_ms)
{
	struct proto_collection_done d;
	const struct msg *m = peer_expect(&P, PROTO_COLLECTION_DONE, timeout_ms);
	memcpy(&d, m->body, sizeof(d));
	return d;
}

START_TEST(collects_reports_and_drains)
{
	h_program(&H, "dmesg", "echo kernel log\n");
	start_ready("dmesg, mounts");
	send_anomaly(5);
	struct proto_collection_done d = expect_done(5000);
	ck_assert_str_eq(d.dir, "aod_5");
	ck_assert_int_eq(d.status, 0);
	ck_assert_uint_eq(d.actions_ok, 2);
	ck_assert_uint_eq(d.actions_failed, 0);
	char *out = h_unzstd(&H, "aod_5", "dmesg.txt.zst", NULL);
	ck_assert_str_eq(out, "kernel log\n");
	free(out);

	peer_send(&P, PROTO_STATS_REQ, NULL, 0);
	struct proto_stats_collector st;
	memcpy(&st, peer_expect(&P, PROTO_STATS_COLLECTOR, 2000)->body, sizeof(st));
	ck_assert_uint_eq(st.received, 1);
	ck_assert_uint_eq(st.done, 1);
	ck_assert_uint_eq(st.running, 0);
	ck_assert_uint_eq(st.actions_run, 2);
	ck_assert_uint_eq(st.actions_failed, 0);

	uint32_t deadline = 1000;
	peer_send(&P, PROTO_SHUTDOWN, &deadline, sizeof(deadline));
	peer_expect(&P, PROTO_DRAINED, 2000);
	ck_assert_int_eq(peer_wait(&P, 2000), 0);
}
END_TEST

START_TEST(unusable_first_config_exits_78)
{
	peer_start(&P, run_collectord, NULL);
	peer_send(&P, PROTO_CONFIG, "watcher: [", 10);
	const struct msg *m = peer_expect(&P, PROTO_CONFIG_ACK, 5000);
	struct proto_config_ack ack;
	memcpy(&ack, m->body, sizeof(ack));
	ck_assert_int_lt(ack.status, 0);
	ck_assert_uint_gt(strlen(ack.reason), 0);
	ck_assert_int_eq(peer_wait(&P, 2000), 78);
}
END_TEST

START_TEST(unknown_action_exits_78)
{
	/* Valid YAML, but an action collectord does not implement. */
	peer_start(&P, run_collectord, NULL);
	char yaml[512];
	int n = snprintf(yaml, sizeof(yaml),
			 "aod_output_dir: %s\nwatcher:\n  actions: [dmesg, rm_rf]\n", H.out);
	peer_send(&P, PROTO_CONFIG, yaml, (size_t)n);
	const struct msg *m = peer_expect(&P, PROTO_CONFIG_ACK, 5000);
	struct proto_config_ack ack;
	memcpy(&ack, m->body, sizeof(ack));
	ck_assert_int_eq(ack.status, -EINVAL);
	ck_assert_ptr_nonnull(strstr(ack.reason, "rm_rf"));
	ck_assert_int_eq(peer_wait(&P, 2000), 78);
}
END_TEST

START_TEST(reload_applies_or_keeps_old)
{
	h_program(&H, "dmesg", "echo x\n");
	start_ready("dmesg");
	char other[512];
	snprintf(other, sizeof(other), "%s/other", H.top);
	send_config(other, "dmesg", NULL);
	struct proto_config_ack ack;
	memcpy(&ack, peer_expect(&P, PROTO_CONFIG_ACK, 2000)->body, sizeof(ack));
	ck_assert_int_eq(ack.status, 0);
	peer_send(&P, PROTO_CONFIG, "not: [valid", 11);
	memcpy(&ack, peer_expect(&P, PROTO_CONFIG_ACK, 2000)->body, sizeof(ack));
	ck_assert_int_lt(ack.status, 0);
	/* The reloaded config (new output dir) is the one in use. */
	send_anomaly(6);
	ck_assert_int_eq(expect_done(5000).status, 0);
	char path[600];
	snprintf(path, sizeof(path), "%s/aod_6/manifest.json", other);
	ck_assert_int_eq(access(path, F_OK), 0);
}
END_TEST

START_TEST(shutdown_deadline_kills_helpers)
{
	char body[512];
	snprintf(body, sizeof(body), "echo $$ > %s/gpid\nexec sleep 1000\n", H.top);
	h_program(&H, "dmesg", body);
	start_ready("dmesg");
	send_anomaly(7);
	usleep(300 * 1000);
	uint32_t deadline = 500;
	uint64_t t0 = now_ms();
	peer_send(&P, PROTO_SHUTDOWN, &deadline, sizeof(deadline));
	struct proto_collection_done d = expect_done(3000);
	ck_assert_str_eq(d.dir, "aod_7");
	ck_assert_uint_eq(d.actions_failed, 1);
	peer_expect(&P, PROTO_DRAINED, 3000);
	ck_assert_int_eq(peer_wait(&P, 2000), 0);
	uint64_t took = now_ms() - t0;
	ck_assert_uint_ge(took, 450);
	ck_assert_uint_lt(took, 4000);
	char path[512];
	snprintf(path, sizeof(path), "%s/gpid", H.top);
	char *pid = read_file(path, NULL);
	ck_assert(pid_dead(atoi(pid)));
	free(pid);
}
END_TEST

START_TEST(eof_exits_1_and_kills_helpers)
{
	char body[512];
	snprintf(body, sizeof(body), "echo $$ > %s/gpid\nexec sleep 1000\n", H.top);
	h_program(&H, "dmesg", body);
	start_ready("dmesg");
	send_anomaly(8);
	usleep(300 * 1000);
	close(P.sock);
	P.sock = -1;
	ck_assert_int_eq(peer_wait(&P, 2000), 1);
	char path[512];
	snprintf(path, sizeof(path), "%s/gpid", H.top);
	char *pid = read_file(path, NULL);
	ck_assert_ptr_nonnull(pid);
	usleep(100 * 1000);
	ck_assert(pid_dead(atoi(pid)));
	free(pid);
}
END_TEST

START_TEST(malformed_messages_exit_1)
{
	/* A record that is not a message. */
	start_ready("dmesg");
	ck_assert_int_eq(send(P.sock, "garbage", 7, 0), 7);
	ck_assert_int_eq(peer_wait(&P, 2000), 1);
	peer_stop(&P);

	/* A message the supervisor never sends to collectord. */
	P.sock = -1;
	start_ready("dmesg");
	peer_send(&P, PROTO_READY, NULL, 0);
	ck_assert_int_eq(peer_wait(&P, 2000), 1);
	peer_stop(&P);

	/* An anomaly whose body fails validation. */
	start_ready("dmesg");
	struct proto_anomaly a = h_anomaly("latency", 99, 9);
	peer_send(&P, PROTO_ANOMALY, &a, sizeof(a));
	ck_assert_int_eq(peer_wait(&P, 2000), 1);
	peer_stop(&P);

	/* A truncated anomaly. */
	start_ready("dmesg");
	a = h_anomaly("latency", PROTO_ANOMALY_LATENCY, 9);
	peer_send(&P, PROTO_ANOMALY, &a, sizeof(a) - 8);
	ck_assert_int_eq(peer_wait(&P, 2000), 1);
}
END_TEST

START_TEST(unknown_anomaly_gets_failed_done)
{
	start_ready("dmesg");
	struct proto_anomaly a = h_anomaly("no_such", PROTO_ANOMALY_ERROR, 10);
	peer_send(&P, PROTO_ANOMALY, &a, sizeof(a));
	struct proto_collection_done d = expect_done(2000);
	ck_assert_int_eq(d.status, -ENOENT);
	ck_assert_str_eq(d.dir, "aod_10");
	/* and it keeps serving */
	peer_send(&P, PROTO_STATS_REQ, NULL, 0);
	struct proto_stats_collector st;
	memcpy(&st, peer_expect(&P, PROTO_STATS_COLLECTOR, 2000)->body, sizeof(st));
	ck_assert_uint_eq(st.failed, 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("collectord worker");
	TCase *tc = tcase_create("worker");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, collects_reports_and_drains);
	tcase_add_test(tc, unusable_first_config_exits_78);
	tcase_add_test(tc, unknown_action_exits_78);
	tcase_add_test(tc, reload_applies_or_keeps_old);
	tcase_add_test(tc, shutdown_deadline_kills_helpers);
	tcase_add_test(tc, eof_exits_1_and_kills_helpers);
	tcase_add_test(tc, malformed_messages_exit_1);
	tcase_add_test(tc, unknown_anomaly_gets_failed_done);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
