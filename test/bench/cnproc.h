/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fork events from the kernel's process connector (root only): a thread
 * records the CLOCK_MONOTONIC time at which each process forked a child,
 * so a benchmark can see, from outside, the moment collectord starts an
 * action. The kernel stamps the event itself (ktime_get_ns), so how late
 * this thread reads it does not matter.
 */
#ifndef AOD_CNPROC_H
#define AOD_CNPROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct cnproc;

/* Starts listening; 0 or -errno (-EPERM without CAP_NET_ADMIN). */
int cnproc_start(struct cnproc **out);
/* Stops the thread and returns the fork times (ascending) of children of
 * parent; *n is set; the array is the caller's to free. */
uint64_t *cnproc_stop(struct cnproc *c, pid_t parent, size_t *n);

#endif
