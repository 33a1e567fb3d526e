/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Manual collections: what aodctl collect, SIGUSR1 (the earlier AODv2
 * tool's snapshot signal) and collect_on_shutdown ask for. All three take
 * the same path: a PROTO_ANOMALY_MANUAL anomaly routed to collectord like a
 * detected one.
 *
 * Promise: a manual collection is only started while the supervisor runs
 * (or, for collect_on_shutdown, as the first step of the stop); the labels
 * of SIGUSR1 and the shutdown collection contain a ':', which no configured
 * anomaly name may, so they always run every watcher.actions entry.
 */
#ifndef SUP_MANUAL_H
#define SUP_MANUAL_H

#include <stdint.h>

struct sup;

#define MANUAL_LABEL_DEFAULT "manual"
#define MANUAL_LABEL_SIGUSR1 "manual:SIGUSR1"
#define MANUAL_LABEL_SHUTDOWN "manual:shutdown"

/* Routes a Manual anomaly labelled name (a configured anomaly's name runs
 * its actions); who says who asked, for the log. Returns its timestamp
 * (the collection is aod_<timestamp>). */
uint64_t manual_collect(struct sup *s, const char *name, const char *who);
/* SIGUSR1: a manual collection, logged; ignored while stopping. */
void manual_on_sigusr1(struct sup *s);
/* First step of a stop (called once): with collect_on_shutdown, queue the
 * shutdown collection for collectord ahead of its SHUTDOWN; collectord
 * lets running collections finish until the stop's deadline
 * (shutdown_timeout_sec), then stops what still runs and writes the
 * manifest. */
void manual_shutdown_begin(struct sup *s);

#endif
