/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The supervisor's table of which server and share each (session id, tree
 * id) names (common/smb_where.h), kept from the probes' tree connects,
 * disconnects and logoffs and from /proc/fs/cifs/DebugData (read at start,
 * on a tree connect whose session's address is not known yet, and when an
 * anomaly names ids the table lacks; at most WHERE_READS_PER_SEC a second).
 * Anomalies from detectord are stamped with it on their way to collectord.
 * Each share learned (or renamed) is announced (announce, when set): the bpf
 * source writes it into the event stream for detectord's scopes.
 */
#ifndef SUP_WHERE_H
#define SUP_WHERE_H

#include <stdbool.h>

#include "proto.h"
#include "smb_where.h"

#define WHERE_DEBUGDATA "/proc/fs/cifs/DebugData"
#define WHERE_READS_PER_SEC 4

typedef void (*where_announce_fn)(const struct smb_where *e, void *arg);

struct where {
	struct smb_where_table t;
	where_announce_fn announce;
	void *announce_arg;
	const char *path;          /* WHERE_DEBUGDATA; tests point it elsewhere */
	uint64_t window_ns;        /* start of the current read-rate second */
	unsigned reads_in_window;
	uint64_t reads, connects, gone, stamped, unknown;
};

void where_init(struct where *w, const char *debugdata_path);
/* Rereads DebugData (rate-limited unless force): 0, or -errno (cifs not
 * loaded: -ENOENT, which is not an error worth a log line). */
int where_reread(struct where *w, bool force);
struct probes_tree;
/* probes_tree_fn (builds with the probes only): arg is the struct where. */
void where_on_tree(const struct probes_tree *t, void *arg);
/* Announces every share not gone (a detectord that starts knows none). */
void where_announce_all(struct where *w);
/* Fills each worst request's server, address and share (empty when unknown). */
void where_stamp(struct where *w, struct proto_anomaly *a);

#endif
