// SPDX-License-Identifier: GPL-2.0-only
/*
 * aodctl list and aodctl show on an output directory holding a complete, a
 * failed (manifest says incomplete), a failed without manifest and a
 * partial collection, plus traps: a symlink and a file under collection
 * names, a summary.txt that is a symlink, names that walk out of the
 * directory. list shows them newest first with their status; show prints
 * a summary and refuses everything that is not a collection of this dir.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aod_build.h"

#define AODCTL AOD_BUILD_ROOT "/supervisor/aodctl"

static char top[64], out[96];
static char got[65536];

static void put(const char *rel, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", out, rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void dir(const char *rel)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", out, rel);
	ck_assert_int_eq(mkdir(path, 0750), 0);
}

static const char manifest_ok[] =
	"{\n  \"aodv2_version\": \"x\",\n  \"collection\": \"aod_3000000000000000000\",\n"
	"  \"status\": \"complete\",\n  \"duration_ms\": 1.5,\n  \"anomaly\": {\n"
	"    \"name\": \"latency\",\n    \"type\": \"Latency\",\n    \"summary\": {\"worst\": []}\n"
	"  },\n  \"actions\": [{\"name\": \"dmesg\", \"status\": \"ok\"}]\n}\n";
static const char manifest_failed[] =
	"{\"status\": \"incomplete\", \"error\": \"cannot write dmesg.txt.zst: No space left\","
	" \"anomaly\": {\"name\": \"error\", \"type\": \"Error\"}, \"actions\": []}";

static const char summary_ok[] = "aodv2 collection aod_3000000000000000000\n"
				 "Rule:       latency: fires\n";

static void setup(void)
{
	snprintf(top, sizeof(top), "/tmp/aod-outdir.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	snprintf(out, sizeof(out), "%s/out", top);
	ck_assert_int_eq(mkdir(out, 0750), 0);
	dir("aod_3000000000000000000"); /* complete, newest */
	put("aod_3000000000000000000/manifest.json", manifest_ok);
	put("aod_3000000000000000000/summary.txt", summary_ok);
	put("aod_3000000000000000000/dmesg.txt.zst", "0123456789");
	dir("aod_2000000000000000000"); /* failed */
	put("aod_2000000000000000000/manifest.json", manifest_failed);
	dir("aod_1500000000000000000"); /* renamed, but no manifest */
	dir(".aod_2500000000000000000.partial"); /* in progress */
	put(".aod_2500000000000000000.partial/dmesg.txt.zst", "01234");
	dir("aod_1000000000000000000"); /* summary.txt is a symlink to a secret */
	put("aod_1000000000000000000/manifest.json", manifest_ok);
	char path[256], target[256];
	snprintf(target, sizeof(target), "%s/secret", top);
	int fd = open(target, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "SECRET\n", 7), 7);
	close(fd);
	snprintf(path, sizeof(path), "%s/aod_1000000000000000000/summary.txt", out);
	ck_assert_int_eq(symlink(target, path), 0);
	/* traps under collection names */
	dir("elsewhere");
	put("elsewhere/summary.txt", "SECRET\n");
	snprintf(path, sizeof(path), "%s/aod_4000000000000000000", out);
	snprintf(target, sizeof(target), "%s/elsewhere", out);
	ck_assert_int_eq(symlink(target, path), 0);
	put("aod_3500000000000000000", "a file, not a collection\n");
	put("notes.txt", "not ours\n");
}

static void cleanup(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	ck_assert_int_eq(system(cmd), 0);
}

/* Runs aodctl -o out args...; stdout + stderr into got; the exit status. */
static int aodctl(const char *a1, const char *a2)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "%s -o '%s' %s %s%s%s 2>&1", AODCTL, out, a1, a2 ? "'" : "",
		 a2 ? a2 : "", a2 ? "'" : "");
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(got, 1, sizeof(got) - 1, p);
	got[n] = '\0';
	int st = pclose(p);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

START_TEST(list_shows_every_collection_newest_first_with_its_status)
{
	setup();
	ck_assert_int_eq(aodctl("list", NULL), 0);
	const char *c = strstr(got, "aod_3000000000000000000\n");
	const char *p = strstr(got, ".aod_2500000000000000000.partial\n");
	const char *f = strstr(got, "aod_2000000000000000000\n");
	const char *nm = strstr(got, "aod_1500000000000000000\n");
	const char *l = strstr(got, "aod_1000000000000000000\n");
	ck_assert_msg(c && p && f && nm && l, "list:\n%s", got);
	ck_assert_msg(c < p && p < f && f < nm && nm < l, "not newest first:\n%s", got);
	char row[160];
	/* its size: every file in it */
	snprintf(row, sizeof(row), "  latency           Latency  complete  %7zu B  aod_3000000000000000000\n",
		 strlen(manifest_ok) + strlen(summary_ok) + 10);
	ck_assert_msg(strstr(got, row), "complete row:\n%s", got);
	ck_assert_msg(strstr(got, "  -                 -        partial         5 B  .aod_2500000000000000000.partial\n"),
		      "partial row:\n%s", got);
	ck_assert_msg(strstr(got, "  error             Error    failed        140 B  aod_2000000000000000000\n"
				  "    failed: cannot write dmesg.txt.zst: No space left\n"),
		      "failed row:\n%s", got);
	ck_assert_msg(strstr(got, "failed          0 B  aod_1500000000000000000\n"
				  "    failed: no manifest.json (No such file or directory)\n"),
		      "no-manifest row:\n%s", got);
	/* the traps are not collections */
	ck_assert_ptr_null(strstr(got, "aod_4000000000000000000"));
	ck_assert_ptr_null(strstr(got, "aod_3500000000000000000"));
	ck_assert_ptr_null(strstr(got, "notes.txt"));
	ck_assert_ptr_null(strstr(got, "elsewhere"));
	cleanup();
}
END_TEST

START_TEST(show_prints_the_summary_and_refuses_what_is_not_a_collection)
{
	setup();
	ck_assert_int_eq(aodctl("show", "aod_3000000000000000000"), 0);
	ck_assert_str_eq(got, "aodv2 collection aod_3000000000000000000\nRule:       latency: fires\n");
	/* partial and failed ones say what they are */
	ck_assert_int_eq(aodctl("show", ".aod_2500000000000000000.partial"), 1);
	ck_assert_msg(strstr(got, "is partial: still being collected"), "%s", got);
	ck_assert_int_eq(aodctl("show", "aod_2000000000000000000"), 1);
	ck_assert_msg(strstr(got, "(failed: cannot write dmesg.txt.zst: No space left) has no readable "
				  "summary.txt"), "%s", got);
	/* names that leave the directory, or are not ours */
	const char *bad[] = { "../out/aod_3000000000000000000", "aod_3000000000000000000/../..",
			      "/etc/passwd", "..", "elsewhere", "aod_", "aod_12x", "notes.txt", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(aodctl("show", bad[i]) == 2, "show '%s': %s", bad[i], got);
		ck_assert_msg(strstr(got, "is not a collection name"), "show '%s': %s", bad[i], got);
	}
	/* symlinks are not followed: not the directory, not the summary */
	ck_assert_int_eq(aodctl("show", "aod_4000000000000000000"), 1);
	ck_assert_msg(strstr(got, "no collection aod_4000000000000000000"), "%s", got);
	ck_assert_int_eq(aodctl("show", "aod_1000000000000000000"), 1);
	ck_assert_ptr_null(strstr(got, "SECRET"));
	ck_assert_int_eq(aodctl("show", "aod_3500000000000000000"), 1);
	ck_assert_int_eq(aodctl("show", "aod_9"), 1);
	ck_assert_int_eq(aodctl("show", NULL), 2);
	cleanup();
}
END_TEST

START_TEST(an_unreadable_output_dir_is_an_error)
{
	snprintf(out, sizeof(out), "/nonexistent/aodv2-out");
	ck_assert_int_eq(aodctl("list", NULL), 1);
	ck_assert_msg(strstr(got, "cannot read /nonexistent/aodv2-out: No such file"), "%s", got);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("aodctl_outdir");
	TCase *tc = tcase_create("outdir");
	tcase_set_timeout(tc, 60); /* a dozen aodctl runs under ASan */
	tcase_add_test(tc, list_shows_every_collection_newest_first_with_its_status);
	tcase_add_test(tc, show_prints_the_summary_and_refuses_what_is_not_a_collection);
	tcase_add_test(tc, an_unreadable_output_dir_is_an_error);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
