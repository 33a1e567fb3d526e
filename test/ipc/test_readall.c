// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bounded whole-file reads (readall.h): a source that reports no size (a
 * pipe, like procfs) is read whole past the first allocation, never past
 * max, and the text is always NUL-terminated; a caller that asks for
 * max + 1 sees that a file is too long. Whole-buffer writes (writeall.h):
 * a buffer larger than a pipe arrives whole even when signals interrupt
 * the writer, and a failed write is reported as -errno.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "readall.h"
#include "writeall.h"

/* A pipe holding n bytes of a repeating pattern, its write end closed. */
static int pipe_of(size_t n)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	if (fork() == 0) {
		close(p[0]);
		char chunk[4096];
		for (size_t i = 0; i < sizeof(chunk); i++)
			chunk[i] = (char)('a' + i % 26);
		for (size_t left = n; left;) {
			size_t k = left < sizeof(chunk) ? left : sizeof(chunk);
			if (write(p[1], chunk, k) != (ssize_t)k)
				_exit(1);
			left -= k;
		}
		_exit(0);
	}
	close(p[1]);
	return p[0];
}

START_TEST(a_stream_longer_than_the_first_buffer_is_read_whole)
{
	char *text = NULL;
	size_t len = 0;
	int fd = pipe_of(300000);
	ck_assert_int_eq(readall_fd(fd, 1u << 20, &text, &len), 0);
	ck_assert_uint_eq(len, 300000);
	ck_assert_int_eq(text[len], '\0');
	ck_assert_int_eq(text[299999], 'a' + (299999 % 4096) % 26);
	free(text);
	close(fd);
}
END_TEST

START_TEST(never_more_than_max)
{
	char *text = NULL;
	size_t len = 0;
	int fd = pipe_of(200001);
	ck_assert_int_eq(readall_fd(fd, 200000, &text, &len), 0);
	ck_assert_uint_eq(len, 200000);
	ck_assert_int_eq(text[len], '\0');
	free(text);
	close(fd);
}
END_TEST

START_TEST(an_empty_file_and_a_bad_fd)
{
	char *text = NULL;
	size_t len = 1;
	int fd = pipe_of(0);
	ck_assert_int_eq(readall_fd(fd, 10, &text, &len), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(text, "");
	free(text);
	close(fd);
	ck_assert_int_eq(readall_fd(fd, 10, &text, &len), -EBADF);
}
END_TEST

static void on_alarm(int sig)
{
	(void)sig;
}

/* A reader that sleeps before draining makes the writer block; a 1 ms
 * interval timer without SA_RESTART interrupts it many times over. */
START_TEST(interrupted_writes_still_deliver_everything)
{
	enum { N = 1 << 20 };
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[1]);
		usleep(50000);
		char *got = NULL;
		size_t len = 0;
		int rc = readall_fd(p[0], N + 1, &got, &len);
		int ok = rc == 0 && len == N;
		for (size_t i = 0; ok && i < len; i++)
			ok = got[i] == (char)(i % 251);
		_exit(ok ? 0 : 1);
	}
	close(p[0]);
	char *buf = malloc(N);
	for (size_t i = 0; i < N; i++)
		buf[i] = (char)(i % 251);
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */
	ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
	struct itimerval it = { .it_interval = { 0, 1000 }, .it_value = { 0, 1000 } };
	ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
	int rc = writeall_fd(p[1], buf, N);
	struct itimerval off = { 0 };
	setitimer(ITIMER_REAL, &off, NULL);
	close(p[1]);
	free(buf);
	ck_assert_int_eq(rc, 0);
	int status = -1;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

START_TEST(a_failed_write_is_reported)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(writeall_fd(p[1], "x", 1), -EPIPE);
	close(p[1]);
	ck_assert_int_eq(writeall_fd(p[1], "x", 1), -EBADF);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("readall");
	TCase *tc = tcase_create("bounded");
	tcase_add_test(tc, a_stream_longer_than_the_first_buffer_is_read_whole);
	tcase_add_test(tc, never_more_than_max);
	tcase_add_test(tc, an_empty_file_and_a_bad_fd);
	suite_add_tcase(s, tc);
	TCase *tw = tcase_create("writeall");
	tcase_add_test(tw, interrupted_writes_still_deliver_everything);
	tcase_add_test(tw, a_failed_write_is_reported);
	suite_add_tcase(s, tw);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
