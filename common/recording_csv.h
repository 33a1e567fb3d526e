/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One CSV recording line -> one event (recording.h describes the columns).
 * Private to recording.c and its tests.
 */
#ifndef AOD_RECORDING_CSV_H
#define AOD_RECORDING_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "aod_event.h"

/* Longest line the reader accepts; anything longer is malformed. */
#define RECORDING_CSV_MAX_LINE 1024

/* Parses line (without its newline; modified in place) into *ev.
 * Returns 0, or -EINVAL with *why naming the bad field. */
int recording_csv_parse(char *line, struct aod_event *ev, const char **why);
/* The same for a line with the share column (RECORDING_CSV_HEADER_SHARE):
 * share gets "" or a \\server\share name (SMB_WHERE_SHARE_LEN bytes). */
int recording_csv_parse_share(char *line, struct aod_event *ev, char *share, const char **why);

/* A line starting with '#' is a comment; RECORDING_CSV_GRID then a
 * relative ts_ns is the grid line (recording.h). Returns 1 with *grid_ns
 * set for a grid line, 0 for another comment, -EINVAL with *why for a grid
 * line whose number is bad. */
int recording_csv_parse_comment(const char *line, uint64_t *grid_ns, const char **why);

/* Formats *ev as one CSV line with its newline, ts_ns written relative to
 * base_ns (an event before base_ns is written at 0), in the form
 * recording_csv_parse reads back to the same event (a comm with control
 * characters has them as '?'). Returns the length, or -ENOSPC when cap is
 * too small (RECORDING_CSV_MAX_LINE always suffices). */
int recording_csv_format(const struct aod_event *ev, uint64_t base_ns, char *buf, size_t cap);
/* The same with the share column (RECORDING_CSV_HEADER_SHARE) before comm:
 * share is "" (unknown) or a \\server\share name. */
int recording_csv_format_share(const struct aod_event *ev, uint64_t base_ns, const char *share,
			       char *buf, size_t cap);

#endif
