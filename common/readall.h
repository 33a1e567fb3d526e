/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading a whole file, bounded. readall_fd reads fd from its position to
 * end of file or to max bytes, whichever comes first, into one malloc'd
 * buffer with a NUL after the *len bytes read. The buffer grows as data
 * arrives (procfs files report size 0), so max bounds memory, not only the
 * first allocation; a caller that must refuse longer files asks for max + 1
 * and checks *len. Returns 0 or -errno (EINTR is retried).
 */
#ifndef AOD_READALL_H
#define AOD_READALL_H

#include <stddef.h>

int readall_fd(int fd, size_t max, char **out, size_t *len);

#endif
