/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aodv2's Prometheus exposition from one snapshot of what the supervisor
 * knows: the probes' in-kernel histograms and error counts (their (session,
 * tree) ids named server and share through the where table, series of the
 * same server, share and command merged), request and ring figures,
 * anomalies, collections, drops, worker restarts, build info. Pure: the
 * snapshot in, text out (supervisor/metrics.c takes the snapshot).
 */
#ifndef SUP_METRICS_RENDER_H
#define SUP_METRICS_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "probes.h"
#include "proto.h"
#include "smb_where.h"

#define METRICS_MAX_WORKERS 8

struct metrics_snap {
	const char *version;
	/* the probes (bpf source): NULL pm = no probes, no SMB series samples */
	const struct probes_metrics *pm;
	const struct smb_where_table *where;   /* NULL: every server and share unknown */
	uint64_t inflight, stuck, reconnects, bpf_ring_dropped;
	/* the shared ring and routing */
	uint64_t ring_produced, ring_dropped, queue_dropped;
	uint64_t collections_done, collections_failed;
	unsigned n_anomalies;
	struct {
		const char *name, *type;
		uint64_t detected;
	} anomalies[PROTO_MAX_ANOMALIES];
	unsigned n_workers;
	struct {
		const char *name;
		uint64_t restarts;
	} workers[METRICS_MAX_WORKERS];
};

/* 0, or -ENOMEM (the merge table); the stream's errors are the caller's. */
int metrics_render(const struct metrics_snap *m, FILE *f);

#endif
