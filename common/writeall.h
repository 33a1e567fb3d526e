/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writing a whole buffer to an fd. writeall_fd writes all len bytes,
 * retrying short writes and EINTR; it returns 0, or -errno of the write
 * that failed (-EIO when write reports 0 bytes for a non-empty buffer, so
 * a caller never loops forever). What was written before a failure stays
 * written: callers that need all-or-nothing write to a temporary file
 * (atomic_file.h).
 */
#ifndef AOD_WRITEALL_H
#define AOD_WRITEALL_H

#include <stddef.h>

int writeall_fd(int fd, const void *buf, size_t len);

#endif
