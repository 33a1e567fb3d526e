// SPDX-License-Identifier: GPL-2.0-only
/* A worker's restart policy (backoff.h): delays and the give-up rule. */
#include "backoff.h"

void backoff_init(struct backoff *b)
{
	*b = (struct backoff){ .next_ms = WORKER_BACKOFF_FIRST_MS };
}

/* True when this death is the WORKER_GIVE_UP_DEATHS-th within the window. */
static bool backoff_record(struct backoff *b, uint64_t now)
{
	b->deaths[b->n_deaths % WORKER_GIVE_UP_DEATHS] = now;
	b->n_deaths++;
	if (b->n_deaths < WORKER_GIVE_UP_DEATHS)
		return false;
	uint64_t oldest = b->deaths[b->n_deaths % WORKER_GIVE_UP_DEATHS];
	return now - oldest <= WORKER_GIVE_UP_WINDOW_NS;
}

bool backoff_death(struct backoff *b, uint64_t ready_ns, uint64_t now, uint32_t *delay_ms)
{
	if (backoff_record(b, now))
		return true;
	if (ready_ns && now - ready_ns >= WORKER_HEALTHY_NS)
		b->next_ms = WORKER_BACKOFF_FIRST_MS;
	*delay_ms = b->next_ms;
	b->next_ms = b->next_ms * 2 > WORKER_BACKOFF_MAX_MS ? WORKER_BACKOFF_MAX_MS : b->next_ms * 2;
	return false;
}
