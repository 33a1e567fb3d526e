/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The worker table, as OpenBSD relayd's procs[]: one row per worker says
 * everything the supervisor does differently for it (worker.h's struct
 * worker_kind: executable, extra descriptors, capabilities kept, statistics
 * message and validator, its own messages, its place in the shutdown order
 * and its share of the deadline). Spawning, restarting, verifying, stats
 * gathering and the stop sequence loop over the rows.
 *
 * Adding a worker is one row in worker_table.c plus its folder (NAME/ with
 * an executable aodv2-NAME), and a name in enum worker_id (worker.h) for the
 * row's index.
 */
#ifndef SUP_WORKER_TABLE_H
#define SUP_WORKER_TABLE_H

#include "worker.h"

extern const struct worker_kind worker_table[W_NR];

#endif
