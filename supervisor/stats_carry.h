/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A worker's counters across its restarts: what `aodctl status` shows is
 * what the worker's earlier processes counted (carried) plus what its
 * current one reports, so a restart never makes a count go back. Gauges
 * (collections running, output directory size) are the current process's
 * alone; once a process died, nothing of it runs any more.
 *
 * The replies were validated (proto.h) but their figures are the worker's
 * word: sums saturate at UINT64_MAX, so a worker reporting nonsense cannot
 * wrap a count back to a small number, and detectord's per-anomaly counts
 * are matched by name, never by position.
 *
 * One fold per worker kind, each a row hook of the worker table
 * (worker.h's stats_fold): out = carried + reply, or with reply NULL (its
 * process died) what carries over to the next one.
 */
#ifndef SUP_STATS_CARRY_H
#define SUP_STATS_CARRY_H

#include "worker.h"

void carry_detector(union worker_stats *out, const union worker_stats *carried, const void *reply);
void carry_collector(union worker_stats *out, const union worker_stats *carried, const void *reply);
void carry_sweeper(union worker_stats *out, const union worker_stats *carried, const void *reply);

#endif
