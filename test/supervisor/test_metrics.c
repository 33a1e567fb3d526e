// SPDX-License-Identifier: GPL-2.0-only
/*
 * The metrics exposition (metrics_render.h) and the text file writer
 * (textfile.h): escaping, merging of (session, tree) keys into one share,
 * cumulative log2 buckets in seconds, unknown shares and errnos, and the
 * atomic replace that follows no symlink.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "textfile.h"
#include "metrics_sample.h"
#include "openmetrics.h"

static char *render(const struct metrics_snap *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(metrics_render(m, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

#define HAS(text, line) ck_assert_msg(strstr(text, line "\n") != NULL, "missing: %s", line)

START_TEST(label_values_are_escaped)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	om_label_value(f, "a\"b\\c\nd\xff\xc0\xafé€");
	fclose(f);
	/* quote, backslash, newline escaped; invalid bytes and an overlong form
	 * replaced; valid multi-byte UTF-8 kept */
	ck_assert_str_eq(text, "\"a\\\"b\\\\c\\nd???é€\"");
	free(text);
}
END_TEST

START_TEST(histograms_merge_a_share_and_count_cumulatively_in_seconds)
{
	static struct sample x;
	char *t;

	sample_init(&x);
	t = render(&x.snap);
	HAS(t, "# TYPE aodv2_smb_request_duration_seconds histogram");
	/* session 1 and 2 name the same share: one series, 4 requests */
	HAS(t, "aodv2_smb_request_duration_seconds_bucket{server=\"srv\\\"1\",share=\"\\\\\\\\srv\\\"1\\\\da\\nta\","
	       "command=\"SMB2_READ\",le=\"0.001024\"} 0");
	HAS(t, "aodv2_smb_request_duration_seconds_bucket{server=\"srv\\\"1\",share=\"\\\\\\\\srv\\\"1\\\\da\\nta\","
	       "command=\"SMB2_READ\",le=\"0.002048\"} 1");
	HAS(t, "aodv2_smb_request_duration_seconds_bucket{server=\"srv\\\"1\",share=\"\\\\\\\\srv\\\"1\\\\da\\nta\","
	       "command=\"SMB2_READ\",le=\"0.004096\"} 2");
	HAS(t, "aodv2_smb_request_duration_seconds_bucket{server=\"srv\\\"1\",share=\"\\\\\\\\srv\\\"1\\\\da\\nta\","
	       "command=\"SMB2_READ\",le=\"134.217728\"} 3");
	HAS(t, "aodv2_smb_request_duration_seconds_bucket{server=\"srv\\\"1\",share=\"\\\\\\\\srv\\\"1\\\\da\\nta\","
	       "command=\"SMB2_READ\",le=\"+Inf\"} 4");
	HAS(t, "aodv2_smb_request_duration_seconds_sum{server=\"srv\\\"1\",share=\"\\\\\\\\srv\\\"1\\\\da\\nta\","
	       "command=\"SMB2_READ\"} 40.003");
	HAS(t, "aodv2_smb_request_duration_seconds_count{server=\"srv\\\"1\",share=\"\\\\\\\\srv\\\"1\\\\da\\nta\","
	       "command=\"SMB2_READ\"} 4");
	/* invalid UTF-8 in a server name, and ids nobody named */
	HAS(t, "aodv2_smb_request_duration_seconds_count{server=\"b?ad\",share=\"\\\\\\\\b?ad\\\\x\","
	       "command=\"SMB2_CREATE\"} 1");
	HAS(t, "aodv2_smb_request_duration_seconds_bucket{server=\"\",share=\"\",command=\"SMB2_CREATE\",le=\"8e-06\"} 1");
	ck_assert_ptr_null(strstr(t, "le=\"268.435456\"")); /* the last slot is +Inf only */
	free(t);
}
END_TEST

START_TEST(errors_and_the_rest_of_the_series)
{
	static struct sample x;
	char *t;

	sample_init(&x);
	t = render(&x.snap);
	HAS(t, "aodv2_smb_errors_total{server=\"srv\\\"1\",share=\"\\\\\\\\srv\\\"1\\\\da\\nta\",command=\"SMB2_CREATE\","
	       "errno=\"EACCES\",status=\"0xc0000022\"} 5");
	HAS(t, "aodv2_smb_errors_total{server=\"\",share=\"\",command=\"SMB2_READ\",errno=\"4000\","
	       "status=\"0xc000020c\"} 1");
	HAS(t, "aodv2_smb_requests_in_flight 2");
	HAS(t, "aodv2_smb_requests_stuck 1");
	HAS(t, "aodv2_smb_reconnects_total 3");
	HAS(t, "aodv2_events_dropped_total{where=\"bpf_ring\"} 4");
	HAS(t, "aodv2_events_dropped_total{where=\"histogram_map_full\"} 7");
	HAS(t, "aodv2_events_dropped_total{where=\"error_map_full\"} 1");
	HAS(t, "aodv2_events_dropped_total{where=\"shared_ring\"} 5");
	HAS(t, "aodv2_events_dropped_total{where=\"anomaly_queue\"} 6");
	HAS(t, "aodv2_ring_events_total 100");
	HAS(t, "aodv2_anomalies_total{anomaly=\"slow\\\\reads\",type=\"Latency\"} 4");
	HAS(t, "aodv2_collections_total{status=\"done\"} 8");
	HAS(t, "aodv2_collections_total{status=\"failed\"} 1");
	HAS(t, "aodv2_worker_restarts_total{worker=\"collectord\"} 2");
	HAS(t, "aodv2_build_info{version=\"0.1.0\"} 1");
	free(t);
	/* without the probes (replay source): families, no SMB samples */
	x.snap.pm = NULL;
	t = render(&x.snap);
	HAS(t, "# TYPE aodv2_smb_requests_in_flight gauge");
	ck_assert_ptr_null(strstr(t, "\naodv2_smb_requests_in_flight "));
	ck_assert_ptr_null(strstr(t, "aodv2_smb_request_duration_seconds_bucket"));
	ck_assert_ptr_null(strstr(t, "where=\"bpf_ring\""));
	HAS(t, "aodv2_events_dropped_total{where=\"shared_ring\"} 5");
	free(t);
}
END_TEST

static char dir[] = "/tmp/aod-metrics-XXXXXX";

static char *slurp(const char *path)
{
	static char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

START_TEST(the_text_file_is_replaced_atomically_and_follows_no_symlink)
{
	char path[256], other[256], link_dir[256], via_link[300];
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/aodv2.prom", dir);
	ck_assert_int_eq(textfile_replace(path, "a 1\n", 4), 0);
	ck_assert_str_eq(slurp(path), "a 1\n");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(textfile_replace(path, "b 2\n", 4), 0);
	ck_assert_str_eq(slurp(path), "b 2\n");
	/* a symlink planted at the file's name is replaced, its target untouched */
	snprintf(other, sizeof(other), "%s/victim", dir);
	ck_assert_int_eq(textfile_replace(other, "keep\n", 5), 0);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(symlink(other, path), 0);
	ck_assert_int_eq(textfile_replace(path, "c 3\n", 4), 0);
	ck_assert_str_eq(slurp(other), "keep\n");
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	/* a symlinked directory is refused */
	snprintf(link_dir, sizeof(link_dir), "%s/linkdir", dir);
	ck_assert_int_eq(symlink(dir, link_dir), 0);
	snprintf(via_link, sizeof(via_link), "%s/aodv2.prom", link_dir);
	ck_assert_int_eq(textfile_replace(via_link, "d 4\n", 4), -ENOTDIR);
	ck_assert_str_eq(slurp(path), "c 3\n");
	/* a missing directory and a name without a file part */
	snprintf(via_link, sizeof(via_link), "%s/none/aodv2.prom", dir);
	ck_assert_int_eq(textfile_replace(via_link, "x", 1), -ENOENT);
	ck_assert_int_eq(textfile_replace("/tmp/", "x", 1), -EINVAL);
	/* nothing left behind but the files written */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(unlink(other), 0);
	ck_assert_int_eq(unlink(link_dir), 0);
	ck_assert_int_eq(rmdir(dir), 0); /* fails if a temporary file stayed */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, label_values_are_escaped);
	tcase_add_test(tc, histograms_merge_a_share_and_count_cumulatively_in_seconds);
	tcase_add_test(tc, errors_and_the_rest_of_the_series);
	tcase_add_test(tc, the_text_file_is_replaced_atomically_and_follows_no_symlink);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
