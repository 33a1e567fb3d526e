// SPDX-License-Identifier: GPL-2.0-only
/*
 * privdrop (common/privdrop.h), what every worker does before any work:
 * capability lists, the service user's fallback, the drop itself as seen in
 * /proc (uid, no supplementary groups, exactly the kept capabilities, also
 * ambient, an empty bounding set, no_new_privs, root out of reach), and the
 * fd sweep, which must leave syslog working without glibc ever writing to,
 * or closing, an fd that reused its socket's number.
 */
#include <check.h>
#include <errno.h>
#include <pwd.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "privdrop.h"

START_TEST(caps_lists_parse)
{
	int caps[4];
	ck_assert_int_eq(privdrop_parse_caps("cap_syslog,CAP_NET_RAW,dac_read_search", caps, 4), 3);
	ck_assert_int_eq(caps[0], CAP_SYSLOG);
	ck_assert_int_eq(caps[1], CAP_NET_RAW);
	ck_assert_int_eq(caps[2], CAP_DAC_READ_SEARCH);
	ck_assert_int_eq(privdrop_parse_caps("cap_syslog,cap_nonsense", caps, 4), -EINVAL);
	ck_assert_int_eq(privdrop_parse_caps("cap_syslog,cap_net_raw", caps, 1), -EINVAL);
	ck_assert_int_eq(privdrop_parse_caps("", caps, 4), 0);
}
END_TEST

START_TEST(only_the_default_user_falls_back_to_nobody)
{
	uid_t uid;
	gid_t gid;
	int fell_back = -1;
	/* a name written by someone (a typo) never becomes nobody */
	ck_assert_int_eq(privdrop_resolve("aodv2-no-such-user", &uid, &gid, &fell_back), -ENOENT);
	ck_assert_int_eq(fell_back, 0);
	/* only the default user may be missing (installed without the package) */
	if (!getpwnam(AOD_SERVICE_USER)) {
		ck_assert_int_eq(privdrop_resolve(AOD_SERVICE_USER, &uid, &gid, &fell_back), 0);
		ck_assert_int_eq(fell_back, 1);
		ck_assert_uint_eq(uid, 65534);
	}
	ck_assert_int_eq(privdrop_resolve("nobody", &uid, &gid, &fell_back), 0);
	ck_assert_int_eq(fell_back, 0);
	ck_assert_uint_eq(uid, 65534);
	ck_assert_int_eq(privdrop_resolve("root", &uid, &gid, &fell_back), 0);
	ck_assert_int_eq(fell_back, 0);
	ck_assert_uint_eq(uid, 0);
}
END_TEST

/* A hex field of /proc/self/status; all ones when it is missing. */
static unsigned long long status_hex(const char *status, const char *key)
{
	const char *p = strstr(status, key);
	return p ? strtoull(p + strlen(key), NULL, 16) : ~0ull;
}

/* Runs body in a child (what it changes must not touch the test process);
 * body returns 0 or the number of the check that failed. */
static void expect_child_ok(int (*body)(void))
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(body());
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_msg(WEXITSTATUS(st) == 0, "the child failed check %d", WEXITSTATUS(st));
}

/* The Groups: line lists no gid. */
static bool no_groups(const char *status)
{
	const char *p = strstr(status, "\nGroups:");
	if (!p)
		return false;
	p += strlen("\nGroups:");
	size_t len = strcspn(p, "\n");
	return strspn(p, " \t") == len;
}

/* Drops to nobody keeping cap_syslog, then checks what /proc says. */
static int drop_body(void)
{
	static char status[8192];
	int caps[1] = { CAP_SYSLOG };
	if (privdrop_apply(65534, 65534, caps, 1) != 0)
		return 10;
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, status, sizeof(status) - 1) : -1;
	if (n <= 0)
		return 11;
	status[n] = '\0';
	unsigned long long want = 1ull << CAP_SYSLOG;
	if (status_hex(status, "CapEff:\t") != want || status_hex(status, "CapPrm:\t") != want ||
	    status_hex(status, "CapAmb:\t") != want || status_hex(status, "CapBnd:\t") != 0)
		return 12;
	if (!strstr(status, "NoNewPrivs:\t1") || !strstr(status, "Uid:\t65534\t65534\t65534\t65534") ||
	    !strstr(status, "Gid:\t65534\t65534\t65534\t65534") || !no_groups(status))
		return 13;
	if (setuid(0) == 0)
		return 14;
	return 0;
}

START_TEST(drop_leaves_exactly_the_kept_capabilities)
{
	if (geteuid() != 0)
		return; /* only root can drop; the multi-process tests cover the rest */
	expect_child_ok(drop_body);
}
END_TEST

/* A private /dev with our own /dev/log, so syslog traffic can be read. */
static int private_dev_log(void)
{
	if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("tmpfs", "/dev", "tmpfs", 0, "mode=0755") != 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return -1;
	return fd;
}

static bool received(int fd, const char *text)
{
	char buf[1024];
	ssize_t n;
	while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) > 0) {
		buf[n] = '\0';
		if (strstr(buf, text))
			return true;
	}
	return false;
}

static bool is_eventfd(int fd)
{
	char path[64], target[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:[eventfd]") == 0;
}

static int sweep_body(void)
{
	int rx = private_dev_log();
	if (rx < 0)
		return 20;
	log_init("privtest", false); /* connects: syslog's socket is above rx */
	log_info("before the sweep");
	if (!received(rx, "aodv2-privtest["))
		return 21;
	privdrop_close_fds_from(rx + 1);
	/* New fds take the lowest free numbers, as in a worker. */
	int efd[4];
	for (int i = 0; i < 4; i++)
		efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	log_info("after the sweep");
	for (int i = 0; i < 4; i++)
		if (efd[i] < 0 || !is_eventfd(efd[i]))
			return 22; /* glibc wrote to one of ours, and closed it */
	if (!received(rx, "after the sweep"))
		return 23;
	return 0;
}

START_TEST(fd_sweep_keeps_syslog_and_other_fds)
{
	if (geteuid() != 0)
		return; /* a private /dev needs root */
	expect_child_ok(sweep_body);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("privdrop");
	TCase *tc = tcase_create("privdrop");
	tcase_add_test(tc, caps_lists_parse);
	tcase_add_test(tc, only_the_default_user_falls_back_to_nobody);
	tcase_add_test(tc, drop_leaves_exactly_the_kept_capabilities);
	tcase_add_test(tc, fd_sweep_keeps_syslog_and_other_fds);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
