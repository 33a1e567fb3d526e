/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cooldowns the supervisor keeps, so they survive detectord's restarts: a
 * restarted detectord starts with no memory of what it sent, and without
 * this every restart would let the next window's anomaly through again
 * (five kills, five collections within one cooldown_sec).
 *
 * The supervisor records, per anomaly name, the timestamp of the last
 * anomaly it accepted from detectord, and drops (counts, logs) one of the
 * same name whose timestamp lies within cooldown_sec of it, before or
 * after: a detectord's timestamps are its word, and one from the past is
 * not let through either. Timestamps are the anomalies' own (wall-clock
 * event time, detect.h), the same clock detectord measures its cooldowns
 * on, so a detectord that never restarts sees no difference. Manual
 * collections have no cooldown and never pass through here.
 *
 * A restarted detectord is handed these times right after its first
 * config (PROTO_COOLDOWNS), so it suppresses and counts such anomalies
 * itself; this check stays for what it judged before it read them.
 *
 * Bounded: one entry per name, at most PROTO_MAX_ANOMALIES (the config's
 * limit); when a reload brought new names the oldest entry makes room.
 */
#ifndef SUP_COOLDOWN_H
#define SUP_COOLDOWN_H

#include <stdbool.h>
#include <stdint.h>

#include "proto.h"

struct cooldowns {
	struct {
		char name[PROTO_NAME_LEN];
		uint64_t last_ns;
	} e[PROTO_MAX_ANOMALIES];
	unsigned n;
	uint64_t dropped;  /* anomalies dropped inside their cooldown */
};

/* True when an anomaly name at ts_ns may be collected (and then recorded
 * as its last); false (counted in dropped) when it falls within
 * cooldown_ns of the last one of that name. cooldown_ns 0: always true. */
bool cooldown_admit(struct cooldowns *c, const char *name, uint64_t ts_ns, uint64_t cooldown_ns);

#endif
