/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * summary.txt: a collection explained for a person, beside manifest.json
 * (which stays the complete, machine-readable record). It says what happened
 * and when (local time and UTC), the rule that fired with its numbers, the
 * worst requests, what every action gathered (sizes) or why it failed, and
 * how to open each file.
 *
 * Promise: the file is written whole or not at all (atomic_file_write);
 * text that came from the kernel or a helper (a task's comm, stderr) has its
 * control characters replaced, so the summary is safe to cat.
 */
#ifndef AOD_SUMMARY_H
#define AOD_SUMMARY_H

#include <stddef.h>

#include "collection.h"
#include "config.h"

/* The rule of anomaly ac (NULL: a manual collection) as one line of text,
 * taken when the anomaly arrives (a reload later must not change what the
 * summary says fired). */
void summary_rule(char *buf, size_t cap, const struct aod_anomaly_cfg *ac);
/* Writes summary.txt into dirfd. Returns 0 or -errno. */
int summary_write(const struct collection *col, int dirfd);

#endif
