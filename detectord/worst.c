// SPDX-License-Identifier: GPL-2.0-only
#include "worst.h"

#include <string.h>

static void worst_fill(struct proto_worst *w, const struct aod_event *e)
{
	memset(w, 0, sizeof(*w));
	w->latency_ns = e->latency_ns;
	w->session_id = e->session_id;
	w->tree_id = e->tree_id;
	w->pid = e->pid;
	w->nt_status = e->nt_status;
	w->err = e->err;
	w->command = e->command;
	w->in_flight = e->kind == AOD_EV_INFLIGHT;
	/* The comm comes from shared memory: copy a bounded string; the rest
	 * of the array stays zero, so the message is always terminated. */
	memcpy(w->comm, e->comm, strnlen(e->comm, sizeof(w->comm) - 1));
}

void worst_insert(struct worst *wl, const struct aod_event *e)
{
	unsigned pos = wl->n < PROTO_WORST ? wl->n : PROTO_WORST - 1u;
	/* Move strictly faster entries down; equal ones keep their place. */
	while (pos > 0 && wl->w[pos - 1].latency_ns < e->latency_ns) {
		wl->w[pos] = wl->w[pos - 1];
		pos--;
	}
	worst_fill(&wl->w[pos], e);
	if (wl->n < PROTO_WORST)
		wl->n++;
}
