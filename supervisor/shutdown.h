/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Graceful stop, in the worker table's order (worker_table.h): sources stop;
 * detectord drains the ring, closes its windows and reports (its last
 * anomalies are still routed); collectord finishes running collections;
 * then sweeperd. The whole sequence has one deadline (shutdown_timeout_sec),
 * shared out by the table's rows; whatever is still alive then is killed.
 */
#ifndef SUP_SHUTDOWN_H
#define SUP_SHUTDOWN_H

struct sup;

int shutdown_init(struct sup *s);
/* Starts the graceful stop (idempotent); exit_status is what main returns.
 * The sequence itself advances in shutdown_progress. */
void shutdown_begin(struct sup *s, int exit_status, const char *why);
/* Advances the stop sequence as far as the workers' states allow; the loop
 * calls it after every turn (settle.h). Sets s->done at the end. */
void shutdown_progress(struct sup *s);

#endif
