/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Anomaly handlers: one implementation per anomaly `type` in the config
 * (Latency, Error, ...). The window engine (detect.h) owns the time windows,
 * cooldowns and delivery; a handler only judges events and summarises.
 *
 * Contract for a handler:
 *  - init() turns one guardian.anomalies entry into precomputed tables
 *    (everything per-event is an array lookup: no allocation, hashing or
 *    syscalls while judging). It fails with -EINVAL and a reason for a
 *    config it cannot use.
 *  - judge() sees validated events of one window, in ring order: kind is
 *    AOD_EV_LATENCY or AOD_EV_ERROR, command < AOD_SMB2_NR_COMMANDS and
 *    0 <= err < HANDLER_MAX_ERRNO. It must still index its tables with masks,
 *    because the events live in memory another process writes. It returns how
 *    many events it judged (those of its kind) and may raise an emergency
 *    anomaly through handler_emergency() at the moment it judges the event.
 *  - close() ends the window: it fills *out and returns true when the window
 *    is anomalous, and resets the window either way.
 *  - adopt() takes over the open window of the instance it replaces on a
 *    reload, so a reload neither loses nor double-counts what was judged.
 *
 * Adding a type: write handler_<type>.c with a `const struct handler_ops`,
 * and add it to the table in handler_table.c.
 */
#ifndef AOD_HANDLER_H
#define AOD_HANDLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aod_event.h"
#include "config.h"
#include "proto.h"

/* errno values handlers index tables by: cifs maps NT status to errnos
 * below this (the kernel's MAX_ERRNO is 4095). */
#define HANDLER_MAX_ERRNO 4096u
/* Tables indexed by command are this wide so a mask keeps any byte in range. */
#define HANDLER_CMD_SLOTS 32u

/* The engine's side of an emergency: which instance raised it. */
struct handler_sink;

/* Called by judge() when one request is an anomaly on its own. a holds the
 * handler's summary of the window so far (the engine fills name, type,
 * timestamps and interval); event_ts_ns is the request's CLOCK_MONOTONIC
 * completion time. */
void handler_emergency(struct handler_sink *sink, struct proto_anomaly *a, uint64_t event_ts_ns);

struct handler_ops {
	const char *type_name;             /* as written in config: "Latency" */
	enum aod_anomaly_type type;
	enum proto_anomaly_type proto_type;
	size_t state_size;                 /* zeroed by the engine before init() */

	int (*init)(void *st, const struct aod_anomaly_cfg *cfg, char *err, size_t errlen);
	void (*adopt)(void *st, const void *old);
	size_t (*judge)(void *st, const struct aod_event *ev, size_t n, struct handler_sink *sink);
	bool (*close)(void *st, struct proto_anomaly *out);
	/* Latency above which one request is an emergency, 0 when there is none. */
	uint64_t (*emergency_ns)(const void *st);
};

/* The ops for a config type, or NULL when no handler implements it. */
const struct handler_ops *handler_lookup(enum aod_anomaly_type type);

/* The event kind an anomaly's tool produces: smbslower -> AOD_EV_LATENCY,
 * smbiosnoop -> AOD_EV_ERROR; 0 for an unknown tool. */
uint8_t handler_kind_of_tool(enum aod_tool tool);

#endif
