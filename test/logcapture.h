/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For tests of what a process logs: runs a function with stderr (where
 * log.h writes in the foreground) sent to a file, and returns what it wrote.
 */
#ifndef AOD_TEST_LOGCAPTURE_H
#define AOD_TEST_LOGCAPTURE_H

#include <check.h>
#include <stdlib.h>
#include <unistd.h>

/* The text fn logged to stderr (a static buffer, up to 64 KiB). */
static inline char *logcapture(void (*fn)(void))
{
	static char buf[1 << 16];
	char path[] = "/tmp/aodlog.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	int saved = dup(STDERR_FILENO);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	fn();
	ck_assert_int_eq(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

#endif
