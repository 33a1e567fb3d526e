/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The flight recorder, the supervisor's half (watcher.flight_recorder):
 * keeps the cifs trace ring (tracering.h) and the packet ring (pcapring.h)
 * armed while the probes run, and hands collectord, with each anomaly, what
 * it needs to put the seconds before the trigger into the collection:
 *  - the events of the pre_sec before the trigger, copied from the shared
 *    event ring's slots (it holds the last ring_capacity_events whatever
 *    detectord consumed: no second buffer) into a sealed memfd, after the
 *    share names (AOD_EV_WHERE records) those events need;
 *  - a read-only fd of the trace ring's "trace" file, with the same window
 *    (collectord keeps that part of it);
 *  - an fd of the packet ring's directory.
 * collectord turns them into events.csv.zst, cifs-trace.txt.zst and
 * packets.pcap.zst; the snapshots (stats.txt.zst, tcp.txt.zst) need nothing
 * privileged and are collectord's alone.
 *
 * The rings run only with the bpf source: a replay has no kernel to trace.
 * Promise: flightrec_close leaves no tracefs instance, capture process or
 * ring file behind.
 */
#ifndef SUP_FLIGHTREC_H
#define SUP_FLIGHTREC_H

#include <stdbool.h>
#include <sys/types.h>

#include "pcapring.h"
#include "proto.h"
#include "tracering.h"

struct sup;
struct worker;

struct flightrec {
	struct sup *s;
	bool rings;          /* the source is the kernel: arm the rings */
	struct tracering trace;
	struct pcapring pcap;
	bool trace_on, pcap_on; /* as configured now */
};

/* Arms what s->cfg asks for. Never fails the supervisor: a ring that cannot
 * start is logged and left out. Every other call takes r NULL (no recorder:
 * it could not be allocated) as a no-op. */
void flightrec_open(struct flightrec *r, struct sup *s, bool rings);
/* The config changed (reload): rings are armed, re-armed or stopped. */
void flightrec_reload(struct flightrec *r);
/* Cheap; called on probe wakeups: enables the trace events once cifs is loaded. */
void flightrec_poke(struct flightrec *r);
bool flightrec_reaped(struct flightrec *r, pid_t pid, int status);
/* Sends collectord the inputs of anomaly a (before a itself). A failed send
 * costs that output only: logged, the anomaly still goes. */
void flightrec_send_inputs(struct flightrec *r, struct worker *c, const struct proto_anomaly *a);
void flightrec_close(struct flightrec *r);

/* The events window (exposed for its unit test): writes the events of
 * spans with from_mono <= ts_ns <= to_mono into fd, in slot order; returns
 * how many, or -errno. */
long flightrec_write_window(int fd, const struct aod_event *const span[2], const size_t len[2],
			   unsigned nspans, uint64_t from_mono, uint64_t to_mono);
/* The share names the window's events need, written
 * before it: for each (session, tree) of an event in the window that has a
 * name in force at from_mono (known's, or announced in the ring before the
 * window), its AOD_EV_WHERE records stamped from_mono, once. At most
 * SMB_WHERE_MAX names. Returns how many records, or -errno. */
struct smb_where_table;
long flightrec_write_names(int fd, const struct aod_event *const span[2], const size_t len[2],
			   unsigned nspans, uint64_t from_mono, uint64_t to_mono,
			   const struct smb_where_table *known);

#endif
