/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The window engine: cuts the event stream into windows of event time,
 * lets every configured anomaly's handler judge each window, applies
 * cooldowns and hands anomalies to the caller.
 *
 * Windows are slices of the events' own CLOCK_MONOTONIC timestamps,
 * watch_interval_sec wide, on a grid anchored at the first event this
 * engine judged, or at an AOD_EV_GRID record seen before any event (a
 * replayed collection's grid: it extends back to events before it). A
 * window closes when an event at or past its end is judged, or when
 * detect_tick() is told the clock passed its end plus a grace
 * (a quarter of the interval, at most 200 ms) - so results depend only on the
 * order and timestamps of the events, not on how fast they are delivered,
 * provided the caller ticks only after draining what is available. An event
 * older than the open window (or than the last closed one) is "late": it is
 * counted and judged in the open window, never dropped.
 *
 * Time in anomalies is wall clock: CLOCK_MONOTONIC + one offset fixed when
 * the engine is created (so every anomaly of one detectord uses the same
 * conversion, whatever NTP does meanwhile). A window anomaly's timestamp_ns
 * is its window's end, an emergency's the slow request's completion; sent
 * timestamps are kept strictly increasing (a clash moves the later one by
 * 1 ns) because they name collection folders. Cooldowns are measured on
 * these timestamps, so they are event time too.
 *
 * The engine never allocates while judging; detect_create and detect_reload
 * allocate the handlers' state.
 */
#ifndef AOD_DETECT_H
#define AOD_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aod_event.h"
#include "config.h"
#include "proto.h"

/* Keys a server- or share-scoped anomaly judges one by one; the requests of
 * any further server or share are judged together under one "other" key
 * (logged, rate-limited) until a key makes room: a key whose window judged
 * nothing and whose cooldown is over. */
#define DETECT_SCOPE_KEYS 16u

struct detect;

/* Receives each anomaly that passed its cooldown, at the moment it is
 * decided (during detect_judge for an emergency). */
typedef void (*detect_emit_fn)(const struct proto_anomaly *a, void *arg);

/* Builds the handlers of cfg. mono_to_wall_ns: add to a CLOCK_MONOTONIC
 * time to get wall-clock ns (see detect_clock_offset). Returns 0, or
 * -EINVAL with a reason in err, or -ENOMEM. */
int detect_create(const struct aod_config *cfg, int64_t mono_to_wall_ns, detect_emit_fn emit,
		  void *arg, struct detect **out, char *err, size_t errlen);
void detect_free(struct detect *d);

/* Replaces the handlers with cfg's, atomically: on failure (-EINVAL + reason,
 * -ENOMEM) the old ones stay. An anomaly kept by name and type keeps its open
 * window, counters and cooldown; a changed watch_interval_sec closes the open
 * window first and anchors a new grid at the next event. */
int detect_reload(struct detect *d, const struct aod_config *cfg, char *err, size_t errlen);

/* Judges events in ring order (the caller releases them afterwards). */
void detect_judge(struct detect *d, const struct aod_event *ev, size_t n);

/* Closes the open window when now_mono_ns >= its end + grace. Call only
 * with the ring drained, or a slow reader would cut windows short. */
void detect_tick(struct detect *d, uint64_t now_mono_ns);
/* CLOCK_MONOTONIC ns at which detect_tick has work, 0 when no window is open. */
uint64_t detect_deadline(const struct detect *d);
/* Closes the open window now (shutdown). */
void detect_flush(struct detect *d);

/* The smallest emergency bound of all anomalies (ns), 0 when none has one:
 * a request at least this slow should wake the reader at once. */
uint64_t detect_wake_latency_ns(const struct detect *d);
uint64_t detect_interval_ns(const struct detect *d);

/* A restarted detectord's cooldowns, from the supervisor: the anomaly
 * called name (any type) counts as last sent at last_ns (wall clock), unless
 * it sent one later itself. False when no anomaly has that name. */
bool detect_restore_cooldown(struct detect *d, const char *name, uint64_t last_ns);

void detect_get_stats(const struct detect *d, struct proto_stats_detector *st);

/* CLOCK_REALTIME - CLOCK_MONOTONIC now, in ns (the engine's conversion). */
int64_t detect_clock_offset(void);

#endif
