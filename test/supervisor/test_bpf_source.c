// SPDX-License-Identifier: GPL-2.0-only
/*
 * The supervisor with its default event source, the eBPF probes, on this
 * machine (root and kernel BTF needed, else skipped): it starts whether or
 * not cifs.ko is loaded, says in the log and in `aodctl status` that the
 * cifs probes wait for the module, reports the probes' counters (requests
 * in flight and stuck among them), writes a valid binary recording with
 * --record, and detaches the probes on SIGTERM with exit status 0.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "recording.h"
#include "suptest.h"

static char json[65536];

static bool cifs_loaded(void)
{
	return access("/sys/module/cifs", F_OK) == 0;
}

START_TEST(probes_wait_for_cifs_and_record)
{
	struct suptest t;
	char rec[256], out[16384];

	suptest_init(&t, false, NULL);
	t.bpf_source = true;
	snprintf(rec, sizeof(rec), "%s/live.rec", t.dir);
	suptest_start(&t, NULL, "--record", rec, NULL);
	ck_assert_msg(suptest_wait_running(&t, NULL, -1, 15000), "workers did not start");

	ck_assert(suptest_status(&t, json, sizeof(json)));
	ck_assert_msg(strstr(json, "\"probes\":{\"source\":\"bpf\""), "%s", json);
	static const char *const keys[] = { "\"in_flight\":", "\"stuck\":", "\"emitted\":",
					    "\"bpf_ring_dropped\":", "\"in_flight_reported\":",
					    "\"share_records\":",
					    "\"flushed\":", "\"evicted\":", "\"recording\":true" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ck_assert_msg(strstr(json, keys[i]), "probes status lacks %s", keys[i]);
	if (!cifs_loaded()) {
		ck_assert(suptest_log_has(&t, "cifs.ko is not loaded; the cifs probes wait for the module"));
		ck_assert_ptr_nonnull(strstr(json, "\"variant\":\"waiting for cifs\""));
		ck_assert_ptr_nonnull(strstr(json, "\"cifs_loaded\":false"));
		ck_assert_ptr_nonnull(strstr(json, "\"latency_attached\":false"));
		ck_assert_int_eq(suptest_obj_num(json, "probes", "in_flight"), 0);
		ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "status", NULL), 0);
		ck_assert_msg(strstr(out, "latency probes waiting, error probes waiting"), "%s", out);
		ck_assert_ptr_nonnull(strstr(out, "requests in flight 0"));
	} else {
		ck_assert_ptr_nonnull(strstr(json, "\"cifs_loaded\":true"));
	}

	ck_assert_int_eq(kill(t.pid, SIGTERM), 0);
	int status = suptest_wait_exit(&t, 10000);
	ck_assert_msg(status != -1, "no exit after SIGTERM");
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert(suptest_log_has(&t, "probes detached"));

	/* The recording is complete and readable even with no events in it. */
	struct recording_reader *r = NULL;
	struct aod_event ev;
	ck_assert_int_eq(recording_open(rec, NULL, NULL, &r, NULL, 0), 0);
	ck_assert(recording_is_binary(r));
	int n = 0, rc;
	while ((rc = recording_next(r, &ev)) == 1)
		n++;
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(recording_skipped(r), 0);
	recording_close(r);
	if (!cifs_loaded())
		ck_assert_int_eq(n, 0);
	suptest_cleanup(&t);
}
END_TEST

START_TEST(record_needs_the_bpf_source)
{
	struct suptest t;

	suptest_init(&t, true, NULL);
	suptest_write_replay(&t, 1, 0, 0, 0);
	suptest_start(&t, NULL, "--record", "/dev/null", NULL);
	int status = suptest_wait_exit(&t, 5000);
	ck_assert(status != -1 && WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 2);
	ck_assert(suptest_log_has(&t, "--record records the probes; it needs --source bpf"));
	suptest_cleanup(&t);
}
END_TEST

int main(void)
{
	if (geteuid() != 0) {
		printf("1..0 # SKIP loading the probes needs root\n");
		return 0; /* TAP skip: meson counts exit 77 as an error */
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		printf("1..0 # SKIP the kernel has no BTF (/sys/kernel/btf/vmlinux)\n");
		return 0; /* TAP skip: meson counts exit 77 as an error */
	}
	Suite *s = suite_create("bpf_source");
	TCase *tc = tcase_create("bpf_source");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, probes_wait_for_cifs_and_record);
	tcase_add_test(tc, record_needs_the_bpf_source);
	suite_add_tcase(s, tc);
	return suptest_run(s);
}
