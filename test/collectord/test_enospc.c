// SPDX-License-Identifier: GPL-2.0-only
/*
 * A full disk: the output dir on a 128 KiB tmpfs (in a private mount
 * namespace). The collection records what fit and the error, is renamed
 * aod_<ts>.failed (so the sweeper can reclaim it and a reader sees it
 * failed) with a whole manifest saying so, the failure is counted, a
 * collection with no room for its manifest leaves no folder, and
 * collectord keeps collecting. Needs root for the mount: skipped
 * (a TAP skip plan) where mounting is not permitted.
 */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "col_util.h"

static struct harness H;

static void set_size(const char *bytes)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/size", H.top);
	write_file(path, bytes, 0644);
}

START_TEST(full_disk_is_survived)
{
	h_init(&H, "dmesg,debugdata");
	mkdir_p(H.out);
	ck_assert_int_eq(mount("tmpfs", H.out, "tmpfs", 0, "size=128k,mode=0755"), 0);
	char body[512];
	snprintf(body, sizeof(body), "exec head -c \"$(cat %s/size)\" /dev/urandom\n", H.top);
	h_program(&H, "dmesg", body);
	h_file(&H, "/proc/fs/cifs/DebugData", "data\n");
	set_size("2000000");
	h_start(&H);

	struct proto_anomaly a = h_anomaly("latency", PROTO_ANOMALY_LATENCY, 1);
	collector_submit(&H.c, &a);
	ck_assert_uint_eq(h_run_until(&H, 1, 10000), 1);
	ck_assert_int_eq(H.done[0].status, -ENOSPC);
	ck_assert_int_eq(H.done[0].states[0], RES_FAILED);
	ck_assert_str_eq(H.done[0].errors[0], "writing dmesg.txt.zst: No space left on device");
	ck_assert_uint_ge(H.c.stats.write_errors, 1);
	ck_assert_uint_eq(H.c.stats.failed, 1);
	/* Renamed (the sweeper may reclaim it) under a name that says it failed,
	 * with a whole manifest saying so: its room was reserved up front. */
	char path[512];
	snprintf(path, sizeof(path), "%s/aod_1", H.out);
	ck_assert_int_ne(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/aod_1.failed/manifest.json", H.out);
	size_t mlen = 0;
	char *manifest = read_file(path, &mlen);
	ck_assert_ptr_nonnull(manifest);
	ck_assert_msg(mlen > 100 && manifest[mlen - 2] == '}', "%s", manifest);
	ck_assert_ptr_nonnull(strstr(manifest, "\"status\": \"failed\""));
	ck_assert_ptr_nonnull(strstr(manifest, "No space left on device"));
	ck_assert_ptr_nonnull(strstr(manifest, "\"name\": \"debugdata\""));
	free(manifest);
	snprintf(path, sizeof(path), "%s/aod_1.failed/.manifest.json.tmp", H.out);
	ck_assert_int_ne(access(path, F_OK), 0);

	/* Full to the last block: the next anomaly is handled (and fails) too,
	 * leaving no folder at all, since not even its manifest would fit. */
	char filler[512];
	snprintf(filler, sizeof(filler), "%s/filler", H.out);
	FILE *f = fopen(filler, "w");
	ck_assert_ptr_nonnull(f);
	setvbuf(f, NULL, _IONBF, 0);
	static const char block[512];
	while (fwrite(block, 1, sizeof(block), f) == sizeof(block))
		;
	fclose(f);
	a.timestamp_ns = 2;
	collector_submit(&H.c, &a);
	ck_assert_uint_eq(h_run_until(&H, 2, 10000), 2);
	ck_assert_int_eq(H.done[1].status, -ENOSPC);
	ck_assert_msg(strstr(H.done[1].errors[0], "no room for a manifest"), "%s", H.done[1].errors[0]);
	static const char *const none[] = { "aod_2", "aod_2.failed", ".aod_2.partial" };
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", H.out, none[i]);
		ck_assert_msg(access(path, F_OK) != 0, "%s left behind", none[i]);
	}

	/* Space again (the sweeper's job): collections complete again. */
	snprintf(path, sizeof(path), "%s/aod_1.failed", H.out);
	rm_rf(path);
	unlink(filler);
	set_size("1000");
	a.timestamp_ns = 3;
	collector_submit(&H.c, &a);
	ck_assert_uint_eq(h_run_until(&H, 3, 10000), 3);
	ck_assert_int_eq(H.done[2].status, 0);
	ck_assert_int_eq(H.done[2].states[0], RES_OK);
	ck_assert_int_eq(H.done[2].states[1], RES_OK);
	size_t len;
	char *out = h_unzstd(&H, "aod_3", "dmesg.txt.zst", &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(len, 1000);
	free(out);
	collector_fini(&H.c);
	umount2(H.out, MNT_DETACH);
	loop_close(H.loop);
	config_free(H.cfg);
	rm_rf(H.top);
}
END_TEST

/* A private mount namespace where tmpfs can be mounted (0), or a TAP skip
 * plan printed (1): the caller then exits 0, since meson counts a TAP test's
 * exit 77 as an error, not a skip. */
static int enter_mount_namespace(void)
{
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root to mount a small tmpfs\n");
		return 1;
	}
	if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		printf("1..0 # SKIP cannot make a private mount namespace: %s\n", strerror(errno));
		return 1;
	}
	char probe[] = "/tmp/aod-enospc-XXXXXX";
	if (!mkdtemp(probe))
		return 99;
	int rc = mount("tmpfs", probe, "tmpfs", 0, "size=64k");
	int err = errno;
	if (rc == 0)
		umount2(probe, MNT_DETACH);
	rmdir(probe);
	if (rc != 0) {
		printf("1..0 # SKIP cannot mount tmpfs: %s\n", strerror(err));
		return 1;
	}
	return 0;
}

int main(void)
{
	if (enter_mount_namespace() != 0)
		return 0;
	Suite *s = suite_create("enospc");
	TCase *tc = tcase_create("enospc");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, full_disk_is_survived);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
