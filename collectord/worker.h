/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collectord's side of the supervisor protocol on its socket (fd 3): the
 * first PROTO_CONFIG (refused: CONFIG_ACK < 0 and exit 78), READY, then
 * ANOMALY -> a collection -> COLLECTION_DONE, CONFIG -> reload + CONFIG_ACK,
 * STATS_REQ -> STATS_COLLECTOR, SHUTDOWN {deadline_ms} -> finish the running
 * collections (unstarted actions are recorded as not run once the deadline
 * passes, running ones are killed with their process groups) -> DRAINED,
 * exit 0. EOF: exit 1 at once, killing the helpers. A malformed message:
 * logged, exit 1. SIGTERM/SIGINT (a foreground run): the same drain with
 * shutdown_timeout_sec, without DRAINED.
 */
#ifndef AOD_COLLECTORD_WORKER_H
#define AOD_COLLECTORD_WORKER_H

#include "qa.h"
#include "wproc.h"

/* collectord's row of the worker skeleton. */
extern const struct wproc_desc collectord_proc;
/* what collectord may do once it runs (confine.c) */
extern const struct sandbox_policy collectord_sandbox;

/* Runs collectord on sock (wproc_run) until it should exit; returns the exit
 * status (0, 1 or AOD_EX_CONFIG). env says where actions find programs and
 * files. */
int collectord_run(int sock, const struct qa_env *env);

#endif
