/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sweeperd's side of the supervisor protocol on its socket (fd 3): the first
 * PROTO_CONFIG (refused: CONFIG_ACK < 0 and exit 78), READY and a first
 * sweep, then a sweep every cleanup_interval_sec and on SWEEP_NOW; CONFIG ->
 * reload, CONFIG_ACK and a sweep with the new limits; STATS_REQ ->
 * STATS_SWEEPER; SHUTDOWN -> DRAINED, exit 0. EOF: exit 1. A malformed or
 * unexpected message: logged, exit 1. SIGTERM/SIGINT: exit 0.
 */
#ifndef AOD_SWEEPERD_WORKER_H
#define AOD_SWEEPERD_WORKER_H

#include "wproc.h"

/* sweeperd's row of the worker skeleton. */
extern const struct wproc_desc sweeperd_proc;
/* what sweeperd may do once it runs (confine.c) */
extern const struct sandbox_policy sweeperd_sandbox;

/* Runs sweeperd on sock (wproc_run); returns the exit status (0, 1 or
 * AOD_EX_CONFIG). */
int sweeperd_run(int sock);

#endif
