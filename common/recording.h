/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event recordings: what `aodv2-supervisor --record FILE` writes and what
 * `--source replay:FILE` reads. Two formats, told apart by the first bytes:
 *  - binary: a header (magic "AODREC1\n", ABI version, record size, the
 *    wall-clock time of the first event) then struct aod_event records whose
 *    ts_ns are relative to the start of the recording;
 *    The records include the AOD_EV_WHERE announcements (common/ev_where.h)
 *    that name the shares, so a replay judges by share as the original did.
 *    A binary recording of another ABI version is refused.
 *  - CSV with the header line
 *    ts_ns,kind,command,latency_ns,errno,nt_status,session_id,tree_id,message_id,pid,comm
 *    or, naming each event's share, the same with a share column before comm
 *    (RECORDING_CSV_HEADER_SHARE: \\server\share or empty for unknown; the
 *    reader turns a share new for its (session_id, tree_id) into AOD_EV_WHERE
 *    records before the event)
 *    (ts_ns relative ns; kind latency|error|inflight; command SMB2_READ or a
 *    number; errno a name, a number or empty; nt_status hex or empty).
 *    A line starting with '#' is a comment, except the grid line
 *    "# grid_ns=N" before the first event: the original detector's windows
 *    lay on a grid through relative time N (a collection's events.csv says
 *    where its anomaly's windows were); the reader hands it out first as
 *    one AOD_EV_GRID record with ts_ns N. A grid line after an event is
 *    malformed. Readers before the grid line skip it as a malformed line.
 * Malformed CSV lines are reported with their line number through the
 * reader's error callback, skipped and counted; they never abort the read.
 */
#ifndef AOD_RECORDING_H
#define AOD_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aod_event.h"

#define RECORDING_MAGIC "AODREC1\n"
#define RECORDING_CSV_HEADER \
	"ts_ns,kind,command,latency_ns,errno,nt_status,session_id,tree_id,message_id,pid,comm"
#define RECORDING_CSV_GRID "# grid_ns="
#define RECORDING_CSV_HEADER_SHARE \
	"ts_ns,kind,command,latency_ns,errno,nt_status,session_id,tree_id,message_id,pid,share,comm"

/* The binary format's header, in host byte order, followed by
 * struct aod_event records. */
struct recording_file_header {
	char magic[8];          /* RECORDING_MAGIC, no NUL */
	uint32_t abi_version;   /* AOD_EVENT_ABI_VERSION */
	uint32_t record_size;   /* sizeof(struct aod_event) */
	uint64_t start_wall_ns; /* CLOCK_REALTIME of the first event, ns since the epoch */
	uint64_t reserved;      /* 0 */
};

struct recording_reader;

/* on_error(line_no, reason, arg) is called for each malformed line (CSV:
 * the line number, the header being line 1; binary: the record number from
 * 1). */
typedef void (*recording_error_fn)(unsigned long line, const char *reason, void *arg);

/* Opens path; returns 0 or -errno: -EBADMSG when it is not a recording
 * this build reads, -EPROTONOSUPPORT for a binary recording of another ABI
 * version. On failure why (may be NULL) says what, e.g. "recording ABI
 * version 1, this build reads 2". A CSV line longer than
 * RECORDING_CSV_MAX_LINE is refused while it is read: memory stays bounded
 * whatever the file holds. */
int recording_open(const char *path, recording_error_fn on_error, void *arg,
		   struct recording_reader **out, char *why, size_t why_len);
/* Next record (ts_ns relative to the recording start): an event, one of
 * the AOD_EV_WHERE records naming a share, or (CSV with a grid line, before
 * every other record) the AOD_EV_GRID record. Returns 1, 0 at the end,
 * -errno on a read error. */
int recording_next(struct recording_reader *r, struct aod_event *ev);
uint64_t recording_skipped(const struct recording_reader *r);
/* True for the binary format, false for CSV. */
bool recording_is_binary(const struct recording_reader *r);
/* Wall-clock time of the first event (binary format), 0 when unknown (CSV). */
uint64_t recording_start_wall_ns(const struct recording_reader *r);
void recording_close(struct recording_reader *r);

struct recording_writer;
/* Creates (or truncates) path; a symlink there is refused (-ELOOP), never
 * followed: the supervisor records as root. */
int recording_create(const char *path, struct recording_writer **out);
/* Writes events; ts_ns is rebased to the first event written. 0 or -errno. */
int recording_write(struct recording_writer *w, const struct aod_event *ev, size_t n);
int recording_finish(struct recording_writer *w); /* flush + close; 0 or -errno */

#endif
