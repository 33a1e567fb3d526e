// SPDX-License-Identifier: GPL-2.0-only
/*
 * sweeperd's supervisor protocol, with sweeperd in a child process on a
 * socketpair: a sweep at start, on SWEEP_NOW, every cleanup_interval_sec and
 * after a reload; STATS; SHUTDOWN -> DRAINED, exit 0; bad config -> 78;
 * EOF and malformed messages -> exit 1.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "peer.h"
#include "proto.h"
#include "worker.h"

#define NS_PER_SEC UINT64_C(1000000000)
#define NS_PER_DAY (UINT64_C(86400) * NS_PER_SEC)

static char top[256], out[300];
static struct peer P;

static int run_sweeperd(int sock, void *arg)
{
	(void)arg;
	return sweeperd_run(sock);
}

static void rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;
		while (d && (de = readdir(d)) != NULL) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			char sub[1024];
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			rm_rf(sub);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* out/aod_<now - age> with a 64 KiB file; its name in buf. */
static void collection(uint64_t age_ns, char *name, size_t cap)
{
	snprintf(name, cap, "aod_%" PRIu64, wall_ns() - age_ns);
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", out, name);
	ck_assert_int_eq(mkdir(path, 0750), 0);
	snprintf(path, sizeof(path), "%s/%s/dmesg.txt.zst", out, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 64 * 1024; i++)
		fputc('x', f);
	fclose(f);
}

static bool exists(const char *name)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", out, name);
	return access(path, F_OK) == 0;
}

static void setup(void)
{
	snprintf(top, sizeof(top), "/tmp/aod-sweeperd-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	snprintf(out, sizeof(out), "%s/out", top);
	ck_assert_int_eq(mkdir(out, 0755), 0);
	memset(&P, 0, sizeof(P));
	P.sock = -1;
}

static void teardown(void)
{
	peer_stop(&P);
	rm_rf(top);
}

static void send_config(const char *cleanup)
{
	char yaml[1024];
	int n = snprintf(yaml, sizeof(yaml), "aod_output_dir: %s\ncleanup:\n%s", out,
			 cleanup ? cleanup : "  max_log_age_days: 2\n");
	peer_send(&P, PROTO_CONFIG, yaml, (size_t)n);
}

static void start_ready(const char *cleanup)
{
	peer_start(&P, run_sweeperd, NULL);
	send_config(cleanup);
	peer_expect(&P, PROTO_READY, 5000);
}

static struct proto_stats_sweeper stats(void)
{
	struct proto_stats_sweeper st;
	peer_send(&P, PROTO_STATS_REQ, NULL, 0);
	memcpy(&st, peer_expect(&P, PROTO_STATS_SWEEPER, 2000)->body, sizeof(st));
	return st;
}

START_TEST(sweeps_at_start_and_on_request)
{
	char old[64], young[64], later[64];
	collection(3 * NS_PER_DAY, old, sizeof(old));
	collection(NS_PER_SEC, young, sizeof(young));
	start_ready(NULL);
	struct proto_stats_sweeper st = stats(); /* answered after the start sweep */
	ck_assert(!exists(old));
	ck_assert(exists(young));
	ck_assert_uint_eq(st.deleted, 1);
	ck_assert_uint_eq(st.collections, 1);
	ck_assert_uint_eq(st.limit_bytes, 512ull << 20);
	ck_assert_uint_ge(st.output_bytes, 64 * 1024);
	ck_assert_uint_le(st.last_sweep_unix, wall_ns() / NS_PER_SEC);
	ck_assert_uint_ge(st.last_sweep_unix + 5, wall_ns() / NS_PER_SEC);

	collection(5 * NS_PER_DAY, later, sizeof(later));
	peer_send(&P, PROTO_SWEEP_NOW, NULL, 0);
	st = stats();
	ck_assert(!exists(later));
	ck_assert_uint_eq(st.deleted, 2);

	peer_send(&P, PROTO_SHUTDOWN, &(uint32_t){ 1000 }, sizeof(uint32_t));
	peer_expect(&P, PROTO_DRAINED, 2000);
	ck_assert_int_eq(peer_wait(&P, 2000), 0);
}
END_TEST

START_TEST(sweeps_every_interval)
{
	start_ready("  cleanup_interval_sec: 1\n  max_log_age_days: 1\n");
	char old[64];
	collection(2 * NS_PER_DAY, old, sizeof(old));
	for (int i = 0; i < 40 && exists(old); i++)
		usleep(100 * 1000);
	ck_assert(!exists(old));
}
END_TEST

START_TEST(reload_sweeps_with_new_limits)
{
	char a[64], b[64];
	collection(2 * 3600 * NS_PER_SEC, a, sizeof(a));
	collection(3600 * NS_PER_SEC, b, sizeof(b));
	start_ready(NULL);
	ck_assert(exists(a) && exists(b));
	/* 0.1 MiB holds one 64 KiB collection: the older one goes. */
	send_config("  max_total_log_size_mb: 0.1\n");
	struct proto_config_ack ack;
	memcpy(&ack, peer_expect(&P, PROTO_CONFIG_ACK, 2000)->body, sizeof(ack));
	ck_assert_int_eq(ack.status, 0);
	struct proto_stats_sweeper st = stats();
	ck_assert(!exists(a));
	ck_assert(exists(b));
	ck_assert_uint_eq(st.limit_bytes, (uint64_t)(0.1 * 1024 * 1024));

	peer_send(&P, PROTO_CONFIG, "cleanup: [", 10);
	memcpy(&ack, peer_expect(&P, PROTO_CONFIG_ACK, 2000)->body, sizeof(ack));
	ck_assert_int_lt(ack.status, 0);
	ck_assert_uint_eq(stats().limit_bytes, (uint64_t)(0.1 * 1024 * 1024));
}
END_TEST

START_TEST(bad_first_config_exits_78)
{
	peer_start(&P, run_sweeperd, NULL);
	peer_send(&P, PROTO_CONFIG, "cleanup:\n  max_log_age_days: -1\n", 32);
	struct proto_config_ack ack;
	memcpy(&ack, peer_expect(&P, PROTO_CONFIG_ACK, 5000)->body, sizeof(ack));
	ck_assert_int_lt(ack.status, 0);
	ck_assert_ptr_nonnull(strstr(ack.reason, "max_log_age_days"));
	ck_assert_int_eq(peer_wait(&P, 2000), 78);
}
END_TEST

START_TEST(eof_and_malformed_exit_1)
{
	start_ready(NULL);
	close(P.sock);
	P.sock = -1;
	ck_assert_int_eq(peer_wait(&P, 2000), 1);
	peer_stop(&P);

	start_ready(NULL);
	ck_assert_int_eq(send(P.sock, "junk", 4, 0), 4);
	ck_assert_int_eq(peer_wait(&P, 2000), 1);
	peer_stop(&P);

	start_ready(NULL);
	peer_send(&P, PROTO_SWEEP_NOW, "x", 1); /* SWEEP_NOW has an empty body */
	ck_assert_int_eq(peer_wait(&P, 2000), 1);
	peer_stop(&P);

	start_ready(NULL);
	struct proto_anomaly a;
	memset(&a, 0, sizeof(a));
	a.type = PROTO_ANOMALY_LATENCY;
	peer_send(&P, PROTO_ANOMALY, &a, sizeof(a)); /* not for sweeperd */
	ck_assert_int_eq(peer_wait(&P, 2000), 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sweeperd worker");
	TCase *tc = tcase_create("worker");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, sweeps_at_start_and_on_request);
	tcase_add_test(tc, sweeps_every_interval);
	tcase_add_test(tc, reload_sweeps_with_new_limits);
	tcase_add_test(tc, bad_first_config_exits_78);
	tcase_add_test(tc, eof_and_malformed_exit_1);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
