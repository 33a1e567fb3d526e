/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The workers' watchdog: a worker that stops answering (stopped, deadlocked,
 * spinning) is noticed, shown and restarted, where otherwise it would stay
 * "running" while nothing it should do gets done.
 *
 * One timerfd in the supervisor's loop ticks every
 * WATCHDOG_INTERVAL(timeout) (5 s by default; no tick does more than send
 * one PING per worker). Each running worker gets a PING when none of its
 * own is outstanding, with a STATS_REQ behind it (so the counts carried
 * over a restart are at most one interval old); its skeleton answers the
 * PING at once with a PONG
 * (wproc.h), so an answer proves the worker's loop turns. A PING unanswered
 * for a quarter of the timeout makes the worker WS_NOT_ANSWERING (logged,
 * shown by status, collectord gets no anomalies meanwhile: they wait in the
 * queue); an answer makes it running again; unanswered for the whole
 * timeout (--worker-timeout, 60 s by default) it is killed (SIGKILL) and
 * restarted like any dead worker, with the usual backoff. A worker that
 * does not report ready within the timeout after its start is killed too.
 * Nothing is checked while the supervisor stops: the stop has its own
 * deadline.
 */
#ifndef SUP_WATCHDOG_H
#define SUP_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

struct sup;
struct worker;

/* A tick per twelfth of the timeout, never sparser than every 5 s. */
#define WATCHDOG_INTERVAL_MS(timeout_ms) ((timeout_ms) / 12u < 5000u ? (timeout_ms) / 12u : 5000u)

/* The timer, ticking from now on, for --worker-timeout timeout_sec
 * (args.h's range and default). 0 or -errno. */
int watchdog_init(struct sup *s, uint32_t timeout_sec);
void watchdog_close(struct sup *s);
/* A worker's PONG (a validated 8-byte body): false when it answers no
 * PING of ours (the caller treats that as a protocol violation). */
bool watchdog_pong(struct worker *w, const void *body);

#endif
