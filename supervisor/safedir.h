/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Directories the root supervisor changes (the output directory it hands
 * to the service user, the control socket's directory), reached without
 * following any symbolic link: every component is opened with O_NOFOLLOW
 * from the root down, and changes are made on the final descriptor, so a
 * symlink planted anywhere on the path (before or during the walk) is
 * refused, never followed with privileges.
 */
#ifndef SUP_SAFEDIR_H
#define SUP_SAFEDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Opens the absolute directory path (O_RDONLY|O_DIRECTORY), creating what
 * is missing when create (parents 0755, the last one mode, set exactly).
 * Returns the fd, or -errno: -ELOOP when a component is a symbolic link,
 * -ENOTDIR when one is something else than a directory, -EINVAL for a
 * relative path; `bad` (of bad_len) then names the offending component's
 * full path. *created tells whether the last component was made now. */
int safedir_open(const char *path, bool create, mode_t mode, bool *created, char *bad,
		 size_t bad_len);
/* A sentence for an error of safedir_open, e.g. "/x/link is a symbolic link
 * (a directory the supervisor changes as root is never reached through one)". */
void safedir_explain(int err, const char *bad, char *buf, size_t len);

#endif
