/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `aodctl status` shows, as text for people or JSON for machines:
 * workers (pid, state, uptime, restarts, uid, capabilities), probes, ring
 * counters, per-anomaly counts from detectord, collections from collectord,
 * the output directory from sweeperd, and the config files in effect.
 * The worker figures come from the last PROTO_STATS_* replies, gathered by
 * status_gather_start without ever blocking the loop.
 */
#ifndef SUP_STATUS_H
#define SUP_STATUS_H

#include <stdbool.h>

#include "strbuf.h"

struct sup;
struct worker;

#define STATUS_GATHER_MS 500u

int status_init(struct sup *s);
/* Asks every live worker for stats (if no round is running). When every
 * reply arrived, or after STATUS_GATHER_MS, control_status_ready runs. */
void status_gather_start(struct sup *s);
/* A stats reply (or the worker's death) arrived. */
void status_gather_note(struct sup *s, struct worker *w);
int status_render(struct sup *s, bool json, struct strbuf *out);

#endif
