/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `aodctl status` shows, as text for people (status_text.c) or JSON
 * for machines (status_json.c, written by common/json.c, so kernel-supplied
 * text cannot break the document): workers (pid, state, uptime, restarts,
 * uid, capabilities), probes, ring counters, per-anomaly counts from
 * detectord, collections from collectord, the output directory from
 * sweeperd, and the config files in effect. The worker figures come from the
 * last PROTO_STATS_* replies, gathered without ever blocking the loop.
 */
#ifndef SUP_STATUS_H
#define SUP_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sup;
struct worker;

#define STATUS_GATHER_MS 500u

int status_init(struct sup *s);
/* Asks every live worker for stats (if no round is running). */
void status_gather_start(struct sup *s);
/* True once, when the round is complete: every worker asked has answered
 * or is gone, or STATUS_GATHER_MS passed. The loop calls it after every
 * turn (settle.h) and then answers the waiting clients. */
bool status_gather_settle(struct sup *s);
/* The status document in *text (malloc'd, NUL-terminated, the caller
 * frees it) of *len bytes. 0 or -errno. */
int status_render(struct sup *s, bool json, char **text, size_t *len);

/* For the two renderers. */
int status_json(struct sup *s, char **text, size_t *len);
int status_text(struct sup *s, char **text, size_t *len);
/* The user name of a worker's observed uid ("" when unknown). */
const char *status_uid_name(const struct sup *s, uid_t uid, char *buf, size_t len);
uint64_t status_uptime_ms(const struct worker *w, uint64_t now);
/* Windows suppressed by cooldown, over detectord's anomalies. */
uint64_t status_suppressed_total(const struct sup *s);

#endif
