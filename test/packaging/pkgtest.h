/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by the packaging suite's Check tests. */
#ifndef PKGTEST_H
#define PKGTEST_H

#include <stddef.h>

/* The whole file as a NUL-terminated string (malloc'd); fails the running
 * test when it cannot be read. */
char *pkgtest_read_file(const char *path);
/* Splits text in place at newlines (empty lines are dropped); returns the
 * malloc'd array of line pointers into text and sets *n. */
char **pkgtest_lines(char *text, size_t *n);

#endif
