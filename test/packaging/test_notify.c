// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Type=notify contract of aodv2-supervisor.service, as systemd sees it:
 * the test binds the datagram socket systemd would, passes it in
 * NOTIFY_SOCKET (a path, or an abstract '@' name) and runs the supervisor
 * with the replay source. READY=1 comes from the main process itself
 * (NotifyAccess=main) once every worker is running, exactly once (a worker
 * restart sends nothing more); STOPPING=1 comes when a graceful stop begins;
 * a worker that refuses its configuration keeps the unit from becoming
 * ready; a configuration error at start is exit status 78 (which the unit
 * does not restart) and never ready.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suptest.h"

static const char *const workers[] = { "detectord", "collectord", "sweeperd" };
static char json[65536];

/* The service manager's end: a datagram socket that receives the sender's
 * credentials with each message, as systemd's notify socket does. */
struct notify_rx {
	int fd;
	char env[160]; /* "NOTIFY_SOCKET=..." */
};

static void rx_open(struct notify_rx *r, const struct suptest *t, bool abstract)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t salen;
	int one = 1;

	r->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(r->fd, 0);
	ck_assert_int_eq(setsockopt(r->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
	if (abstract) {
		/* abstract names are global: the pid keeps parallel runs apart */
		int n = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "aodv2-test-notify-%d",
				 (int)getpid());
		salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
		snprintf(r->env, sizeof(r->env), "NOTIFY_SOCKET=@%s", sa.sun_path + 1);
	} else {
		int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%.90s/notify", t->dir);
		ck_assert(n > 0 && (size_t)n < sizeof(sa.sun_path));
		salen = sizeof(sa);
		snprintf(r->env, sizeof(r->env), "NOTIFY_SOCKET=%s", sa.sun_path);
	}
	ck_assert_msg(bind(r->fd, (struct sockaddr *)&sa, salen) == 0, "bind: %s", strerror(errno));
}

/* Waits up to timeout_ms for one message; returns its length (0 on
 * timeout) and the sender's pid. */
static size_t rx_wait(struct notify_rx *r, int timeout_ms, char *buf, size_t len, pid_t *sender)
{
	struct pollfd p = { .fd = r->fd, .events = POLLIN };
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
	int rc;

	while ((rc = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	ck_assert_int_ge(rc, 0);
	if (rc == 0)
		return 0;
	ssize_t n = recvmsg(r->fd, &mh, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	*sender = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
			struct ucred cred;
			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
			*sender = cred.pid;
		}
	}
	return (size_t)n;
}

static void rx_close(struct notify_rx *r)
{
	close(r->fd);
}

static void assert_all_running(struct suptest *t)
{
	char state[32];

	ck_assert_msg(suptest_status(t, json, sizeof(json)), "aodctl status failed");
	for (int i = 0; i < 3; i++) {
		ck_assert(suptest_worker_str(json, workers[i], "state", state, sizeof(state)));
		ck_assert_msg(strcmp(state, "running") == 0, "READY=1 sent while %s is %s", workers[i],
			      state);
	}
}

static void ready_then_stopping(bool abstract)
{
	struct suptest t;
	struct notify_rx r;
	char buf[256];
	pid_t from;

	/* the real workers when they are built, else the test double */
	suptest_init(&t, !AOD_TEST_REAL_WORKERS, NULL);
	suptest_write_replay(&t, 10, 0, 0, 1000000);
	rx_open(&r, &t, abstract);
	const char *env[] = { r.env, NULL };
	suptest_start(&t, env, NULL);

	ck_assert_msg(rx_wait(&r, 60000, buf, sizeof(buf), &from) > 0, "no READY=1 within 60 s");
	ck_assert_str_eq(buf, "READY=1");
	ck_assert_int_eq(from, t.pid); /* NotifyAccess=main accepts only the main pid */
	assert_all_running(&t);

	/* A worker restart is not a second start-up: nothing more is sent. */
	long long pid = suptest_worker_num(json, "detectord", "pid");
	ck_assert_int_gt(pid, 1);
	ck_assert_int_eq(kill((pid_t)pid, SIGKILL), 0);
	ck_assert_msg(suptest_wait_running(&t, "detectord", 1, 30000), "detectord not restarted");
	ck_assert_msg(rx_wait(&r, 200, buf, sizeof(buf), &from) == 0, "unexpected %s", buf);

	ck_assert_int_eq(kill(t.pid, SIGTERM), 0);
	ck_assert_msg(rx_wait(&r, 30000, buf, sizeof(buf), &from) > 0, "no STOPPING=1 after SIGTERM");
	ck_assert_str_eq(buf, "STOPPING=1");
	ck_assert_int_eq(from, t.pid);
	int status = suptest_wait_exit(&t, 30000);
	ck_assert(status != -1 && WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	rx_close(&r);
	suptest_cleanup(&t);
}

START_TEST(ready_once_every_worker_runs_then_stopping)
{
	ready_then_stopping(false);
}
END_TEST

START_TEST(abstract_notify_socket)
{
	ready_then_stopping(true);
}
END_TEST

START_TEST(no_ready_while_a_worker_refuses_its_config)
{
	struct suptest t;
	struct notify_rx r;
	char buf[256], state[32];
	pid_t from;
	bool settled = false;

	suptest_init(&t, true, NULL);
	suptest_write_replay(&t, 10, 0, 0, 1000000);
	rx_open(&r, &t, false);
	const char *env[] = { r.env, "AOD_TEST_EXIT78=collectord", NULL };
	suptest_start(&t, env, NULL);

	/* Wait until the other two run and collectord has given up (78: the
	 * supervisor does not restart it), then the unit must still not be
	 * ready. */
	for (int waited = 0; waited < 30000 && !settled; waited += 100) {
		char d[32], sw[32];
		settled = suptest_status(&t, json, sizeof(json)) &&
			  suptest_worker_str(json, "detectord", "state", d, sizeof(d)) &&
			  suptest_worker_str(json, "sweeperd", "state", sw, sizeof(sw)) &&
			  suptest_worker_str(json, "collectord", "state", state, sizeof(state)) &&
			  !strcmp(d, "running") && !strcmp(sw, "running") &&
			  strcmp(state, "starting") && strcmp(state, "running");
		if (!settled)
			suptest_sleep_ms(100);
	}
	ck_assert_msg(settled, "detectord and sweeperd never ran with collectord refused");
	ck_assert_msg(rx_wait(&r, 500, buf, sizeof(buf), &from) == 0, "sent %s with collectord %s",
		      buf, state);
	rx_close(&r);
	suptest_cleanup(&t);
}
END_TEST

/* RestartPreventExitStatus=78 relies on this: a configuration the
 * supervisor cannot use at start is status 78, before any READY=1. */
START_TEST(a_bad_config_exits_78_and_never_ready)
{
	struct suptest t;
	struct notify_rx r;
	char buf[256];
	pid_t from;

	suptest_init(&t, true, NULL);
	suptest_write_replay(&t, 10, 0, 0, 1000000);
	suptest_write_dropin(&t, "99-typo.yaml", "watch_intervl_sec: 1\n");
	rx_open(&r, &t, false);
	const char *env[] = { r.env, NULL };
	suptest_start(&t, env, NULL);
	int status = suptest_wait_exit(&t, 30000);
	ck_assert_msg(status != -1, "the supervisor kept running with a bad config");
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 78);
	ck_assert_msg(rx_wait(&r, 0, buf, sizeof(buf), &from) == 0, "sent %s", buf);
	rx_close(&r);
	suptest_cleanup(&t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("notify");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, ready_once_every_worker_runs_then_stopping);
	tcase_add_test(tc, abstract_notify_socket);
	tcase_add_test(tc, no_ready_while_a_worker_refuses_its_config);
	tcase_add_test(tc, a_bad_config_exits_78_and_never_ready);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
