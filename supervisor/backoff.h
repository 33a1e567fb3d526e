/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A worker's restart policy, pure over monotonic times so it can be tested
 * without waiting minutes: 1 s doubling to 60 s, reset after 60 s of healthy
 * running, and the give-up rule (5 deaths of one worker within 10 minutes).
 */
#ifndef SUP_BACKOFF_H
#define SUP_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

#define WORKER_GIVE_UP_DEATHS 5
#define WORKER_GIVE_UP_WINDOW_NS (600ull * 1000000000ull)
#define WORKER_BACKOFF_FIRST_MS 1000u
#define WORKER_BACKOFF_MAX_MS 60000u
#define WORKER_HEALTHY_NS (60ull * 1000000000ull)

struct backoff {
	uint32_t next_ms;                        /* delay of the next restart */
	uint64_t deaths[WORKER_GIVE_UP_DEATHS];  /* monotonic ns, a ring */
	unsigned n_deaths;
};

void backoff_init(struct backoff *b);
/* Records a death at now. ready_ns: when the dead process reported ready (0:
 * never); 60 s of running since then starts the delay over at 1 s. Returns
 * true when this is the 5th death within 10 minutes (give up); else stores
 * the restart delay (1 s doubling to 60 s) in *delay_ms. */
bool backoff_death(struct backoff *b, uint64_t ready_ns, uint64_t now, uint32_t *delay_ms);

#endif
