/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The flight recorder, collectord's half: which parts a collection gets
 * (watcher.flight_recorder) and the inputs the supervisor sent for it.
 *
 * A collection runs, in this order: snapshot (Stats, DebugData and
 * open_files at the trigger, into stats.txt.zst), tcp (ss -tin of port 445),
 * events (events.csv.zst from the supervisor's window), cifs-trace (the trace
 * ring's content in the same window), packets (cut from the packet ring once post_sec passed),
 * then the anomaly's actions (without `stats`, which the snapshots replace),
 * and last snapshot-end (the same files again, appended to stats.txt.zst once
 * every other part ended). Each is a result with its own manifest entry and
 * the span of time its output covers.
 *
 * The supervisor sends each input (PROTO_RECORDER_INPUT with an fd) right
 * before its anomaly: the stash keeps the latest of each kind; the anomaly
 * takes those sent for its timestamp and any other is closed.
 */
#ifndef AOD_FLIGHTREC_H
#define AOD_FLIGHTREC_H

#include <stdint.h>

#include "collection.h"
#include "config.h"
#include "proto.h"

/* Most parts the recorder adds to a collection. */
#define FLIGHTREC_MAX_PARTS 6

struct flightrec_stash {
	int fd[PROTO_REC_NR];
	struct proto_recorder_input in[PROTO_REC_NR];
};

void flightrec_stash_init(struct flightrec_stash *s);
/* Takes fd (closing the one of the same kind it replaces). */
void flightrec_stash_put(struct flightrec_stash *s, const struct proto_recorder_input *in, int fd);
void flightrec_stash_clear(struct flightrec_stash *s);
/* The part names for a collection of actions (char * into static names or
 * actions). Returns how many were written to out (cap >= n + FLIGHTREC_MAX_PARTS). */
unsigned flightrec_names(const struct aod_recorder_cfg *cfg, char *const *actions, unsigned n,
			 char **out, unsigned cap);
/* Moves the stash's inputs for col's anomaly onto its parts and params;
 * closes the others. */
void flightrec_attach(struct collection *col, struct flightrec_stash *s);
/* A part's child reports the span its output covers on stderr as one line
 * "aodv2-span FROM TO" (wall-clock ns); flightrec_take_span moves it from
 * the stderr tail into r's span. */
void flightrec_report_span(uint64_t from_ns, uint64_t to_ns);
void flightrec_take_span(struct action_result *r);

#endif
