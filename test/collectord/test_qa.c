// SPDX-License-Identifier: GPL-2.0-only
/*
 * QuickAction planning: the table agrees with action_caps (what the
 * supervisor grants), each helper's argv follows the config, programs are
 * found only in absolute directories of the search path, and the mount
 * filters pick cifs and smb3 lines.
 */
#include <check.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "action_caps.h"
#include "col_util.h"
#include "qa.h"

static struct harness H;
static struct qa_plan plan;

static void plan_for(const char *name, const struct qa_params *p)
{
	struct qa_env env = { .bin_path = H.bin, .root = H.root };
	const struct quickaction *qa = qa_find(name);
	ck_assert_ptr_nonnull(qa);
	qa_make_plan(qa, &env, p, &plan);
	ck_assert_int_eq(plan.err, 0);
}

static void argv_is(const char *const *want)
{
	unsigned i = 0;
	for (; want[i]; i++) {
		ck_assert_uint_lt(i, plan.argc);
		ck_assert_str_eq(plan.argv[i], want[i]);
	}
	ck_assert_uint_eq(plan.argc, i);
	ck_assert_ptr_null(plan.argv[i]);
}

START_TEST(table_matches_action_caps)
{
	static const char *const names[] = { "dmesg", "journalctl", "debugdata", "stats",
					     "mounts", "smbinfo", "syslogs", "tcpdump", "blocked_tasks", NULL };
	unsigned n = 0;
	for (const char *const *name = names; *name; name++, n++) {
		ck_assert(action_known(*name));
		const struct quickaction *qa = qa_find(*name);
		ck_assert_ptr_nonnull(qa);
		ck_assert_str_eq(qa->name, *name);
		ck_assert_str_eq(qa->ext, strcmp(*name, "tcpdump") ? "txt" : "pcap");
	}
	/* the rest are the flight recorder's parts: no config name; the
	 * snapshots read open_files like stats, the others need nothing */
	for (const struct quickaction *qa; (qa = qa_at(n)) != NULL; n++) {
		int mine[4];
		ck_assert(qa->recorder);
		ck_assert(!action_known(qa->name));
		int k = action_caps(qa->name, mine, 4);
		ck_assert_int_eq(k, strncmp(qa->name, "snapshot", 8) == 0 ? 1 : 0);
		if (k)
			ck_assert_int_eq(mine[0], CAP_DAC_READ_SEARCH);
	}
	ck_assert(!action_known("rm"));
	ck_assert_ptr_null(qa_find("rm"));
	int caps[4];
	ck_assert_int_eq(action_caps("rm", caps, 4), -EINVAL);
	ck_assert_int_eq(action_caps("dmesg", caps, 4), 1);
	ck_assert_int_eq(caps[0], CAP_SYSLOG);
	ck_assert_int_eq(action_caps("tcpdump", caps, 4), 1);
	ck_assert_int_eq(caps[0], CAP_NET_RAW);
	ck_assert_int_eq(action_caps("mounts", caps, 4), 0);
	ck_assert_int_eq(action_caps("debugdata", caps, 4), 0);
	/* the supervisor reads the stacks; collectord gets nothing for it */
	ck_assert_int_eq(action_caps("blocked_tasks", caps, 4), 0);

	char *list[] = { "dmesg", "stats", "syslogs", "tcpdump", "dmesg", "mounts" };
	int u[8];
	ck_assert_int_eq(action_caps_union(list, 6, u, 8), 3);
	ck_assert_int_eq(u[0], CAP_SYSLOG);
	ck_assert_int_eq(u[1], CAP_DAC_READ_SEARCH);
	ck_assert_int_eq(u[2], CAP_NET_RAW);
	ck_assert_int_eq(action_caps_union(list, 6, u, 2), 2); /* bounded by max */
}
END_TEST

START_TEST(program_argv_follow_config)
{
	struct qa_params p = { .journal_minutes = 7, .tcpdump_duration_sec = 3, .tcpdump_max_mb = 2 };
	h_init(&H, "dmesg");
	h_program(&H, "dmesg", "");
	h_program(&H, "journalctl", "");
	h_program(&H, "tcpdump", "");
	h_file(&H, "/run/systemd/journal/socket", "");

	plan_for("dmesg", &p);
	ck_assert_int_eq(plan.kind, QA_PROGRAM);
	char path[512];
	snprintf(path, sizeof(path), "%s/dmesg", H.bin);
	ck_assert_str_eq(plan.path, path);
	argv_is((const char *const[]){ "dmesg", "--time-format", "iso", NULL });

	plan_for("journalctl", &p);
	argv_is((const char *const[]){ "journalctl", "--no-pager", "--output=short-iso-precise",
				       "--since=-7min", NULL });

	plan_for("tcpdump", &p);
	argv_is((const char *const[]){ "tcpdump", "-i", "any", "-p", "-n", "-s", "512", "-U", "-w",
				       "-", "port", "445", NULL });
	ck_assert_uint_eq(plan.soft_stop_sec, 3);
	ck_assert_uint_eq(plan.max_bytes, 2u << 20);
	h_fini(&H);
}
END_TEST

START_TEST(programs_found_only_where_allowed)
{
	struct qa_params p = { .journal_minutes = 5, .tcpdump_duration_sec = 5, .tcpdump_max_mb = 50 };
	h_init(&H, "dmesg");
	/* Not executable, and one in a relative directory: neither counts. */
	char path[512];
	snprintf(path, sizeof(path), "%s/dmesg", H.bin);
	write_file(path, "#!/bin/sh\n", 0644);
	struct qa_env env = { .bin_path = "relative:bin", .root = H.root };
	ck_assert_int_eq(chdir(H.top), 0);
	qa_make_plan(qa_find("dmesg"), &env, &p, &plan);
	ck_assert_ptr_nonnull(plan.unavailable);
	ck_assert_ptr_nonnull(strstr(plan.unavailable, "dmesg not found in relative:bin"));
	env.bin_path = H.bin;
	qa_make_plan(qa_find("dmesg"), &env, &p, &plan);
	ck_assert_ptr_nonnull(plan.unavailable);
	ck_assert_int_eq(chmod(path, 0755), 0);
	qa_make_plan(qa_find("dmesg"), &env, &p, &plan);
	ck_assert_ptr_null(plan.unavailable);
	/* The daemon's environment: fixed system directories, the real root. */
	struct qa_env def = qa_env_default();
	ck_assert_str_eq(def.bin_path, "/usr/sbin:/usr/bin:/sbin:/bin");
	ck_assert_str_eq(def.root, "");
	ck_assert_str_eq(qa_clean_env[0], "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	ck_assert_str_eq(qa_clean_env[1], "LANG=C");
	ck_assert_ptr_null(qa_clean_env[2]);
	h_fini(&H);
}
END_TEST

START_TEST(journalctl_without_journald_uses_syslog)
{
	struct qa_params p = { .journal_minutes = 5, .tcpdump_duration_sec = 5, .tcpdump_max_mb = 50 };
	h_init(&H, "dmesg");
	h_program(&H, "journalctl", "");
	plan_for("journalctl", &p);
	ck_assert_ptr_nonnull(plan.unavailable); /* no journald, no syslog file */
	h_file(&H, "/var/log/messages", "x\n");
	plan_for("journalctl", &p);
	ck_assert_ptr_null(plan.unavailable);
	ck_assert_int_eq(plan.kind, QA_BUILTIN);
	ck_assert_ptr_nonnull(plan.note);
	char path[512];
	snprintf(path, sizeof(path), "%s/var/log/messages", H.root);
	ck_assert_str_eq(plan.inputs[0], path);
	h_file(&H, "/var/log/syslog", "x\n"); /* syslog is preferred */
	plan_for("syslogs", &p);
	snprintf(path, sizeof(path), "%s/var/log/syslog", H.root);
	ck_assert_str_eq(plan.inputs[0], path);
	h_fini(&H);
}
END_TEST

START_TEST(mount_lines_filtered)
{
	ck_assert(qa_mounts_line_is_smb("//s/x /mnt cifs rw 0 0\n"));
	ck_assert(qa_mounts_line_is_smb("//s/x /mnt smb3 rw 0 0"));
	ck_assert(!qa_mounts_line_is_smb("/dev/sda / ext4 rw 0 0\n"));
	ck_assert(!qa_mounts_line_is_smb("cifs /cifs tmpfs rw 0 0\n"));
	ck_assert(!qa_mounts_line_is_smb("x /y cifsx rw 0 0\n"));
	ck_assert(!qa_mounts_line_is_smb("\n"));
	ck_assert(qa_mountinfo_line_is_smb("40 22 0:50 / /mnt rw shared:1 - cifs //s/x rw\n"));
	ck_assert(!qa_mountinfo_line_is_smb("40 22 0:50 / /cifs rw - ext4 /dev/x rw\n"));
	ck_assert(!qa_mountinfo_line_is_smb("40 22 0:50 / /mnt rw cifs\n"));
}
END_TEST

static void collect_mount(void *arg, const char *mnt)
{
	char *acc = arg;
	strcat(acc, mnt);
	strcat(acc, "|");
}

START_TEST(mount_points_unescaped)
{
	h_init(&H, "dmesg");
	h_file(&H, "/proc/mounts", "//s/a /mnt/a\\040b cifs rw 0 0\n/dev/x / ext4 rw 0 0\n"
				   "//s/c /mnt/tab\\011back\\134slash smb3 rw 0 0\n");
	char path[512], acc[512] = "";
	snprintf(path, sizeof(path), "%s/proc/mounts", H.root);
	ck_assert_int_eq(qa_smb_mount_points(path, collect_mount, acc), 2);
	ck_assert_str_eq(acc, "/mnt/a b|/mnt/tab\tback\\slash|");
	ck_assert_int_eq(qa_smb_mount_points("/nonexistent/mounts", collect_mount, acc), -ENOENT);
	h_fini(&H);
}
END_TEST

START_TEST(smbinfo_mounts_are_bounded)
{
	h_init(&H, "dmesg");
	char *mounts = calloc(1, 64 * 64);
	for (int i = 0; i < 60; i++)
		sprintf(mounts + strlen(mounts), "//s/x /mnt/m%02d cifs rw 0 0\n", i);
	h_file(&H, "/proc/mounts", mounts);
	free(mounts);
	h_program(&H, "smbinfo", "");
	struct qa_params p = { .journal_minutes = 5, .tcpdump_duration_sec = 5, .tcpdump_max_mb = 50 };
	plan_for("smbinfo", &p);
	ck_assert_ptr_null(plan.unavailable);
	ck_assert_uint_eq(plan.ninputs, 16);
	ck_assert_str_eq(plan.inputs[15], "/mnt/m15");
	ck_assert_uint_eq(plan.argc, 32); /* two queries per mount */
	ck_assert_str_eq(plan.note, "only the first 16 of 60 cifs/smb3 mounts");
	h_fini(&H);
}
END_TEST

START_TEST(plan_strings_are_bounded)
{
	struct qa_plan p;
	memset(&p, 0, sizeof(p));
	char big[1024];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < 20; i++)
		qa_arg(&p, "%s", big);
	ck_assert_int_eq(p.err, -E2BIG); /* the string space ran out */
	ck_assert_uint_lt(p.argc, 20);
	memset(&p, 0, sizeof(p));
	for (int i = 0; i < QA_MAX_ARGS + 1; i++)
		qa_arg(&p, "x");
	ck_assert_int_eq(p.err, -E2BIG); /* the argv table ran out */
	ck_assert_uint_eq(p.argc, QA_MAX_ARGS);
	ck_assert_ptr_null(p.argv[QA_MAX_ARGS]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("qa");
	TCase *tc = tcase_create("qa");
	tcase_add_test(tc, table_matches_action_caps);
	tcase_add_test(tc, program_argv_follow_config);
	tcase_add_test(tc, programs_found_only_where_allowed);
	tcase_add_test(tc, journalctl_without_journald_uses_syslog);
	tcase_add_test(tc, mount_lines_filtered);
	tcase_add_test(tc, mount_points_unescaped);
	tcase_add_test(tc, smbinfo_mounts_are_bounded);
	tcase_add_test(tc, plan_strings_are_bounded);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
