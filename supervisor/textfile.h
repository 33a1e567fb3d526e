/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Replacing a file that another program reads (node_exporter's textfile
 * collector) so it never sees a partial one: the text is written under a
 * temporary name in the same directory (atomic_file.h: ".<name>.tmp", which
 * does not end in .prom), made mode 0644, synced, then renamed over the
 * target. The
 * directory is opened with O_NOFOLLOW | O_DIRECTORY and everything after
 * that is relative to it; the temporary file is created with O_EXCL |
 * O_NOFOLLOW; a symlink at the target's name is replaced, never followed.
 */
#ifndef SUP_TEXTFILE_H
#define SUP_TEXTFILE_H

#include <stddef.h>

/* 0 or -errno (-ENOTDIR: the directory is a symlink); nothing is left behind
 * on failure. */
int textfile_replace(const char *path, const char *text, size_t len);

#endif
