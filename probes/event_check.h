/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The loader's check of each record the BPF programs hand over: the kernel
 * side is ours, but a record is input like any other, and a wrong one must
 * not reach the shared ring.
 */
#ifndef AOD_EVENT_CHECK_H
#define AOD_EVENT_CHECK_H

#include "aod_event.h"

/* NULL when ev may be passed on, else why not. */
const char *event_check(const struct aod_event *ev);
/* NUL-terminates comm and replaces bytes that are not printable ASCII. */
void event_comm_sanitize(char comm[AOD_COMM_LEN]);

#endif
