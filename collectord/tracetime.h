/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The timestamp of one line of a tracefs "trace" file:
 *   "  cat-1234    [001] ..... 12345.678901: smb3_cmd_enter: ..."
 * (seconds.microseconds, or nanoseconds with 9 digits, before the first
 * ": " that follows the CPU field).
 */
#ifndef AOD_TRACETIME_H
#define AOD_TRACETIME_H

#include <stdint.h>

/* 0 and the time in ns, or -EINVAL for a line without one. */
int tracetime_parse(const char *line, uint64_t *ns);

#endif
