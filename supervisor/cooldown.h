/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cooldowns the supervisor keeps, so they survive detectord's restarts: a
 * restarted detectord starts with no memory of what it sent, and without
 * this every restart would let the next window's anomaly through again
 * (five kills, five collections within one cooldown_sec).
 *
 * The supervisor records, per anomaly name and scope key (the share of a
 * share-scoped anomaly, the server of a server-scoped one, "" for the
 * host: cooldowns are per key, aodv2.yaml(5) scope), the timestamp of the
 * last anomaly it accepted from detectord, and drops (counts, logs) one of
 * the same name and key whose timestamp lies within cooldown_sec of it, before or
 * after: a detectord's timestamps are its word, and one from the past is
 * not let through either. Timestamps are the anomalies' own (wall-clock
 * event time, detect.h), the same clock detectord measures its cooldowns
 * on, so a detectord that never restarts sees no difference. Manual
 * collections have no cooldown and never pass through here.
 *
 * A restarted detectord is handed, per name, the latest of these times
 * right after its first config (PROTO_COOLDOWNS), so it suppresses and
 * counts such anomalies itself (for a scoped anomaly every key waits out
 * that one: a restart errs towards fewer collections); this check stays
 * for what it judged before it read them.
 *
 * Bounded: COOLDOWN_MAX entries (every anomaly the config allows, a few
 * keys each); when full, the entry whose last anomaly is the oldest makes
 * room.
 */
#ifndef SUP_COOLDOWN_H
#define SUP_COOLDOWN_H

#include <stdbool.h>
#include <stdint.h>

#include "proto.h"

#define COOLDOWN_MAX (4u * PROTO_MAX_ANOMALIES)

struct cooldowns {
	struct {
		char name[PROTO_NAME_LEN];
		char key[PROTO_SHARE_LEN]; /* share, server or "" (host) */
		uint64_t last_ns;
	} e[COOLDOWN_MAX];
	unsigned n;
	uint64_t dropped;  /* anomalies dropped inside their cooldown */
};

/* True when an anomaly (name, scope key) at ts_ns may be collected (and
 * then recorded as its last); false (counted in dropped) when it falls
 * within cooldown_ns of the last one of that name and key. cooldown_ns 0:
 * always true. key NULL is the host's (""). */
bool cooldown_admit(struct cooldowns *c, const char *name, const char *key, uint64_t ts_ns,
		    uint64_t cooldown_ns);
/* The scope key of an anomaly (proto.h): its share, its server, or "". */
const char *cooldown_key_of(const struct proto_anomaly *a);

#endif
