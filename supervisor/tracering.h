/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The cifs trace ring: a private tracefs instance (instances/aodv2-<pid>)
 * recording the cifs events the config's globs name into a bounded buffer
 * (buffer_size_kb per CPU), with the CLOCK_MONOTONIC trace clock and
 * pause-on-trace off, so reading "trace" neither consumes nor stops it.
 *
 * Promise: one instance per supervisor, removed by tracering_close; an
 * instance left by a supervisor that no longer runs is removed at open. The
 * events are enabled as soon as cifs.ko is loaded (tracering_poke retries
 * cheaply until then). Only root opens tracefs: collectord gets one
 * read-only fd of "trace" per anomaly (tracering_open_trace).
 */
#ifndef SUP_TRACERING_H
#define SUP_TRACERING_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct tracering {
	int dirfd;         /* the instance's directory, -1 when none */
	char name[32];     /* aodv2-<pid> */
	char root[128];    /* the tracefs mount */
	bool events_on;    /* at least one cifs event enabled */
	unsigned n_events; /* how many */
	uint32_t kb;       /* the settings it was made with */
	char globs[1024];
};

void tracering_init(struct tracering *t);
/* Creates the instance and arms it per cfg. 0 or -errno (logged). */
int tracering_open(struct tracering *t, const struct aod_recorder_cfg *cfg);
/* Enables the events when cifs has appeared; cheap when already on. */
void tracering_poke(struct tracering *t, const struct aod_recorder_cfg *cfg);
/* A new read-only fd of the instance's "trace", or -errno. */
int tracering_open_trace(const struct tracering *t);
void tracering_close(struct tracering *t);
/* True when cfg asks for other settings than t was made with. */
bool tracering_differs(const struct tracering *t, const struct aod_recorder_cfg *cfg);

#endif
