// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control socket and aodctl against a live supervisor (test-double
 * workers): status as text and JSON, check-config, collect, reload, the
 * permission rules (socket mode and SO_PEERCRED; a member of group aodv2,
 * made for the test in a private mount namespace, may read but not change),
 * and clients that send garbage or stall.
 */
#include <check.h>
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control.h"
#include "log.h"
#include "msg.h"
#include "proto.h"
#include "suptest.h"

static char out[65536];
static struct suptest t;

static void setup(void)
{
	suptest_init(&t, true, NULL);
	suptest_write_replay(&t, 100, 0, 0, 1000);
	suptest_start(&t, NULL, "--replay-speed", "max", NULL);
	ck_assert_msg(suptest_wait_running(&t, NULL, -1, 10000), "workers did not start");
}

/* An aodv2 group that exists only for this test process and its children:
 * /etc/group with the group added, bind-mounted in a private mount
 * namespace. Returns its gid. */
static gid_t private_aodv2_group(void)
{
	gid_t gid = 4242;
	while (getgrgid(gid))
		gid++;
	ck_assert_msg(getgrnam("aodv2") == NULL, "this machine has a real aodv2 group");
	ck_assert_msg(unshare(CLONE_NEWNS) == 0, "unshare(CLONE_NEWNS): %s", strerror(errno));
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);

	char path[256], line[512];
	snprintf(path, sizeof(path), "%s/group", t.dir);
	FILE *in = fopen("/etc/group", "r"), *out = fopen(path, "w");
	ck_assert(in && out);
	while (fgets(line, sizeof(line), in))
		fputs(line, out);
	fprintf(out, "aodv2:x:%u:\n", (unsigned)gid);
	fclose(in);
	ck_assert_int_eq(fclose(out), 0);
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_msg(mount(path, "/etc/group", NULL, MS_BIND, NULL) == 0, "bind /etc/group: %s",
		      strerror(errno));
	struct group *g = getgrnam("aodv2");
	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(g->gr_gid, gid);
	return gid;
}

static void setup_group(void)
{
	suptest_init(&t, true, NULL);
	t.aodctl_group = private_aodv2_group();
	suptest_write_replay(&t, 100, 0, 0, 1000);
	suptest_start(&t, NULL, "--replay-speed", "max", NULL);
	ck_assert_msg(suptest_wait_running(&t, NULL, -1, 10000), "workers did not start");
}

static void teardown(void)
{
	suptest_cleanup(&t);
}

static int raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	ck_assert_uint_lt(strlen(t.sock), sizeof(sa.sun_path));
	memcpy(sa.sun_path, t.sock, strlen(t.sock) + 1);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* True when the supervisor closed fd (after an optional reply) within ms. */
static bool closed_by_peer(int fd, int ms)
{
	char buf[70000];
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, ms) != 1)
			return false;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n == 0)
			return true;
		if (n < 0)
			return errno == ECONNRESET;
	}
}

START_TEST(status_text_and_json)
{
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "status", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "detectord"));
	ck_assert_ptr_nonnull(strstr(out, "collectord"));
	ck_assert_ptr_nonnull(strstr(out, "sweeperd"));
	ck_assert_ptr_nonnull(strstr(out, "ring: capacity"));
	ck_assert_msg(strstr(out, "timed out 0; write errors 0\n"), "%s", out);
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "status", "--json", NULL), 0);
	ck_assert_int_eq(out[0], '{');
	static const char *const keys[] = { "\"workers\":[", "\"probes\":{", "\"ring\":{",
					    "\"anomalies\":[", "\"collections\":{", "\"output_dir\":{",
					    "\"config_files\":[" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ck_assert_msg(strstr(out, keys[i]), "status JSON lacks %s", keys[i]);
	ck_assert_int_eq(suptest_obj_num(out, "ring", "produced"), 100);
	ck_assert_ptr_nonnull(strstr(out, "\"capabilities\":[]"));
	/* detectord's per-anomaly counts came through its stats reply */
	ck_assert_ptr_nonnull(strstr(out, "\"anomalies\":[{\"name\":\"latency\""));
}
END_TEST

START_TEST(check_config_prints_effective_config)
{
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "check-config", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, t.out)); /* the drop-in's output dir is in effect */
	suptest_write_dropin(&t, "90-typo.yaml", "watch_intervall_sec: 2\n");
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "check-config", NULL), 78);
	ck_assert_ptr_nonnull(strstr(out, "90-typo.yaml:1"));
}
END_TEST

START_TEST(collect_by_hand)
{
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "collect", "latency", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "collection aod_"));
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "collect", "nosuch", NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "no anomaly named 'nosuch'"));
	/* The test collectord answers COLLECTION_DONE at once. */
	ck_assert(suptest_wait_obj_num(&t, "collections", "completed_seen", 1, 5000));
	ck_assert(suptest_status(&t, out, sizeof(out)));
	ck_assert_int_eq(suptest_obj_num(out, "collections", "manual"), 1);
}
END_TEST

START_TEST(non_member_is_denied)
{
	/* The socket file itself (0660 root, no aodv2 group here) stops nobody. */
	ck_assert_int_eq(suptest_aodctl(&t, 65534, out, sizeof(out), "status", NULL), 4);
	ck_assert_ptr_nonnull(strstr(out, "permission denied"));
	/* With the file opened up, SO_PEERCRED still refuses. */
	ck_assert_int_eq(chmod(t.sock, 0666), 0);
	ck_assert_int_eq(suptest_aodctl(&t, 65534, out, sizeof(out), "status", NULL), 4);
	ck_assert_ptr_nonnull(strstr(out, "needs root or membership in group aodv2"));
	ck_assert_int_eq(suptest_aodctl(&t, 65534, out, sizeof(out), "reload", NULL), 4);
	ck_assert_int_eq(suptest_aodctl(&t, 65534, out, sizeof(out), "collect", NULL), 4);
	ck_assert_ptr_nonnull(strstr(out, "collect needs root"));
	/* and root still gets through */
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "status", NULL), 0);
}
END_TEST

START_TEST(group_member_may_read_not_change)
{
	struct stat st;
	gid_t gid = t.aodctl_group;

	ck_assert_int_eq(stat(t.sock, &st), 0);
	ck_assert_uint_eq(st.st_gid, gid);
	ck_assert_uint_eq(st.st_mode & 0777, 0660);
	/* nobody with the group as a supplementary group */
	ck_assert_int_eq(suptest_aodctl(&t, 65534, out, sizeof(out), "status", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "detectord"));
	ck_assert_int_eq(suptest_aodctl(&t, 65534, out, sizeof(out), "status", "--json", NULL), 0);
	ck_assert_int_eq(out[0], '{');
	ck_assert_int_eq(suptest_aodctl(&t, 65534, out, sizeof(out), "check-config", NULL), 0);
	ck_assert_int_eq(suptest_aodctl(&t, 65534, out, sizeof(out), "reload", NULL), 4);
	ck_assert_ptr_nonnull(strstr(out, "permission denied: reload needs root"));
	ck_assert_int_eq(suptest_aodctl(&t, 65534, out, sizeof(out), "collect", NULL), 4);
	ck_assert_ptr_nonnull(strstr(out, "permission denied: collect needs root"));
	/* the same user without the group is still refused */
	t.aodctl_group = 0;
	ck_assert_int_eq(suptest_aodctl(&t, 65534, out, sizeof(out), "status", NULL), 4);
	t.aodctl_group = gid;
}
END_TEST

START_TEST(garbage_and_stalled_clients_do_not_block)
{
	int stalled = raw_connect();   /* connects and never speaks */
	int garbage = raw_connect();
	static const char junk[] = "GET / HTTP/1.0\r\n\r\n";
	ck_assert_int_eq(send(garbage, junk, sizeof(junk), 0), (ssize_t)sizeof(junk));
	ck_assert(closed_by_peer(garbage, 2000));
	close(garbage);

	/* A framed request of an unknown type, and a status with a bad body. */
	int fd = raw_connect();
	ck_assert_int_eq(msg_send(fd, 999, "x", 1, -1), 0);
	ck_assert(closed_by_peer(fd, 2000));
	close(fd);
	fd = raw_connect();
	ck_assert_int_eq(msg_send(fd, PROTO_CTL_STATUS, "\x07\x07", 2, -1), 0);
	ck_assert(closed_by_peer(fd, 2000));
	close(fd);

	/* The stalled client does not hold anyone up... */
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "status", NULL), 0);
	/* ...and is dropped after the idle limit. */
	ck_assert(closed_by_peer(stalled, 8000));
	close(stalled);
}
END_TEST

/* A child that connects n times as uid (never speaking), then waits for
 * SIGKILL: the slots it holds stay held. Returns once every connect() has
 * returned, i.e. each is accepted or queued ahead of whatever comes next. */
static pid_t hog(uid_t uid, int n)
{
	int ready[2];
	ck_assert_int_eq(pipe(ready), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(ready[0]);
		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(uid) != 0)
			_exit(1);
		for (int i = 0; i < n; i++)
			(void)raw_connect();
		(void)write(ready[1], "x", 1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	char c;
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	return pid;
}

static void unhog(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

START_TEST(root_gets_through_a_full_socket)
{
	/* Any uid may connect once the file is open to it: the service user
	 * (a compromised worker) or a group member can. */
	ck_assert_int_eq(chmod(t.sock, 0666), 0);
	pid_t hogs[5];
	/* A uid over its limit is told so (asked at once: the held slots are
	 * dropped as idle after 5 s). */
	hogs[0] = hog(60001, 40);
	ck_assert_int_eq(suptest_aodctl(&t, 60001, out, sizeof(out), "status", NULL), 1);
	ck_assert_msg(strstr(out, "too many connections"), "%s", out);
	for (int i = 1; i < 5; i++)
		hogs[i] = hog(60001 + (uid_t)i, 40);
	/* Every uid holds at most CONTROL_MAX_PER_UID, all of them together
	 * leave root its reserve, and root still evicts someone if it has to. */
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "status", NULL), 0);
		ck_assert_ptr_nonnull(strstr(out, "detectord"));
	}
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "reload", NULL), 0);
	for (int i = 0; i < 5; i++)
		unhog(hogs[i]);
	/* 5 x 40 connections: about 180 refusals, logged within the rate limit. */
	unsigned lines = suptest_log_count(&t, "refused: ");
	ck_assert_msg(lines >= 1 && lines <= 2 * LOG_RL_BURST, "%u refusal lines", lines);
}
END_TEST

START_TEST(root_evicts_when_every_slot_is_taken)
{
	/* Group members too (each uid within its limit): with enough uids the
	 * non-root share is full and root takes its reserve, then evicts. */
	ck_assert_int_eq(chmod(t.sock, 0666), 0);
	pid_t hogs[4];
	for (int i = 0; i < 4; i++)
		hogs[i] = hog(60001 + (uid_t)i, 4);
	int mine[CONTROL_ROOT_RESERVED];
	for (int i = 0; i < CONTROL_ROOT_RESERVED; i++)
		mine[i] = raw_connect(); /* root's own idle connections fill the reserve */
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "status", NULL), 0);
	ck_assert(suptest_log_has(&t, "dropping the oldest client"));
	for (int i = 0; i < CONTROL_ROOT_RESERVED; i++)
		close(mine[i]);
	for (int i = 0; i < 4; i++)
		unhog(hogs[i]);
}
END_TEST

START_TEST(aodctl_without_supervisor)
{
	struct suptest none;
	suptest_init(&none, true, NULL);
	ck_assert_int_eq(suptest_aodctl(&none, 0, out, sizeof(out), "status", NULL), 3);
	ck_assert_ptr_nonnull(strstr(out, "is it running?"));
	ck_assert_int_eq(suptest_aodctl(&none, 0, out, sizeof(out), "frobnicate", NULL), 2);
	suptest_cleanup(&none);
}
END_TEST

int main(void)
{
	suptest_require_root();
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("control");
	tcase_set_timeout(tc, 40);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, status_text_and_json);
	tcase_add_test(tc, check_config_prints_effective_config);
	tcase_add_test(tc, collect_by_hand);
	tcase_add_test(tc, non_member_is_denied);
	tcase_add_test(tc, garbage_and_stalled_clients_do_not_block);
	tcase_add_test(tc, aodctl_without_supervisor);
	tcase_add_test(tc, root_gets_through_a_full_socket);
	tcase_add_test(tc, root_evicts_when_every_slot_is_taken);
	suite_add_tcase(s, tc);
	TCase *grp = tcase_create("group");
	tcase_set_timeout(grp, 40);
	tcase_add_checked_fixture(grp, setup_group, teardown);
	tcase_add_test(grp, group_member_may_read_not_change);
	suite_add_tcase(s, grp);
	return suptest_run(s);
}
