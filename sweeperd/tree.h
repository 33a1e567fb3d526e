/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Measuring and removing a directory tree by descriptor, never by path:
 * every step is openat/fstatat/unlinkat relative to the parent's fd, with
 * O_NOFOLLOW | O_DIRECTORY when descending and AT_SYMLINK_NOFOLLOW when
 * looking. A symlink is measured and removed as the link itself, so nothing
 * outside the tree can be counted or deleted through one, even if the tree
 * changes underneath (a directory swapped for a symlink fails to open).
 * Any depth is walked, with bounded open descriptors and no recursion. A
 * directory of the walker's own user that it may not enter or empty (mode
 * 000, say) is given owner rwx first (tree_size: r-x).
 */
#ifndef AOD_TREE_H
#define AOD_TREE_H

#include <stdint.h>

/* Bytes name (in dirfd) occupies on disk (st_blocks * 512, like du),
 * itself and everything below it. Returns 0 or -errno; *bytes holds what
 * could be counted. */
int tree_size(int dirfd, const char *name, uint64_t *bytes);
/* Removes name (in dirfd) and everything below it. Returns 0 or the first
 * -errno (what could be removed is gone). */
int tree_remove(int dirfd, const char *name);

#endif
