/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the BPF programs and their loader (probes.c) agree on beyond the
 * event record itself: the config map, the start-entry map, and the field
 * layout of a classic tracepoint record. Private to probes/ (and its tests);
 * everyone else sees only aod_event.h and probes.h.
 */
#ifndef AOD_PROBES_ABI_H
#define AOD_PROBES_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "aod_event.h"

/* aod_probe_cfg.flags: which tools emit events. */
#define AOD_CFG_LATENCY 0x1u /* smbslower: AOD_EV_LATENCY on done / err */
#define AOD_CFG_ERRORS 0x2u  /* smbiosnoop: AOD_EV_ERROR on err */
#define AOD_CFG_METRICS 0x4u /* every request into the histogram and error maps */
#define AOD_CFG_ANY (AOD_CFG_LATENCY | AOD_CFG_ERRORS | AOD_CFG_METRICS)

/* Its start is kept whatever cmd_filter_mask says: its response names a tree. */
#define AOD_SMB2_TREE_CONNECT 0x03

/*
 * The single entry of the "aod_probe_cfg" array map. A map rather than
 * const volatile globals so probes_update() changes thresholds while the
 * programs stay attached (rodata is frozen at load).
 */
struct aod_probe_cfg {
	__u64 min_latency_ns;  /* no AOD_EV_LATENCY below this */
	__u32 cmd_filter_mask; /* bit c: no event at all for SMB2 command c */
	__u32 flags;           /* AOD_CFG_* */
};

/*
 * Internal ring buffer record (struct aod_event with this kind): a cifs
 * reconnect happened; message_id holds the new generation. The loader
 * consumes it and never passes it to its sink.
 */
#define AOD_RB_RECONNECT 0x80

/*
 * Internal ring buffer records for the loader (same header; never passed to
 * its sink):
 *  AOD_RB_ARM: a request was stored while the in-flight watch was off
 *    (aod_state[AOD_STATE_WATCH].armed was 0; the program set it to 1).
 *  AOD_RB_TREE: a TREE_CONNECT response: session_id, tree_id (the new
 *    tree's, from the response header), pid = the issuing thread.
 *  AOD_RB_TCON: smb3_tcon (struct aod_rb_tcon): session_id, pid = the
 *    thread, nt_status = rc, unc = the tree name; tree_id as the kernel
 *    traced it (0 on the kernels that trace it before storing the tid:
 *    the loader pairs it with the thread's AOD_RB_TREE).
 *  AOD_RB_GONE: a TREE_DISCONNECT (command 0x04) or LOGOFF (0x02) was sent
 *    for session_id / tree_id.
 */
#define AOD_RB_ARM 0x81
#define AOD_RB_TREE 0x82
#define AOD_RB_TCON 0x83
#define AOD_RB_GONE 0x84

#define AOD_UNC_LEN 192

struct aod_rb_tcon {
	struct aod_event h; /* kind AOD_RB_TCON */
	char unc[AOD_UNC_LEN];
};

/* "aod_state" array map, two entries: AOD_STATE_GEN written by the
 * programs, AOD_STATE_WATCH set by the programs and cleared by the loader. */
#define AOD_STATE_GEN 0
#define AOD_STATE_WATCH 1
struct aod_state {
	__u32 reconnect_gen; /* [AOD_STATE_GEN]: bumped on every smb3_reconnect */
	__u32 armed;         /* [AOD_STATE_WATCH]: the loader watches the starts */
};

/* smb3_tcon's classic record: offsets of sesid, tid, rc and the __data_loc
 * word of the name (probes/tcon.c reads them from the format). */
struct aod_tcon_lay {
	__u16 tp_id;
	__u16 tid;
	__u16 sesid;
	__u16 name;
	__u16 rc;
	__u16 pad[3];
};

/* "aod_starts" LRU hash: the request's start, keyed by (session, message id). */
struct aod_start_key {
	__u64 session_id; /* 0 for NEGOTIATE and the first SESSION_SETUP */
	__u64 message_id;
};

struct aod_start {
	__u64 ts_ns;   /* bpf_ktime_get_ns() at smb3_cmd_enter */
	__u32 tgid;    /* the process that issued the request */
	__u32 task;    /* the thread that issued it */
	__u32 gen;     /* aod_state.reconnect_gen at enter */
	__u32 tree_id; /* the request's tree id (a response may carry an AsyncId) */
	__u16 command;
	__u16 pad[3];
	char comm[16];
};

/*
 * Where a classic tracepoint record keeps the fields the programs read,
 * taken from /sys/kernel/tracing/events/cifs/<event>/format at load time.
 * Offsets count from the start of the record (common header included) and
 * are below AOD_TP_RECORD_MAX; sizes are fixed by the loader's checks:
 * tid 4, sesid 8, cmd 2, mid 8, status 4, rc 4. A field the event lacks
 * has off 0 (the common header, never a payload field).
 */
#define AOD_TP_RECORD_MAX 128

struct aod_tp_layout {
	__u16 tid;
	__u16 sesid;
	__u16 cmd;
	__u16 mid;
	__u16 status;
	__u16 rc;
	__u16 pad[2];
};

/*
 * The per-operation error tracepoints (smb3_read_err, smb3_open_err, ...):
 * slot i's classic program (aod_op_err_tp<i>) is attached to the event of
 * slot i, the kernel's tracefs id tp_id. Their argument lists
 * changed across versions (netfs put two ids in front of the read/write
 * ones), so they are read only through their tracefs formats, by field
 * name. A slot with tp_id 0 is unused.
 */
#define AOD_OP_ERR_MAX 28

struct aod_op_err_lay {
	__u16 tp_id;   /* the event's tracefs id */
	__u16 command; /* the SMB2 command the operation sends */
	__u16 tid;     /* offsets of the fields the program reads */
	__u16 sesid;
	__u16 rc;
	__u16 any_command; /* 1: a compound's event, which names no command */
	__u16 pad[2];
};

/* "aod_last_err" LRU hash, keyed by thread id: the last smb3_cmd_err the
 * thread traced, so the per-operation error cifs traces right after it for
 * the same failure is not reported twice. */
struct aod_last_err {
	__u64 ts_ns;
	__u64 session_id;
	__s32 rc;
	__u16 command;
	__u16 pad;
};

/*
 * Fleet metrics, kept in the kernel for every request whatever the anomaly
 * filters say (AOD_CFG_METRICS), the way bcc's biolatency keeps its
 * histograms: the loader reads the maps when asked, nothing per event.
 *  "aod_hist" per-CPU hash (session, tree, command) -> log2 histogram of
 *    latencies in microseconds: slot i counts latencies in [2^i, 2^(i+1))
 *    us (slot 0 also takes 0 us), the last slot everything from
 *    2^(AOD_HIST_SLOTS-1) us (134 s) up;
 *  "aod_errs" per-CPU hash (session, tree, command, errno, NT status) ->
 *    count of error responses (smb3_cmd_err, normal protocol flow left out);
 *  "aod_metrics_overflow" per-CPU array: what found its map full
 *    (AOD_OVF_HIST latencies, AOD_OVF_ERRS errors), counted, not kept.
 */
#define AOD_HIST_SLOTS 28
#define AOD_HIST_KEYS 512
#define AOD_ERR_KEYS 1024

struct aod_hist_key {
	__u64 session_id;
	__u32 tree_id;
	__u16 command;
	__u16 pad;
};

struct aod_hist {
	__u64 slots[AOD_HIST_SLOTS];
	__u64 sum_us;
};

struct aod_err_key {
	__u64 session_id;
	__u32 tree_id;
	__u32 nt_status;
	__u16 command;
	__u16 err; /* positive errno, 0 when the response carried none */
	__u32 pad;
};

#define AOD_OVF_HIST 0
#define AOD_OVF_ERRS 1
#define AOD_OVF_NR 2

#endif
