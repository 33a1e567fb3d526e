/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The output directory: created (with its parents) and handed to the
 * service user the workers run as, at start and when a reload moves it.
 */
#ifndef SUP_OUTDIR_H
#define SUP_OUTDIR_H

#include <sys/types.h>

/* 0 or -errno (logged). chown only when running as root. */
int outdir_prepare(const char *dir, uid_t uid, gid_t gid, const char *user);

#endif
