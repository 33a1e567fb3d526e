// SPDX-License-Identifier: GPL-2.0-only
/*
 * Body validators: a process acts on another process's bytes only after
 * these accept them, so each test breaks one promise at a time.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "proto.h"
#include <unistd.h>

static struct proto_anomaly good_anomaly(void)
{
	struct proto_anomaly a;

	memset(&a, 0, sizeof(a));
	strcpy(a.name, "slow_reads");
	a.type = PROTO_ANOMALY_LATENCY;
	a.emergency = 1;
	a.timestamp_ns = 1700000000000000000ull;
	a.interval_start_ns = a.timestamp_ns - 1000;
	a.interval_end_ns = a.timestamp_ns;
	a.n_errnos = 1;
	a.errnos[0].err = 5;
	a.errnos[0].count = 3;
	a.n_worst = 2;
	for (int i = 0; i < 2; i++) {
		a.worst[i].command = 8;
		strcpy(a.worst[i].comm, "dd");
	}
	return a;
}

START_TEST(test_str_valid)
{
	char s[4] = { 'a', 'b', 'c', 'd' };

	ck_assert(!proto_str_valid(s, sizeof(s)));
	s[3] = '\0';
	ck_assert(proto_str_valid(s, sizeof(s)));
	ck_assert(!proto_str_valid(s, 3)); /* the NUL must be inside the array */
	ck_assert(!proto_str_valid(NULL, 4));
}
END_TEST

START_TEST(test_anomaly)
{
	struct proto_anomaly a = good_anomaly(), b;

	ck_assert(proto_anomaly_valid(&a, sizeof(a)));
	ck_assert(proto_body_valid(PROTO_ANOMALY, &a, sizeof(a)));
	ck_assert(!proto_anomaly_valid(&a, sizeof(a) - 1));
	ck_assert(!proto_anomaly_valid(&a, sizeof(a) + 1));
	ck_assert(!proto_anomaly_valid(NULL, sizeof(a)));

	b = a;
	memset(b.name, 'x', sizeof(b.name));
	ck_assert(!proto_anomaly_valid(&b, sizeof(b)));
	b = a;
	b.type = 4;
	ck_assert(!proto_anomaly_valid(&b, sizeof(b)));
	b = a;
	b.emergency = 2;
	ck_assert(!proto_anomaly_valid(&b, sizeof(b)));
	b = a;
	b.interval_start_ns = b.interval_end_ns + 1;
	ck_assert(!proto_anomaly_valid(&b, sizeof(b)));
	b = a;
	b.n_errnos = PROTO_MAX_ERRNOS + 1;
	ck_assert(!proto_anomaly_valid(&b, sizeof(b)));
	b = a;
	b.n_errnos = 2; /* the second entry is empty */
	ck_assert(!proto_anomaly_valid(&b, sizeof(b)));
	b = a;
	b.n_worst = PROTO_WORST + 1;
	ck_assert(!proto_anomaly_valid(&b, sizeof(b)));
	b = a;
	memset(b.worst[1].comm, 'y', sizeof(b.worst[1].comm));
	ck_assert(!proto_anomaly_valid(&b, sizeof(b)));
	b.n_worst = 1; /* an unused entry is not looked at */
	ck_assert(proto_anomaly_valid(&b, sizeof(b)));
	b = a;
	b.worst[0].command = AOD_SMB2_NR_COMMANDS;
	ck_assert(!proto_anomaly_valid(&b, sizeof(b)));
}
END_TEST

START_TEST(test_stats_detector)
{
	struct proto_stats_detector *s = calloc(1, sizeof(*s));

	s->n_anomalies = 2;
	strcpy(s->anomalies[0].name, "a");
	strcpy(s->anomalies[1].name, "b");
	ck_assert(proto_stats_detector_valid(s, sizeof(*s)));
	ck_assert(!proto_stats_detector_valid(s, sizeof(*s) - 8));
	s->n_anomalies = PROTO_MAX_ANOMALIES + 1;
	ck_assert(!proto_stats_detector_valid(s, sizeof(*s)));
	s->n_anomalies = 2;
	memset(s->anomalies[1].name, 'z', PROTO_NAME_LEN);
	ck_assert(!proto_stats_detector_valid(s, sizeof(*s)));
	free(s);
}
END_TEST

START_TEST(test_fixed_size_stats)
{
	struct proto_stats_collector c = { .done = 1 };
	struct proto_stats_sweeper w = { .collections = 1 };

	ck_assert(proto_stats_collector_valid(&c, sizeof(c)));
	ck_assert(!proto_stats_collector_valid(&c, sizeof(c) - 1));
	ck_assert(proto_stats_sweeper_valid(&w, sizeof(w)));
	ck_assert(!proto_stats_sweeper_valid(&w, 0));
	ck_assert(!proto_body_valid(PROTO_STATS_SWEEPER, &c, sizeof(c)));
}
END_TEST

START_TEST(test_collection_done)
{
	struct proto_collection_done d = { .status = 0, .actions_ok = 3 };

	strcpy(d.dir, "aod_1700000000123456789");
	ck_assert(proto_collection_done_valid(&d, sizeof(d)));
	ck_assert(!proto_collection_done_valid(&d, sizeof(d) + 4));
	strcpy(d.dir, "../../etc");
	ck_assert(!proto_collection_done_valid(&d, sizeof(d)));
	strcpy(d.dir, "aod_12x");
	ck_assert(!proto_collection_done_valid(&d, sizeof(d)));
	strcpy(d.dir, "aod_");
	ck_assert(!proto_collection_done_valid(&d, sizeof(d)));
	d.dir[0] = '\0'; /* no folder: only for a failed collection */
	ck_assert(!proto_collection_done_valid(&d, sizeof(d)));
	d.status = -28;
	ck_assert(proto_collection_done_valid(&d, sizeof(d)));
	d.status = 5;
	strcpy(d.dir, "aod_1");
	ck_assert(!proto_collection_done_valid(&d, sizeof(d)));
	d.status = INT32_MIN; /* -status would overflow in strerror(-status) */
	ck_assert(!proto_collection_done_valid(&d, sizeof(d)));
	d.status = -4096;
	ck_assert(!proto_collection_done_valid(&d, sizeof(d)));
	d.status = -4095;
	ck_assert(proto_collection_done_valid(&d, sizeof(d)));
	d.status = 0;
	memset(d.dir, '1', sizeof(d.dir));
	memcpy(d.dir, "aod_", 4);
	ck_assert(!proto_collection_done_valid(&d, sizeof(d)));
}
END_TEST

START_TEST(test_config_ack)
{
	struct proto_config_ack a = { .status = -22 };

	strcpy(a.reason, "watch_interval_sec: must be at least 1");
	ck_assert(proto_config_ack_valid(&a, sizeof(a)));
	a.status = 1;
	ck_assert(!proto_config_ack_valid(&a, sizeof(a)));
	a.status = INT32_MIN;
	ck_assert(!proto_config_ack_valid(&a, sizeof(a)));
	a.status = 0;
	memset(a.reason, 'r', sizeof(a.reason));
	ck_assert(!proto_config_ack_valid(&a, sizeof(a)));
}
END_TEST

START_TEST(test_body_by_type)
{
	uint32_t deadline = 5000;
	uint8_t json = 1, bad_json = 2;
	char reply[sizeof(struct proto_ctl_reply) + 5] = { 0 };

	ck_assert(proto_body_valid(PROTO_READY, NULL, 0));
	ck_assert(!proto_body_valid(PROTO_READY, "x", 1));
	ck_assert(!proto_body_valid(PROTO_SWEEP_NOW, "x", 1));
	ck_assert(proto_body_valid(PROTO_SHUTDOWN, &deadline, sizeof(deadline)));
	ck_assert(!proto_body_valid(PROTO_SHUTDOWN, &deadline, 2));
	ck_assert(proto_body_valid(PROTO_CTL_STATUS, &json, 1));
	ck_assert(!proto_body_valid(PROTO_CTL_STATUS, &bad_json, 1));
	ck_assert(proto_body_valid(PROTO_CONFIG, "a: 1\n", 5));
	ck_assert(!proto_body_valid(PROTO_CONFIG, "a\0b", 3));
	ck_assert(proto_body_valid(PROTO_CTL_COLLECT, "slow_reads", 10));
	ck_assert(proto_body_valid(PROTO_CTL_COLLECT, NULL, 0));
	ck_assert(!proto_body_valid(PROTO_CTL_COLLECT, "a\0", 2));
	char long_name[PROTO_NAME_LEN];
	memset(long_name, 'n', sizeof(long_name));
	ck_assert(!proto_body_valid(PROTO_CTL_COLLECT, long_name, sizeof(long_name)));
	memcpy(reply + sizeof(struct proto_ctl_reply), "hello", 5);
	ck_assert(proto_body_valid(PROTO_CTL_REPLY, reply, sizeof(reply)));
	ck_assert(!proto_body_valid(PROTO_CTL_REPLY, reply, 4));
	reply[sizeof(reply) - 1] = '\0';
	ck_assert(!proto_body_valid(PROTO_CTL_REPLY, reply, sizeof(reply)));
	ck_assert(!proto_body_valid(999, NULL, 0));
	ck_assert_str_eq(proto_type_name(PROTO_ANOMALY), "ANOMALY");
	ck_assert_ptr_null(proto_type_name(999));
}
END_TEST

/* The checked receive both ends of the worker protocol use: only accepted,
 * well-formed messages come through; everything else says why. */
START_TEST(test_watchdog_and_cooldowns)
{
	uint64_t seq = 7;
	struct proto_cooldowns c;

	ck_assert(proto_body_valid(PROTO_PING, &seq, sizeof(seq)));
	ck_assert(proto_body_valid(PROTO_PONG, &seq, sizeof(seq)));
	ck_assert(!proto_body_valid(PROTO_PING, &seq, 4));
	ck_assert(!proto_body_valid(PROTO_PONG, NULL, 0));
	memset(&c, 0, sizeof(c));
	ck_assert(proto_cooldowns_valid(&c, sizeof(c)));
	c.n = 1;
	ck_assert(!proto_cooldowns_valid(&c, sizeof(c))); /* an empty name */
	snprintf(c.e[0].name, sizeof(c.e[0].name), "latency");
	c.e[0].last_ns = 1;
	ck_assert(proto_body_valid(PROTO_COOLDOWNS, &c, sizeof(c)));
	ck_assert(!proto_cooldowns_valid(&c, sizeof(c) - 1));
	memset(c.e[0].name, 'x', sizeof(c.e[0].name)); /* no NUL */
	ck_assert(!proto_cooldowns_valid(&c, sizeof(c)));
	snprintf(c.e[0].name, sizeof(c.e[0].name), "latency");
	c.n = PROTO_MAX_ANOMALIES + 1;
	ck_assert(!proto_cooldowns_valid(&c, sizeof(c)));
	c.n = 1;
	c.reserved = 1;
	ck_assert(!proto_cooldowns_valid(&c, sizeof(c)));
	/* a worker may answer a PING, never send one or COOLDOWNS */
	ck_assert(PROTO_FROM_WORKERS & PROTO_BIT(PROTO_PONG));
	ck_assert(!(PROTO_FROM_WORKERS & PROTO_BIT(PROTO_PING)));
	ck_assert(!(PROTO_FROM_WORKERS & PROTO_BIT(PROTO_COOLDOWNS)));
}
END_TEST

START_TEST(test_recv_checked)
{
	const uint64_t accept = PROTO_BIT(PROTO_STATS_REQ) | PROTO_BIT(PROTO_SHUTDOWN);
	struct msg *m = malloc(sizeof(*m));
	uint32_t deadline = 100;
	uint16_t short_deadline = 1;
	char why[128];
	int sv[2], pfd[2];

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(msg_socketpair(sv), 0);
	ck_assert_int_eq(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
	ck_assert_int_eq(proto_recv(sv[1], m, accept, why, sizeof(why)), -EAGAIN);

	ck_assert_int_eq(msg_send(sv[0], PROTO_SHUTDOWN, &deadline, sizeof(deadline), -1), 0);
	ck_assert_int_eq(proto_recv(sv[1], m, accept, why, sizeof(why)), 1);
	ck_assert_uint_eq(m->type, PROTO_SHUTDOWN);

	/* a type the receiver does not take, though well-formed */
	ck_assert_int_eq(msg_send(sv[0], PROTO_SWEEP_NOW, NULL, 0, -1), 0);
	ck_assert_int_eq(proto_recv(sv[1], m, accept, why, sizeof(why)), -EBADMSG);
	ck_assert_msg(strstr(why, "SWEEP_NOW") != NULL, "why: %s", why);

	/* an accepted type with a malformed body */
	ck_assert_int_eq(msg_send(sv[0], PROTO_SHUTDOWN, &short_deadline, 2, -1), 0);
	ck_assert_int_eq(proto_recv(sv[1], m, accept, why, sizeof(why)), -EBADMSG);
	ck_assert_msg(strstr(why, "2 bytes") != NULL, "why: %s", why);

	/* a passed fd is refused and closed */
	ck_assert_int_eq(pipe(pfd), 0);
	ck_assert_int_eq(msg_send(sv[0], PROTO_STATS_REQ, NULL, 0, pfd[0]), 0);
	ck_assert_int_eq(proto_recv(sv[1], m, accept, why, sizeof(why)), -EBADMSG);
	ck_assert_int_eq(m->fd, -1);
	ck_assert_msg(strstr(why, "file descriptor") != NULL, "why: %s", why);
	close(pfd[0]);
	close(pfd[1]);

	close(sv[0]);
	ck_assert_int_eq(proto_recv(sv[1], m, accept, why, sizeof(why)), 0);
	close(sv[1]);
	free(m);
}
END_TEST

static Suite *proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *tc = tcase_create("validators");

	tcase_add_test(tc, test_str_valid);
	tcase_add_test(tc, test_anomaly);
	tcase_add_test(tc, test_stats_detector);
	tcase_add_test(tc, test_fixed_size_stats);
	tcase_add_test(tc, test_collection_done);
	tcase_add_test(tc, test_config_ack);
	tcase_add_test(tc, test_body_by_type);
	tcase_add_test(tc, test_recv_checked);
	tcase_add_test(tc, test_watchdog_and_cooldowns);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proto_suite());

	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
