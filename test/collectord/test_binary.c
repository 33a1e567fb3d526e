// SPDX-License-Identifier: GPL-2.0-only
/*
 * The installed binary as the supervisor starts it: aodv2-collectord on
 * fd 3, --user nobody --caps cap_syslog,cap_net_raw, running the real dmesg
 * and tcpdump. Proves the privilege drop and that each helper gets the
 * capability it needs as an ambient one (dmesg reads a restricted kernel log
 * as nobody; tcpdump captures as nobody), and that files belong to the
 * service user. Needs root, dmesg and tcpdump: skipped (TAP skip plan) otherwise.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "aod_build.h"
#include "col_util.h"
#include "peer.h"
#include "proto.h"

static struct harness H;
static struct peer P;
static uid_t nobody_uid;
static gid_t nobody_gid;
static const char *caps_arg;

static int exec_collectord(int sock, void *arg)
{
	(void)arg;
	if (dup2(sock, MSG_WORKER_FD) < 0)
		return 99;
	syscall(SYS_close_range, MSG_WORKER_FD + 1, ~0u, 0u);
	/* LeakSanitizer cannot run in a process that dropped privileges. */
	setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
	char *argv[] = { "aodv2-collectord", "--user", "nobody", "--caps", (char *)caps_arg, NULL };
	if (!caps_arg)
		argv[3] = NULL;
	execv(AOD_BUILD_ROOT "/collectord/aodv2-collectord", argv);
	return 98;
}

static void setup(void)
{
	h_init(&H, "dmesg");
	ck_assert_int_eq(chmod(H.top, 0755), 0);
	mkdir_p(H.out);
	ck_assert_int_eq(chown(H.out, nobody_uid, nobody_gid), 0);
	memset(&P, 0, sizeof(P));
	P.sock = -1;
}

static void teardown(void)
{
	peer_stop(&P);
	h_fini(&H);
}

static struct proto_collection_done collect(const char *caps)
{
	caps_arg = caps;
	peer_start(&P, exec_collectord, NULL);
	char yaml[1024];
	int n = snprintf(yaml, sizeof(yaml),
			 "aod_output_dir: %s\n"
			 "guardian:\n  anomalies:\n    latency:\n      type: Latency\n"
			 "      tool: smbslower\n      actions: [dmesg, tcpdump, mounts]\n"
			 "watcher:\n  actions: [dmesg, tcpdump, mounts]\n"
			 "  flight_recorder: {events: false, snapshots: false, cifs_trace: false, packets: false}\n"
			 "  action_timeout_sec: 10\n  tcpdump_duration_sec: 1\n",
			 H.out);
	peer_send(&P, PROTO_CONFIG, yaml, (size_t)n);
	peer_expect(&P, PROTO_READY, 5000);
	struct proto_anomaly a = h_anomaly("latency", PROTO_ANOMALY_LATENCY, 100);
	peer_send(&P, PROTO_ANOMALY, &a, sizeof(a));
	struct proto_collection_done d;
	memcpy(&d, peer_expect(&P, PROTO_COLLECTION_DONE, 15000)->body, sizeof(d));
	uint32_t deadline = 1000;
	peer_send(&P, PROTO_SHUTDOWN, &deadline, sizeof(deadline));
	peer_expect(&P, PROTO_DRAINED, 3000);
	ck_assert_int_eq(peer_wait(&P, 3000), 0);
	return d;
}

static bool pcap_magic(const char *data, size_t len)
{
	static const unsigned char magics[][4] = {
		{ 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 },
		{ 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d },
	};
	for (size_t i = 0; len >= 24 && i < sizeof(magics) / sizeof(magics[0]); i++)
		if (memcmp(data, magics[i], 4) == 0)
			return true;
	return false;
}

START_TEST(helpers_get_their_caps_as_nobody)
{
	struct proto_collection_done d = collect("cap_syslog,cap_net_raw");
	ck_assert_str_eq(d.dir, "aod_100");
	ck_assert_int_eq(d.status, 0);
	ck_assert_uint_eq(d.actions_ok, 3);

	size_t len;
	char *out = h_unzstd(&H, "aod_100", "dmesg.txt.zst", &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_gt(len, 0);
	free(out);
	out = h_unzstd(&H, "aod_100", "tcpdump.pcap.zst", &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(pcap_magic(out, len), "tcpdump.pcap.zst is not a pcap (%zu bytes)", len);
	free(out);
	char *manifest = h_read(&H, "aod_100", "manifest.json", NULL);
	ck_assert_ptr_nonnull(strstr(manifest, "\"stopped_at_duration\": true"));
	free(manifest);

	struct stat st;
	char path[600];
	snprintf(path, sizeof(path), "%s/aod_100/dmesg.txt.zst", H.out);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_uid, nobody_uid);
	ck_assert_uint_eq(st.st_mode & 0777, 0640);
	snprintf(path, sizeof(path), "%s/aod_100", H.out);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_uid, nobody_uid);
	ck_assert_uint_eq(st.st_mode & 0777, 0750);
}
END_TEST

START_TEST(without_caps_the_helpers_are_refused)
{
	struct proto_collection_done d = collect(NULL);
	ck_assert_int_eq(d.status, 0); /* failed actions do not fail the folder */
	char *manifest = h_read(&H, "aod_100", "manifest.json", NULL);
	ck_assert_ptr_nonnull(manifest);
	char *restrict_flag = read_file("/proc/sys/kernel/dmesg_restrict", NULL);
	if (restrict_flag && restrict_flag[0] == '1') {
		/* dmesg's entry comes first: it failed for lack of CAP_SYSLOG. */
		char *dm = strstr(manifest, "\"name\": \"dmesg\"");
		char *next = strstr(manifest, "\"name\": \"tcpdump\"");
		ck_assert_ptr_nonnull(dm);
		char *status = strstr(dm, "\"status\": \"failed\"");
		ck_assert_msg(status && status < next, "dmesg did not fail without CAP_SYSLOG");
	}
	free(restrict_flag);
	char *tcp = strstr(manifest, "\"name\": \"tcpdump\"");
	ck_assert_ptr_nonnull(strstr(tcp, "\"status\": \"failed\""));
	free(manifest);
	ck_assert_uint_lt(d.actions_ok, 3);
}
END_TEST

int main(void)
{
	struct passwd *pw = getpwnam("nobody");
	if (geteuid() != 0 || !pw || access("/usr/bin/dmesg", X_OK) != 0 ||
	    (access("/usr/bin/tcpdump", X_OK) != 0 && access("/usr/sbin/tcpdump", X_OK) != 0)) {
		printf("1..0 # SKIP needs root, user nobody, dmesg and tcpdump\n");
		return 0; /* TAP skip: meson counts exit 77 as an error */
	}
	nobody_uid = pw->pw_uid;
	nobody_gid = pw->pw_gid;
	Suite *s = suite_create("collectord binary");
	TCase *tc = tcase_create("binary");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, helpers_get_their_caps_as_nobody);
	tcase_add_test(tc, without_caps_the_helpers_are_refused);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
