/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * manifest.json: what a collection holds and how it came to be. Layout (keys
 * in this order; optional ones only when they apply):
 *
 *  aodv2_version, hostname, kernel_release, collection ("aod_<ts>"),
 *  status ("complete" | "failed"), error?, duration_ms,
 *  anomaly: { name, type ("Latency" | "Error" | "Manual"), emergency,
 *             timestamp_ns, time (UTC ISO 8601),
 *             summary: { interval_start_ns, interval_end_ns, events_judged,
 *                        violations, acceptable_count,
 *                        commands: [{command, count, p50_ms, p99_ms, max_ms}],
 *                        errors: [{errno, value, count}],
 *                        worst: [{command, latency_ms, errno, nt_status,
 *                                 session_id, tree_id, pid, comm}] } },
 *  actions: [{ name, status ("ok" | "failed" | "timed out" |
 *              "not available" | "not run"), reason? (why not available /
 *              not run), kind? ("program" | "builtin"), command? (argv, or
 *              what a builtin does), note?, output?, exit_status?, signal?,
 *              started_after_ms?, duration_ms?, bytes?, bytes_compressed?,
 *              stopped_at_duration?, truncated?,
 *              covers? (flight recorder parts: {from, to, from_ns, to_ns},
 *              the wall-clock span the output holds), error?, stderr? }]
 *
 * Times in ms are decimals with microsecond precision.
 */
#ifndef AOD_MANIFEST_H
#define AOD_MANIFEST_H

#include "collection.h"
#include "json.h"

/* The reserved, not yet complete manifest inside a collection folder. */
#define MANIFEST_TMP ".manifest.json.tmp"

/* Builds the manifest of col into j (initialised by the caller). */
void manifest_build(struct json *j, const struct collection *col);
/* Creates MANIFEST_TMP in dirfd with room for col's manifest allocated
 * (room for the summary at least). Returns the fd, or -errno: -ENOSPC when
 * not even that fits. A file system without fallocate gets the file only. */
int manifest_reserve(const struct collection *col, int dirfd);
/* Writes the manifest into fd (MANIFEST_TMP, from manifest_reserve, or -1
 * to create it now), syncs it and renames it manifest.json. Returns 0,
 * MANIFEST_SHORT when only the summary fitted (why: error), or -errno with
 * no manifest.json left behind. */
#define MANIFEST_SHORT 1
int manifest_write(const struct collection *col, int dirfd, int fd);

#endif
