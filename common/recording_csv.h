/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One CSV recording line -> one event (recording.h describes the columns).
 * Private to recording.c and its tests.
 */
#ifndef AOD_RECORDING_CSV_H
#define AOD_RECORDING_CSV_H

#include "aod_event.h"

/* Longest line the reader accepts; anything longer is malformed. */
#define RECORDING_CSV_MAX_LINE 1024

/* Parses line (without its newline; modified in place) into *ev.
 * Returns 0, or -EINVAL with *why naming the bad field. */
int recording_csv_parse(char *line, struct aod_event *ev, const char **why);

#endif
