/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One collection: the folder for one anomaly and what became of each of its
 * actions.
 *
 * Promise: a collection is written under the temporary name
 * .aod_<ts>.partial/ and only renamed (never over an existing one) after
 * manifest.json is written: to aod_<ts>/ when it is complete, to
 * aod_<ts>.failed/ when it failed (a write error, a full disk), so a reader
 * or the sweeper never sees a half-written or failed collection under a
 * complete name. Room for the manifest is reserved when the folder is made,
 * and the manifest is written to a temporary file, synced and renamed, so
 * manifest.json is never empty or truncated: on a disk too full for the
 * whole manifest it holds the summary (status "failed", the error, the
 * anomaly) without the actions. If the name is taken (two anomalies in one
 * nanosecond, a clock step), the next free <ts> is used.
 */
#ifndef AOD_COLLECTION_H
#define AOD_COLLECTION_H

#include <stdbool.h>
#include <stdint.h>

#include "proto.h"
#include "qa.h"

#define COLLECTION_STDERR_TAIL 512

enum result_state {
	RES_PENDING = 0,   /* not started yet */
	RES_RUNNING,
	RES_OK,            /* exited 0 (or stopped at its duration) and its output is stored */
	RES_FAILED,        /* exit status, signal, or its output could not be stored */
	RES_TIMED_OUT,     /* its process group was killed at action_timeout_sec */
	RES_NOT_AVAILABLE, /* its program or file does not exist here */
	RES_NOT_RUN,       /* never started: no folder, or collectord shutting down */
};

struct action_result {
	const char *name;          /* from the QuickAction table (outlives configs) */
	const struct quickaction *qa;
	enum result_state state;
	struct qa_plan *plan;      /* what ran (NULL until planned) */
	char output[64];           /* "<name>.<ext>.zst"; "" when no file was made */
	int exit_code;             /* -1 unless it exited */
	int term_signal;           /* 0 unless a signal ended it */
	uint64_t start_ns, end_ns; /* CLOCK_MONOTONIC; 0 when it never started */
	uint64_t raw_bytes, zst_bytes;
	bool stopped;              /* SIGTERM at its planned duration (tcpdump) */
	bool truncated;            /* output beyond the plan's size cap dropped */
	char error[256];
	char stderr_tail[COLLECTION_STDERR_TAIL];
	unsigned stderr_len;
	int input_fd;              /* flight recorder input for its stdin, -1 when none */
	uint64_t span_from_ns, span_to_ns; /* wall clock the output covers (0: not known) */
};

struct collection {
	struct collection *next;
	struct proto_anomaly anomaly;
	char name[PROTO_NAME_LEN];     /* aod_<ts> */
	char tmpname[PROTO_NAME_LEN + 16]; /* .aod_<ts>.partial */
	int outfd;                     /* aod_output_dir, -1 when it could not be opened */
	int dirfd;                     /* the .partial folder, -1 when it does not exist */
	int manifest_fd;               /* its reserved manifest (MANIFEST_TMP), or -1 */
	int status;                    /* 0, or the first -errno that cost data */
	char error[256];
	char rule[384];                /* summary_rule(): what fired, as configured then */
	uint64_t received_ns;          /* CLOCK_MONOTONIC when the anomaly arrived */
	uint64_t finished_ns;
	/* The config, as it was when the anomaly arrived. */
	int level;
	uint32_t timeout_sec;
	struct qa_params params;
	unsigned n, next_start, n_done; /* actions; next to start; finished */
	struct action_result res[];
};

/* A collection for anomaly a with the named actions (unknown names become
 * failed results). Returns NULL on ENOMEM. */
struct collection *collection_new(const struct proto_anomaly *a, char *const *actions,
				  unsigned n, uint64_t received_ns);
void collection_free(struct collection *col);
/* Records the collection-level error err (-errno) with a reason, once. */
void collection_error(struct collection *col, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Opens (creating if needed) output_dir and makes the .partial folder.
 * Returns 0 or -errno (recorded in col). */
int collection_open(struct collection *col, const char *output_dir);
/* Writes manifest.json and renames the folder aod_<ts> (or aod_<ts>.failed
 * when col->status says it failed). Returns 0 or -errno (recorded in col; a
 * rename failure leaves the .partial folder). */
int collection_finish(struct collection *col);
const char *result_state_name(enum result_state s);

#endif
