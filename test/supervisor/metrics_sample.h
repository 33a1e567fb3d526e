/* SPDX-License-Identifier: GPL-2.0-only */
/* A metrics snapshot with odd label values (quotes, backslashes, a newline,
 * invalid UTF-8), two (session, tree) keys of one share, an unknown share
 * and an unknown errno: for test_metrics and metrics_sample. */
#ifndef TEST_METRICS_SAMPLE_H
#define TEST_METRICS_SAMPLE_H

#include <string.h>

#include "metrics_render.h"

struct sample {
	struct smb_where_table where;
	struct probes_hist hist[4];
	struct probes_errs errs[3];
	struct probes_metrics pm;
	struct metrics_snap snap;
};

static inline void sample_where(struct sample *x, uint64_t ses, uint32_t tid, const char *server, const char *share)
{
	struct smb_where w = { .session_id = ses, .tree_id = tid };

	snprintf(w.server, sizeof(w.server), "%s", server);
	snprintf(w.share, sizeof(w.share), "%s", share);
	smb_where_put(&x->where, &w);
}

static inline void sample_init(struct sample *x)
{
	memset(x, 0, sizeof(*x));
	smb_where_init(&x->where);
	sample_where(x, 1, 10, "srv\"1", "\\\\srv\"1\\da\nta");
	sample_where(x, 2, 20, "srv\"1", "\\\\srv\"1\\da\nta"); /* the same share after a reconnect */
	sample_where(x, 3, 30, "b\xff" "ad", "\\\\b\xff" "ad\\x");
	x->hist[0] = (struct probes_hist){ .session_id = 1, .tree_id = 10, .command = 8, .sum_us = 3000,
					   .slots = { [10] = 1, [11] = 1 } };
	x->hist[1] = (struct probes_hist){ .session_id = 2, .tree_id = 20, .command = 8, .sum_us = 40000000,
					   .slots = { [25] = 1, [27] = 1 } };
	x->hist[2] = (struct probes_hist){ .session_id = 3, .tree_id = 30, .command = 5, .sum_us = 1,
					   .slots = { [0] = 1 } };
	x->hist[3] = (struct probes_hist){ .session_id = 9, .tree_id = 90, .command = 5, .sum_us = 5,
					   .slots = { [2] = 1 } };
	x->errs[0] = (struct probes_errs){ .session_id = 1, .tree_id = 10, .command = 5, .err = 13,
					   .nt_status = 0xc0000022u, .count = 2 };
	x->errs[1] = (struct probes_errs){ .session_id = 2, .tree_id = 20, .command = 5, .err = 13,
					   .nt_status = 0xc0000022u, .count = 3 };
	x->errs[2] = (struct probes_errs){ .session_id = 9, .tree_id = 90, .command = 8, .err = 4000,
					   .nt_status = 0xc000020cu, .count = 1 };
	x->pm = (struct probes_metrics){ .hist = x->hist, .n_hist = 4, .errs = x->errs, .n_errs = 3,
					 .overflow_hist = 7, .overflow_errs = 1 };
	x->snap = (struct metrics_snap){ .version = "0.1.0", .pm = &x->pm, .where = &x->where, .inflight = 2,
					 .stuck = 1, .reconnects = 3, .bpf_ring_dropped = 4, .ring_produced = 100,
					 .ring_dropped = 5, .queue_dropped = 6, .collections_done = 8,
					 .collections_failed = 1, .n_anomalies = 2, .n_workers = 3 };
	x->snap.anomalies[0].name = "slow\\reads";
	x->snap.anomalies[0].type = "Latency";
	x->snap.anomalies[0].detected = 4;
	x->snap.anomalies[1].name = "errors";
	x->snap.anomalies[1].type = "Error";
	x->snap.anomalies[1].detected = 2;
	x->snap.workers[0].name = "detectord";
	x->snap.workers[1].name = "collectord";
	x->snap.workers[1].restarts = 2;
	x->snap.workers[2].name = "sweeperd";
}

#endif
