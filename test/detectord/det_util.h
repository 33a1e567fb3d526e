/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the detectord tests and benchmark: configs built by hand (the
 * judging code needs only the structs), events, and a sink that keeps the
 * anomalies the engine emits.
 */
#ifndef AOD_DET_UTIL_H
#define AOD_DET_UTIL_H

#include <string.h>

#include "config.h"
#include "detect.h"

#define MS 1000000ull
#define SEC 1000000000ull
/* Monotonic time of the first test event, and the test's fixed
 * CLOCK_MONOTONIC -> wall clock offset. */
#define T0 (1000ull * SEC)
#define WALL_OFFSET ((int64_t)1700000000 * (int64_t)SEC)
#define WALL(mono) ((uint64_t)(mono) + (uint64_t)WALL_OFFSET)

#define SMB2_CREATE 0x05
#define SMB2_READ 0x08
#define SMB2_WRITE 0x09

#define DT_MAX_ANOMALIES 4
#define DT_MAX_TRACK 8

struct dt_config {
	struct aod_config cfg;
	struct aod_anomaly_cfg an[DT_MAX_ANOMALIES];
	struct aod_track_command cmds[DT_MAX_ANOMALIES][DT_MAX_TRACK];
	int codes[DT_MAX_ANOMALIES][DT_MAX_TRACK];
	char names[DT_MAX_ANOMALIES][32];
};

static inline void dt_config_init(struct dt_config *t, double interval_sec)
{
	memset(t, 0, sizeof(*t));
	t->cfg.watch_interval_sec = interval_sec;
	t->cfg.anomalies = t->an;
}

static inline struct aod_anomaly_cfg *dt_anomaly(struct dt_config *t, const char *name,
						 enum aod_anomaly_type type, enum aod_mode mode,
						 uint32_t acceptable)
{
	unsigned i = t->cfg.n_anomalies++;
	struct aod_anomaly_cfg *a = &t->an[i];

	strncpy(t->names[i], name, sizeof(t->names[i]) - 1);
	a->name = t->names[i];
	a->type = type;
	a->tool = type == AOD_TYPE_LATENCY ? AOD_TOOL_SMBSLOWER : AOD_TOOL_SMBIOSNOOP;
	a->mode = mode;
	a->acceptable_count = acceptable;
	a->default_threshold_ms = 20;
	a->emergency_threshold_ms = 1000;
	a->cooldown_sec = 0;
	a->track_commands = t->cmds[i];
	a->track_codes = t->codes[i];
	return a;
}

static inline void dt_track_command(struct aod_anomaly_cfg *a, int cmd, uint32_t threshold_ms)
{
	a->track_commands[a->n_track_commands].command = cmd;
	a->track_commands[a->n_track_commands].threshold_ms = threshold_ms;
	a->n_track_commands++;
}

static inline void dt_track_code(struct aod_anomaly_cfg *a, int code)
{
	a->track_codes[a->n_track_codes++] = code;
}

static inline struct aod_event dt_lat(uint64_t ts, int cmd, uint64_t latency_ns)
{
	struct aod_event e;

	memset(&e, 0, sizeof(e));
	e.ts_ns = ts;
	e.latency_ns = latency_ns;
	e.session_id = 0x5e55;
	e.message_id = ts;
	e.tree_id = 3;
	e.pid = 4242;
	memcpy(e.comm, "dd", 3);
	e.command = (uint8_t)cmd;
	e.kind = AOD_EV_LATENCY;
	return e;
}

static inline struct aod_event dt_err(uint64_t ts, int cmd, int err)
{
	struct aod_event e = dt_lat(ts, cmd, 1 * MS);

	e.kind = AOD_EV_ERROR;
	e.err = (int16_t)err;
	e.nt_status = 0xC0000185u; /* STATUS_IO_DEVICE_ERROR */
	return e;
}

#define DT_CAP_MAX 256
struct dt_capture {
	struct proto_anomaly a[DT_CAP_MAX];
	unsigned n;
};

static inline void dt_capture_emit(const struct proto_anomaly *a, void *arg)
{
	struct dt_capture *c = arg;

	if (c->n < DT_CAP_MAX)
		c->a[c->n] = *a;
	c->n++;
}

#endif
