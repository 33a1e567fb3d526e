/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by the packaging suite's Check tests. */
#ifndef PKGTEST_H
#define PKGTEST_H

/* The whole file as a NUL-terminated string (malloc'd); fails the running
 * test when it cannot be read. */
char *pkgtest_read_file(const char *path);

#endif
