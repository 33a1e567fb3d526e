/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Graceful stop, in order: sources stop; detectord drains the ring, closes
 * its windows and reports (its last anomalies are still routed); collectord
 * finishes running collections; then sweeperd. The whole sequence has one
 * deadline (shutdown_timeout_sec); whatever is still alive then is killed.
 * Also the --oneshot end: once a replay has been fed completely, detectord is
 * told to drain, and the supervisor stops once every collection has finished.
 */
#ifndef SUP_SHUTDOWN_H
#define SUP_SHUTDOWN_H

struct sup;

int shutdown_init(struct sup *s);
/* Starts the graceful stop (idempotent); exit_status is what main returns. */
void shutdown_begin(struct sup *s, int exit_status, const char *why);
/* Re-evaluates the stop sequence after a worker drained or died. */
void shutdown_progress(struct sup *s);
/* Re-evaluates the --oneshot end after replay, drain or collection news. */
void oneshot_progress(struct sup *s);

#endif
