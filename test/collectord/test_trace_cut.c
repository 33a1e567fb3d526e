// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cifs trace ring's part of a collection: a constructed tracefs "trace"
 * text cut to the window from pre_sec before the trigger up to it
 * (tracetime.h), whatever the read sizes, and the cifs-trace QuickAction
 * turning the supervisor's wall-clock window into the trace's monotonic one
 * and reporting what its output covers.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto.h"
#include "qa.h"
#include "tracetime.h"

#define S 1000000000ull

#define HEADER                                                                  \
	"# tracer: nop\n"                                                       \
	"#\n"                                                                   \
	"# entries-in-buffer/entries-written: 8/8   #P:2\n"                     \
	"#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"           \
	"#              | |         |   |||||     |         |\n"
#define BEFORE                                                                  \
	"              dd-40      [000] ..... 100.000000: smb3_cmd_enter: sid=0x1 tid=0x1 cmd=5 mid=1\n" \
	"           cifsd-9       [001] ..... 104.999999: smb3_cmd_done: sid=0x1 tid=0x1 cmd=5 mid=1\n" \
	" => cifs_demultiplex_thread\n"
#define INSIDE                                                                  \
	"              dd-40      [000] ..... 105.000000: smb3_cmd_enter: sid=0x1 tid=0x1 cmd=8 mid=2\n" \
	" => smb2_async_readv\n"                                                \
	"CPU:1 [LOST 3 EVENTS]\n"                                               \
	"           cifsd-9       [001] ..... 107.250000000: smb3_cmd_done: sid=0x1 tid=0x1 cmd=8 mid=2\n" \
	"              dd-40      [000] ..... 110.000000: smb3_cmd_enter: sid=0x1 tid=0x1 cmd=9 mid=3\n"
#define AFTER                                                                   \
	"              dd-40      [000] ..... 110.000001: smb3_cmd_done: sid=0x1 tid=0x1 cmd=9 mid=3\n" \
	"              dd-40      [000] ..... 111.000000: smb3_cmd_enter: sid=0x1 tid=0x1 cmd=5 mid=4\n"

static const char trace_text[] = HEADER BEFORE INSIDE AFTER;

/* What out (a memfd) holds, NUL-terminated and malloc'd. */
static char *contents(int out)
{
	off_t n = lseek(out, 0, SEEK_END);
	char *buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(pread(out, buf, (size_t)n, 0), n);
	buf[n] = '\0';
	return buf;
}

/* Cuts text to [from, to] feeding it chunk bytes at a time; returns the
 * output and the cut's final state. */
static char *cut_text(const char *text, size_t chunk, uint64_t from, uint64_t to,
		      struct tracecut *c, int *last_rc)
{
	int out = memfd_create("cut", MFD_CLOEXEC);
	ck_assert_int_ge(out, 0);
	tracecut_init(c, from, to, out);
	size_t len = strlen(text);
	int rc = 0;
	for (size_t off = 0; off < len && rc == 0; off += chunk)
		rc = tracecut_feed(c, text + off, len - off < chunk ? len - off : chunk);
	ck_assert_int_ge(rc, 0);
	*last_rc = rc;
	ck_assert_int_eq(tracecut_finish(c), 0);
	char *got = contents(out);
	close(out);
	return got;
}

START_TEST(cut_keeps_the_header_and_the_window_up_to_the_trigger)
{
	static const size_t chunks[] = { 1, 7, 64, sizeof(trace_text) };
	struct tracecut *c = malloc(sizeof(*c));
	ck_assert_ptr_nonnull(c);
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		int rc;
		char *got = cut_text(trace_text, chunks[i], 105 * S, 110 * S, c, &rc);
		ck_assert_msg(strcmp(got, HEADER INSIDE) == 0, "chunk %zu:\n%s", chunks[i], got);
		ck_assert_int_eq(rc, 1); /* complete: the caller stops reading */
		ck_assert_uint_eq(c->kept, 3);
		ck_assert_uint_eq(c->before, 2);
		ck_assert_uint_eq(c->oldest, 100 * S);
		ck_assert_uint_eq(c->first, 105 * S);
		ck_assert_uint_eq(c->last, 110 * S);
		free(got);
	}
	free(c);
}
END_TEST

START_TEST(cut_of_a_ring_without_events_in_the_window_is_its_header)
{
	struct tracecut *c = malloc(sizeof(*c));
	int rc;
	ck_assert_ptr_nonnull(c);
	char *got = cut_text(trace_text, 13, 50 * S, 99 * S, c, &rc);
	ck_assert_str_eq(got, HEADER);
	ck_assert_int_eq(rc, 1);
	ck_assert_uint_eq(c->kept, 0);
	ck_assert_uint_eq(c->oldest, 100 * S);
	free(got);
	/* a ring that recorded nothing at all */
	got = cut_text(HEADER, 5, 50 * S, 99 * S, c, &rc);
	ck_assert_str_eq(got, HEADER);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(c->oldest, 0);
	free(got);
	free(c);
}
END_TEST

START_TEST(cut_keeps_or_drops_long_lines_whole)
{
	size_t big = 3 * TRACECUT_LINE_MAX;
	const char *in_head = "  dd-40 [000] ..... 106.000000: smb3_cmd_enter: ";
	const char *out_head = "  dd-40 [000] ..... 104.000000: smb3_cmd_enter: ";
	char *text = malloc(2 * big + 512), *want = malloc(big + 512);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(want);
	size_t n = 0, w = 0;
	n += (size_t)sprintf(text + n, "%s", out_head);
	memset(text + n, 'o', big);
	n += big;
	text[n++] = '\n';
	w += (size_t)sprintf(want + w, "%s", in_head);
	memset(want + w, 'i', big);
	w += big;
	want[w++] = '\n';
	w += (size_t)sprintf(want + w, "  dd-40 [000] ..... 107.000000: smb3_cmd_done: last, no newline");
	want[w] = '\0';
	memcpy(text + n, want, w + 1);

	struct tracecut *c = malloc(sizeof(*c));
	int rc;
	ck_assert_ptr_nonnull(c);
	for (size_t chunk = 1000; chunk <= 100000; chunk *= 100) {
		char *got = cut_text(text, chunk, 105 * S, 110 * S, c, &rc);
		ck_assert_int_eq(rc, 0); /* nothing after the window yet */
		ck_assert_str_eq(got, want);
		ck_assert_uint_eq(c->kept, 2);
		ck_assert_uint_eq(c->before, 1);
		free(got);
	}
	free(c);
	free(text);
	free(want);
}
END_TEST

START_TEST(cut_reports_an_output_that_fails)
{
	struct tracecut *c = malloc(sizeof(*c));
	ck_assert_ptr_nonnull(c);
	tracecut_init(c, 0, 200 * S, -1);
	ck_assert_int_eq(tracecut_feed(c, trace_text, strlen(trace_text)), 0);
	ck_assert_int_eq(tracecut_finish(c), -EBADF);
	free(c);
}
END_TEST

/* Runs the cifs-trace QuickAction's builtin on trace_text with the window
 * [from, to] (seconds on the trace's clock, sent on the wall clock) in a
 * child, as collectord does; returns its output and stderr. */
static char *run_cifs_trace(uint64_t from, uint64_t to, int64_t off, char **err)
{
	const struct quickaction *qa = qa_find("cifs-trace");
	struct qa_env env = qa_env_default();
	struct qa_params params = {
		.inputs = 1u << PROTO_REC_CIFS_TRACE, .pre_sec = (uint32_t)((to - from) / S),
		.trace = { .from_ns = from + (uint64_t)off, .to_ns = to + (uint64_t)off,
			   .mono_to_wall_ns = off },
	};
	struct qa_plan *plan = malloc(sizeof(*plan));
	ck_assert_ptr_nonnull(qa);
	ck_assert_ptr_nonnull(plan);
	qa_make_plan(qa, &env, &params, plan);
	ck_assert_ptr_null(plan->unavailable);
	ck_assert_int_eq(plan->err, 0);
	ck_assert_int_eq(plan->kind, QA_BUILTIN);

	int in = memfd_create("trace", MFD_CLOEXEC), out = memfd_create("out", MFD_CLOEXEC);
	int errfd = memfd_create("err", MFD_CLOEXEC);
	ck_assert_int_ge(in, 0);
	ck_assert_int_ge(out, 0);
	ck_assert_int_ge(errfd, 0);
	ck_assert_int_eq(write(in, trace_text, strlen(trace_text)), (ssize_t)strlen(trace_text));
	ck_assert_int_eq(lseek(in, 0, SEEK_SET), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (dup2(in, STDIN_FILENO) < 0 || dup2(errfd, STDERR_FILENO) < 0)
			_exit(3);
		_exit(plan->run(plan, out) == 0 ? 0 : 1);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	char *got = contents(out);
	*err = contents(errfd);
	close(in);
	close(out);
	close(errfd);
	free(plan);
	return got;
}

START_TEST(cifs_trace_part_cuts_the_supervisors_window_and_says_what_it_covers)
{
	const int64_t off = 1800000000ll * (int64_t)S; /* wall - monotonic */
	char *err, span[96];
	char *got = run_cifs_trace(105 * S, 110 * S, off, &err);
	ck_assert_str_eq(got, HEADER INSIDE);
	snprintf(span, sizeof(span), "aodv2-span %llu %llu\n",
		 (unsigned long long)(105 * S + (uint64_t)off), (unsigned long long)(110 * S + (uint64_t)off));
	ck_assert_msg(strstr(err, span), "%s", err);
	ck_assert_msg(strstr(err, "3 events up to the trigger kept, 2 older ones left out"), "%s", err);
	free(got);
	free(err);

	/* the ring's oldest event is after the window's start: it covers from there */
	got = run_cifs_trace(95 * S, 110 * S, off, &err);
	ck_assert_str_eq(got, HEADER BEFORE INSIDE);
	snprintf(span, sizeof(span), "aodv2-span %llu %llu\n",
		 (unsigned long long)(100 * S + (uint64_t)off), (unsigned long long)(110 * S + (uint64_t)off));
	ck_assert_msg(strstr(err, span), "%s", err);
	ck_assert_msg(strstr(err, "oldest event is 5.000 s after the window's start"), "%s", err);
	free(got);
	free(err);

	/* nothing up to the trigger: no span */
	got = run_cifs_trace(90 * S, 99 * S, off, &err);
	ck_assert_str_eq(got, HEADER);
	ck_assert_msg(!strstr(err, "aodv2-span"), "%s", err);
	ck_assert_msg(strstr(err, "holds no event up to the trigger"), "%s", err);
	free(got);
	free(err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trace_cut");
	TCase *tc = tcase_create("cut");
	tcase_add_test(tc, cut_keeps_the_header_and_the_window_up_to_the_trigger);
	tcase_add_test(tc, cut_of_a_ring_without_events_in_the_window_is_its_header);
	tcase_add_test(tc, cut_keeps_or_drops_long_lines_whole);
	tcase_add_test(tc, cut_reports_an_output_that_fails);
	tcase_add_test(tc, cifs_trace_part_cuts_the_supervisors_window_and_says_what_it_covers);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
