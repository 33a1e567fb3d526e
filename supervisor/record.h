/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * --record FILE: the probes' events written to a binary recording as they
 * arrive. A write error stops recording (logged once), never the daemon.
 */
#ifndef SUP_RECORD_H
#define SUP_RECORD_H

#include <stddef.h>

#include "aod_event.h"

struct recorder;

int recorder_open(const char *path, struct recorder **out);
void recorder_write(struct recorder *r, const struct aod_event *ev, size_t n);
/* Flushes and closes; NULL is fine. */
void recorder_close(struct recorder *r);

#endif
