// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a compromised worker can still do (aodv2-supervisor(8), THREAT
 * MODEL), tried: a child process installs a worker's real policy through
 * the same common/ API its skeleton uses (sandbox_seccomp, then
 * sandbox_landlock), then attempts one thing. Forbidden syscalls must kill
 * it with SIGSYS; Landlock must refuse files outside the worker's
 * directories with EACCES. Each policy also gets a positive control (what
 * the worker does every day still works), so the test cannot pass because
 * the filter kills everything.
 */
#include <check.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "config.h"
#include "sandbox.h"

extern const struct sandbox_policy detectord_sandbox;
extern const struct sandbox_policy sweeperd_sandbox;
extern const struct sandbox_policy collectord_sandbox;

#define SURVIVED 3 /* the child's exit status when the attempt was let through */

typedef int (*attempt_fn)(const char *dir);

/* Runs attempt in a child confined by policy (and its Landlock rules for
 * an output directory dir when landlock); returns the wait status. */
static int confined(const struct sandbox_policy *policy, bool landlock, attempt_fn attempt,
		    const char *dir)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct aod_config cfg = { .output_dir = (char *)dir };
		if (sandbox_seccomp("test", policy) < 0)
			_exit(100);
		if (landlock && sandbox_landlock("test", policy, &cfg) < 0)
			_exit(101);
		_exit(attempt(dir));
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static void expect_sigsys(const struct sandbox_policy *policy, attempt_fn attempt, const char *what)
{
	int status = confined(policy, false, attempt, "/");

	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
		      "%s: expected death by SIGSYS, got wait status 0x%x", what, status);
}

static void expect_exit(const struct sandbox_policy *policy, bool landlock, attempt_fn attempt,
			const char *dir, int code, const char *what)
{
	int status = confined(policy, landlock, attempt, dir);

	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == code,
		      "%s: expected exit %d, got wait status 0x%x", what, code, status);
}

/* the attempts: SURVIVED when the kernel let the call through */
static int try_kill_parent(const char *d) { (void)d; kill(getppid(), 0); return SURVIVED; }
static int try_tgkill_parent(const char *d)
{
	(void)d;
	syscall(SYS_tgkill, getppid(), getppid(), 0);
	return SURVIVED;
}
static int try_inet_dgram(const char *d) { (void)d; socket(AF_INET, SOCK_DGRAM, 0); return SURVIVED; }
static int try_inet6_stream(const char *d) { (void)d; socket(AF_INET6, SOCK_STREAM, 0); return SURVIVED; }
static int try_inet_stream(const char *d) { (void)d; socket(AF_INET, SOCK_STREAM, 0); return SURVIVED; }
static int try_listen(const char *d) { (void)d; listen(0, 1); return SURVIVED; }
static int try_accept(const char *d) { (void)d; accept(0, NULL, NULL); return SURVIVED; }
static int try_open_write(const char *d)
{
	(void)d;
	open("/dev/null", O_WRONLY | O_CLOEXEC);
	return SURVIVED;
}
static int try_open_creat(const char *d)
{
	(void)d;
	openat(AT_FDCWD, "/nonexistent-aodv2-test", O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
	return SURVIVED;
}
static int try_execve(const char *d)
{
	(void)d;
	char *argv[] = { "true", NULL };
	execve("/bin/true", argv, argv + 1);
	return SURVIVED;
}
static int try_unshare_user(const char *d) { (void)d; unshare(CLONE_NEWUSER); return SURVIVED; }
static int try_mount(const char *d) { (void)d; mount("none", "/", NULL, MS_REMOUNT, NULL); return SURVIVED; }
static int try_bpf(const char *d) { (void)d; syscall(SYS_bpf, 0, NULL, 0); return SURVIVED; }
static int try_unlink(const char *d) { (void)d; unlinkat(AT_FDCWD, "/nonexistent-aodv2-test", 0); return SURVIVED; }
#if !defined(__SANITIZE_ADDRESS__)
static int try_fork(const char *d)
{
	(void)d;
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	return SURVIVED;
}
static int try_ptrace(const char *d) { (void)d; ptrace(PTRACE_ATTACH, getppid(), 0, 0); return SURVIVED; }
#endif

/* the worker's everyday calls: 0 when they all worked */
static int daily_common(void)
{
	int fds[2];
	char c = 'x';

	if (pipe2(fds, O_CLOEXEC) < 0 || write(fds[1], &c, 1) != 1 || read(fds[0], &c, 1) != 1)
		return 10;
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return 11;
	close(s);
	if (kill(getpid(), 0) < 0)
		return 12;
	int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 13;
	close(fd);
	return 0;
}
static int daily_detectord(const char *d) { (void)d; return daily_common(); }
static int daily_collectord(const char *d)
{
	int rc = daily_common();
	if (rc)
		return rc;
	int s = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0); /* tcpdump's */
	if (s < 0 && errno != EPERM) /* no CAP_NET_RAW: the kernel says no, not the filter */
		return 20;
	if (s >= 0)
		close(s);
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "true", NULL };
		execve("/bin/true", argv, argv + 1);
		_exit(127);
	}
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return 21;
	(void)d;
	return 0;
}

START_TEST(detectord_cannot_signal_connect_out_write_or_exec)
{
	const struct sandbox_policy *p = &detectord_sandbox;

	expect_exit(p, false, daily_detectord, "/", 0, "detectord's everyday calls");
	expect_sigsys(p, try_kill_parent, "detectord kill(other)");
	expect_sigsys(p, try_tgkill_parent, "detectord tgkill(other)");
	expect_sigsys(p, try_inet_dgram, "detectord socket(AF_INET, DGRAM)");
	expect_sigsys(p, try_inet6_stream, "detectord socket(AF_INET6, STREAM)");
	expect_sigsys(p, try_listen, "detectord listen");
	expect_sigsys(p, try_accept, "detectord accept");
	expect_sigsys(p, try_open_write, "detectord open for write");
	expect_sigsys(p, try_open_creat, "detectord open O_CREAT");
	expect_sigsys(p, try_unlink, "detectord unlink");
	expect_sigsys(p, try_execve, "detectord execve");
	expect_sigsys(p, try_bpf, "detectord bpf");
#if !defined(__SANITIZE_ADDRESS__) /* LeakSanitizer's exit needs clone and ptrace */
	expect_sigsys(p, try_fork, "detectord fork");
	expect_sigsys(p, try_ptrace, "detectord ptrace");
#endif
}
END_TEST

START_TEST(sweeperd_cannot_signal_connect_out_write_or_exec)
{
	const struct sandbox_policy *p = &sweeperd_sandbox;

	expect_exit(p, false, daily_detectord, "/", 0, "sweeperd's everyday calls");
	expect_sigsys(p, try_kill_parent, "sweeperd kill(other)");
	expect_sigsys(p, try_inet_dgram, "sweeperd socket(AF_INET, DGRAM)");
	expect_sigsys(p, try_inet_stream, "sweeperd socket(AF_INET, STREAM)");
	expect_sigsys(p, try_listen, "sweeperd listen");
	expect_sigsys(p, try_open_write, "sweeperd open for write");
	expect_sigsys(p, try_open_creat, "sweeperd open O_CREAT");
	expect_sigsys(p, try_execve, "sweeperd execve");
#if !defined(__SANITIZE_ADDRESS__)
	expect_sigsys(p, try_fork, "sweeperd fork");
#endif
}
END_TEST

START_TEST(collectord_cannot_listen_or_escape)
{
	const struct sandbox_policy *p = &collectord_sandbox;

	expect_exit(p, false, daily_collectord, "/", 0, "collectord's everyday calls");
	expect_sigsys(p, try_inet_stream, "collectord socket(AF_INET, STREAM)");
	expect_sigsys(p, try_inet_dgram, "collectord socket(AF_INET, DGRAM)");
	expect_sigsys(p, try_inet6_stream, "collectord socket(AF_INET6, STREAM)");
	expect_sigsys(p, try_listen, "collectord listen");
	expect_sigsys(p, try_accept, "collectord accept");
	expect_sigsys(p, try_unshare_user, "collectord unshare(CLONE_NEWUSER)");
	expect_sigsys(p, try_mount, "collectord mount");
	expect_sigsys(p, try_bpf, "collectord bpf");
#if !defined(__SANITIZE_ADDRESS__)
	expect_sigsys(p, try_ptrace, "collectord ptrace");
#endif
}
END_TEST

/* Landlock: files beside the output directory and inside it */
static char test_dir[64];

static int landlock_available(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1u /* VERSION */);
	return abi >= 1;
}

static void make_dirs(void)
{
	char path[128];

	snprintf(test_dir, sizeof(test_dir), "/tmp/aodv2-sandbox-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(test_dir));
	chmod(test_dir, 0755);
	snprintf(path, sizeof(path), "%s/out", test_dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/out/old.txt", test_dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/beside.txt", test_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void remove_dirs(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", test_dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* out is <test_dir>/out: the attempts name files relative to it */
static int ll_errno(int rc) { return rc < 0 ? (errno == EACCES ? 40 : 41) : 0; }
static int try_write_inside(const char *out)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/new.txt", out);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	return ll_errno(fd);
}
static int try_write_beside(const char *out)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/../beside.txt", out);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	return ll_errno(fd);
}
static int try_read_inside(const char *out)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/old.txt", out);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	return ll_errno(fd);
}
static int try_unlink_inside(const char *out)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/old.txt", out);
	return ll_errno(unlinkat(AT_FDCWD, path, 0));
}
static int try_unlink_beside(const char *out)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/../beside.txt", out);
	return ll_errno(unlinkat(AT_FDCWD, path, 0));
}

START_TEST(landlock_keeps_each_worker_to_its_directory)
{
	char out[96];

	if (!landlock_available()) {
		fprintf(stderr, "# Landlock not available on this kernel: file rules not tried\n");
		return;
	}
	make_dirs();
	snprintf(out, sizeof(out), "%s/out", test_dir);
	expect_exit(&detectord_sandbox, true, try_read_inside, out, 40, "detectord reads a collection");
	expect_exit(&collectord_sandbox, true, try_write_inside, out, 0, "collectord writes inside");
	expect_exit(&collectord_sandbox, true, try_write_beside, out, 40, "collectord writes beside");
	expect_exit(&sweeperd_sandbox, true, try_unlink_beside, out, 40, "sweeperd deletes beside");
	expect_exit(&sweeperd_sandbox, true, try_unlink_inside, out, 0, "sweeperd deletes inside");
	remove_dirs();
}
END_TEST

/* Landlock beyond files (sandbox.h): TCP (ABI 4) and scoping (ABI 6), tried
 * under the Landlock rules alone, since each worker's seccomp filter
 * already kills on an IP socket. */
static struct {
	int tcp_port;          /* a listener of the test's, on 127.0.0.1 */
	struct sockaddr_un abstract, pathname;
} peer;

static long landlock_abi(void)
{
	return syscall(SYS_landlock_create_ruleset, NULL, 0, 1u /* VERSION */);
}

static int landlocked(const struct sandbox_policy *policy, attempt_fn attempt, const char *dir)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct aod_config cfg = { .output_dir = (char *)dir };
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
			_exit(100);
		if (sandbox_landlock("test", policy, &cfg) < 0)
			_exit(101);
		_exit(attempt(dir));
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "killed by signal %d", WTERMSIG(status));
	return WEXITSTATUS(status);
}

/* 40: refused as Landlock refuses (EACCES for TCP, EPERM for scopes);
 * 41: refused otherwise; 0: let through. */
static int ll_refused(int rc, int want) { return rc < 0 ? (errno == want ? 40 : 41) : 0; }
static int try_tcp_bind(const char *d)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	(void)d;
	return ll_refused(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), EACCES);
}
static int try_tcp_connect(const char *d)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(peer.tcp_port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	(void)d;
	return ll_refused(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), EACCES);
}
static int try_unix(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				    strlen(sa->sun_path[0] ? sa->sun_path : sa->sun_path + 1));
	int rc = connect(fd, (const struct sockaddr *)sa, len);
	if (rc == 0 && send(fd, "x", 1, 0) != 1)
		rc = -1;
	return ll_refused(rc, EPERM);
}
static int try_abstract_unix(const char *d) { (void)d; return try_unix(&peer.abstract); }
static int try_syslog_like_unix(const char *d) { (void)d; return try_unix(&peer.pathname); }
static int try_signal_test(const char *d) { (void)d; return ll_refused(kill(getppid(), 0), EPERM); }
/* collectord kills its actions' process groups: they are inside its domain */
static int try_signal_own_child(const char *d)
{
	(void)d;
	pid_t pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	int rc = ll_refused(kill(pid, SIGKILL), EPERM);
	int st;
	waitpid(pid, &st, 0);
	return rc ? rc : (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 0 : 42);
}

static int open_peers(int fds[3])
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);

	fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(bind(fds[0], (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fds[0], 8), 0);
	ck_assert_int_eq(getsockname(fds[0], (struct sockaddr *)&sa, &len), 0);
	peer.tcp_port = ntohs(sa.sin_port);
	peer.abstract.sun_family = peer.pathname.sun_family = AF_UNIX;
	snprintf(peer.abstract.sun_path + 1, sizeof(peer.abstract.sun_path) - 1,
		 "aodv2-sandbox-%d", (int)getpid());
	snprintf(peer.pathname.sun_path, sizeof(peer.pathname.sun_path), "%s/log", test_dir);
	fds[1] = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	fds[2] = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(bind(fds[1], (struct sockaddr *)&peer.abstract,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
					  strlen(peer.abstract.sun_path + 1))), 0);
	ck_assert_int_eq(bind(fds[2], (struct sockaddr *)&peer.pathname, sizeof(peer.pathname)), 0);
	chmod(peer.pathname.sun_path, 0666);
	return 0;
}

START_TEST(landlock_denies_tcp_and_scopes_signals_on_newer_kernels)
{
	const struct sandbox_policy *const policies[] = { &detectord_sandbox, &collectord_sandbox,
							  &sweeperd_sandbox };
	static const char *const names[] = { "detectord", "collectord", "sweeperd" };
	long abi = landlock_abi();
	char out[96];
	int fds[3];

	if (abi < 4) {
		fprintf(stderr, "# SKIP: Landlock ABI %ld on this kernel: TCP rules (ABI 4) and "
			"scoping (ABI 6) not tried\n", abi);
		return;
	}
	make_dirs();
	snprintf(out, sizeof(out), "%s/out", test_dir);
	open_peers(fds);
	if (abi < 6)
		fprintf(stderr, "# SKIP: Landlock ABI %ld: scoping (ABI 6) not tried, TCP is\n", abi);
	for (int i = 0; i < 3; i++) {
		const struct sandbox_policy *p = policies[i];
		ck_assert_msg(landlocked(p, try_tcp_bind, out) == 40, "%s binds TCP", names[i]);
		ck_assert_msg(landlocked(p, try_tcp_connect, out) == 40, "%s connects TCP", names[i]);
		ck_assert_msg(landlocked(p, try_syslog_like_unix, out) == 0,
			      "%s cannot reach a pathname socket (syslog's /dev/log)", names[i]);
		if (abi < 6)
			continue;
		ck_assert_msg(landlocked(p, try_signal_test, out) == 40,
			      "%s signals a process outside its domain", names[i]);
		ck_assert_msg(landlocked(p, try_abstract_unix, out) == 40,
			      "%s connects to an abstract unix socket outside its domain", names[i]);
	}
	ck_assert_msg(landlocked(&collectord_sandbox, try_signal_own_child, out) == 0,
		      "collectord cannot kill its own action");
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	remove_dirs();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("sandbox");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, detectord_cannot_signal_connect_out_write_or_exec);
	tcase_add_test(tc, sweeperd_cannot_signal_connect_out_write_or_exec);
	tcase_add_test(tc, collectord_cannot_listen_or_escape);
	tcase_add_test(tc, landlock_keeps_each_worker_to_its_directory);
	tcase_add_test(tc, landlock_denies_tcp_and_scopes_signals_on_newer_kernels);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
