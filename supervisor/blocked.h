/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The blocked_tasks snapshot: state, wchan and kernel stack of every task in
 * uninterruptible sleep (D) and of every thread of the processes whose
 * requests the anomaly names as still in flight, read by the root
 * supervisor (a task's /proc/PID/stack needs CAP_SYS_ADMIN and ptrace
 * rights over it: collectord gets neither) and handed to collectord as
 * text. Bounded: BLOCKED_MAX_TASKS tasks, BLOCKED_MAX_TEXT bytes.
 */
#ifndef SUP_BLOCKED_H
#define SUP_BLOCKED_H

#include <stddef.h>

#include "proto.h"

#define BLOCKED_MAX_TASKS 256
#define BLOCKED_MAX_TEXT (56u * 1024u) /* fits one message with its header */

/* Writes the snapshot into buf (at most cap bytes, no NUL inside); returns
 * its length. proc: "/proc" (tests give another tree). */
size_t blocked_snapshot(const char *proc, const struct proto_anomaly *a, char *buf, size_t cap);

#endif
