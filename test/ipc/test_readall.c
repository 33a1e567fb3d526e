// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bounded whole-file reads (readall.h): a source that reports no size (a
 * pipe, like procfs) is read whole past the first allocation, never past
 * max, and the text is always NUL-terminated; a caller that asks for
 * max + 1 sees that a file is too long.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "readall.h"

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

int main(void)
{
	Suite *s = suite_create("readall");
	TCase *tc = tcase_create("bounded");
	tcase_add_test(tc, a_stream_longer_than_the_first_buffer_is_read_whole);
	tcase_add_test(tc, never_more_than_max);
	tcase_add_test(tc, an_empty_file_and_a_bad_fd);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
