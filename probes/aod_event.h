/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The event ABI shared by the BPF probes (probes/<tool>.bpf.c) and every user-space
 * reader: the supervisor's BPF drain, the shared memfd ring, recordings and
 * detectord. One record per completed (or failed) SMB request.
 *
 * Promise: struct aod_event is exactly 64 bytes, naturally aligned, with no
 * implicit padding. Any layout change bumps AOD_EVENT_ABI_VERSION; the ring
 * header and recording files carry that version and readers refuse others.
 */
#ifndef AOD_EVENT_H
#define AOD_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* 1: kinds 1 and 2. 2: kind 3 (in flight) and kinds 4 and 5 (share names). */
#define AOD_EVENT_ABI_VERSION 2
#define AOD_COMM_LEN 16

enum aod_event_kind {
	AOD_EV_LATENCY = 1, /* from smbslower: a request completed, latency_ns set */
	AOD_EV_ERROR = 2,   /* from smbiosnoop: a request failed, err / nt_status set */
	/* from the loader, not the kernel: a request still waiting for its
	 * response; ts_ns is when the start map was walked and latency_ns how
	 * long it had waited then (re-reported at every walk while it waits) */
	AOD_EV_INFLIGHT = 3,
	/* from the supervisor, not the kernel: names the share of one
	 * (session_id, tree_id); message_id is how many AOD_EV_WHERE_TEXT
	 * records follow it (1..4), which hold the share's \\server\share
	 * name (common/ev_where.h) */
	AOD_EV_WHERE = 4,
	AOD_EV_WHERE_TEXT = 5,
	/* from the replay source, not the kernel, and never in a recording
	 * file: detectord's windows lie on a grid through ts_ns (a replayed
	 * collection's events.csv judged in the original windows); read only
	 * before the first event, ignored after */
	AOD_EV_GRID = 6,
};

struct aod_event {
	__u64 ts_ns;      /* CLOCK_MONOTONIC at completion */
	__u64 latency_ns; /* completion - start; 0 when the start was not seen */
	__u64 session_id;
	__u64 message_id;
	__u32 tree_id;
	__u32 nt_status;  /* NT status of the response, 0 on success */
	__u32 pid;        /* tgid of the task that issued the request (at enter) */
	char comm[AOD_COMM_LEN];
	__u8 command;     /* SMB2 command code, 0x00 (NEGOTIATE) .. 0x12 */
	__u8 kind;        /* enum aod_event_kind */
	__s16 err;        /* positive errno the client mapped the status to, 0 if none */
};

/* An AOD_EV_WHERE_TEXT record: seq counts 0.. after its AOD_EV_WHERE;
 * text holds the next AOD_WHERE_TEXT_LEN bytes of the NUL-terminated name. */
#define AOD_WHERE_TEXT_LEN 52
struct aod_where_text {
	__u64 ts_ns;
	char text[AOD_WHERE_TEXT_LEN];
	__u8 seq;
	__u8 kind;        /* AOD_EV_WHERE_TEXT, where struct aod_event has kind */
	__u16 reserved;
};

/* Per-CPU counters the probes keep (array map "aod_counters"). */
enum aod_probe_counter {
	AOD_CNT_EMITTED = 0,     /* events written to the BPF ring buffer */
	AOD_CNT_RB_DROPPED = 1,  /* bpf_ringbuf_reserve failed: ring buffer full */
	AOD_CNT_STARTS = 2,      /* start entries stored at smb3_cmd_enter */
	AOD_CNT_MATCHED = 3,     /* completions that found their start entry */
	AOD_CNT_UNMATCHED = 4,   /* completions without a start entry */
	AOD_CNT_FLUSHED = 5,     /* start entries dropped on reconnect (or left by a failed compound) */
	AOD_CNT_FILTERED = 6,    /* completions below the minimum threshold or of filtered commands */
	AOD_CNT_REPLACED = 7,    /* start entries that replaced a stale one under the same key */
	AOD_CNT_OP_ERR_SAME = 8, /* per-operation errors smb3_cmd_err had already reported */
	AOD_CNT_NR = 9,
};

/* NT status codes that are normal protocol flow, not errors (see KERNEL.md). */
#define AOD_STATUS_MORE_PROCESSING_REQUIRED 0xC0000016u
#define AOD_STATUS_NO_MORE_FILES 0x80000006u
#define AOD_STATUS_END_OF_FILE 0xC0000011u

#define AOD_SMB2_NR_COMMANDS 19 /* 0x00 .. 0x12 */

#ifndef __VMLINUX_H__
_Static_assert(sizeof(struct aod_event) == 64, "aod_event must stay 64 bytes");
_Static_assert(sizeof(struct aod_where_text) == sizeof(struct aod_event) &&
		       __builtin_offsetof(struct aod_where_text, kind) ==
			       __builtin_offsetof(struct aod_event, kind),
	       "a where text record is an event record with its kind in place");
#endif

#endif
