/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writing a small file so that a reader sees the whole of it or nothing.
 *
 * Promise: atomic_file_write writes buf into a hidden temporary file beside
 * name (".<name>.tmp", created O_EXCL | O_NOFOLLOW, never following a
 * symlink; one a crashed writer left is removed first), gives it exactly
 * mode (whatever the umask), syncs it and renames it over name. On any
 * failure the temporary is removed, name is untouched, and -errno is
 * returned.
 */
#ifndef AOD_ATOMIC_FILE_H
#define AOD_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/types.h>

int atomic_file_write(int dirfd, const char *name, const void *buf, size_t len, mode_t mode);

#endif
