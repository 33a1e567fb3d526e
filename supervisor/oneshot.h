/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * --oneshot: replay a recording to completion. Once the replay has been fed
 * completely, detectord is told to drain (judge everything, close its
 * windows, report); once it has and every collection has finished, the
 * supervisor stops with status 0 (1 when the ring was not judged completely
 * or a worker needed for it cannot run).
 */
#ifndef SUP_ONESHOT_H
#define SUP_ONESHOT_H

struct sup;

/* Advances the oneshot run as far as the replay's and the workers' states
 * allow; the loop calls it after every turn (settle.h). */
void oneshot_progress(struct sup *s);

#endif
