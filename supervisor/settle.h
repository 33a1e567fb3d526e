/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Lifecycle pulled, not pushed: handlers only record what happened (a
 * worker ready, drained, dead or giving up; a stats reply; the replay
 * finished; an anomaly queued), and after every turn of the loop the
 * supervisor settles what follows from it, in one place and one order:
 * queued anomalies delivered, a worker that gave up stops the supervisor,
 * the --oneshot run advanced, the stop sequence advanced, and status
 * replies sent once their round of stats is complete.
 */
#ifndef SUP_SETTLE_H
#define SUP_SETTLE_H

struct sup;

void sup_settle(struct sup *s);

#endif
