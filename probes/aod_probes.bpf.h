/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The request-matching logic both tools share, and the maps they share.
 * smbslower.bpf.c and smbiosnoop.bpf.c are linked into one BPF object
 * (bpftool gen object), so the maps below are declared __weak in both
 * compilation units and the linker keeps one of each: one start map, one
 * ring buffer, one set of counters for the whole object.
 *
 * Request life: smb3_cmd_enter stores a start entry under (session id,
 * message id); smb3_cmd_done or smb3_cmd_err takes it (lookup + delete) and
 * emits the events. Message ids are unique per connection only, but a
 * request's own enter always precedes its completion and overwrites any
 * entry left under the same key, so a completion never meets a stale start.
 *
 * smb3_reconnect: the requests in flight on the dropped connection never
 * complete (cifs resends them under new message ids). Their start entries
 * cannot be removed here (a BPF program cannot iterate a hash map), so the
 * reconnect bumps a generation number that every start entry records and
 * tells the loader. The generation is global because smb3_cmd_enter carries
 * no connection id, so a request of another, healthy connection in flight
 * across the reconnect is older-generation too: taking a start ignores the
 * generation, and the loader deletes (flushes) older-generation entries
 * only once they have waited as long as a stuck request (starts.h); the
 * other flushed entries are the unsent rest of a failed compound (see
 * aod_drop_compound_rest). Older-generation entries never count as in
 * flight.
 */
#ifndef AOD_PROBES_BPF_H
#define AOD_PROBES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "aod_event.h"
#include "probes_abi.h"

#define AOD_SMB2_NEGOTIATE 0x00
#define AOD_SMB2_SESSION_SETUP 0x01
#define AOD_SMB2_LOGOFF 0x02
#define AOD_SMB2_TREE_DISCONNECT 0x04

#define AOD_START_ENTRIES 16384
#define AOD_RINGBUF_BYTES (1u << 20) /* 16384 events of 64 bytes */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, AOD_RINGBUF_BYTES);
} aod_events SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AOD_CNT_NR);
	__type(key, __u32);
	__type(value, __u64);
} aod_counters SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, AOD_START_ENTRIES);
	__type(key, struct aod_start_key);
	__type(value, struct aod_start);
} aod_starts SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct aod_probe_cfg);
} aod_probe_cfg SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct aod_state);
} aod_state SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct aod_last_err);
} aod_last_err SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, AOD_HIST_KEYS);
	__type(key, struct aod_hist_key);
	__type(value, struct aod_hist);
} aod_hist SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, AOD_ERR_KEYS);
	__type(key, struct aod_err_key);
	__type(value, __u64);
} aod_errs SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AOD_OVF_NR);
	__type(key, __u32);
	__type(value, __u64);
} aod_metrics_overflow SEC(".maps") __weak;

static __always_inline void aod_count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&aod_counters, &idx);

	/* per-CPU slot, and these programs do not nest on one CPU */
	if (v)
		*v += 1;
}

static __always_inline const struct aod_probe_cfg *aod_cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&aod_probe_cfg, &zero);
}

static __always_inline bool aod_cmd_filtered(const struct aod_probe_cfg *cfg, __u16 cmd)
{
	return cmd < AOD_SMB2_NR_COMMANDS && (cfg->cmd_filter_mask & (1u << cmd));
}

/* Normal protocol flow that cifs nevertheless traces as smb3_cmd_err. */
static __always_inline bool aod_status_is_flow(__u16 cmd, __u32 status)
{
	if (status == AOD_STATUS_MORE_PROCESSING_REQUIRED && cmd == AOD_SMB2_SESSION_SETUP)
		return true;
	return status == AOD_STATUS_NO_MORE_FILES || status == AOD_STATUS_END_OF_FILE;
}

/* A record for the loader: header fields only (AOD_RB_*). */
static __always_inline void aod_emit_note(__u8 kind, __u64 sesid, __u32 tid, __u32 task, __u16 cmd)
{
	struct aod_event *ev = bpf_ringbuf_reserve(&aod_events, sizeof(*ev), 0);

	if (!ev) {
		aod_count(AOD_CNT_RB_DROPPED);
		return;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->ts_ns = bpf_ktime_get_ns();
	ev->session_id = sesid;
	ev->tree_id = tid;
	ev->pid = task;
	ev->command = (__u8)cmd;
	ev->kind = kind;
	bpf_ringbuf_submit(ev, 0);
}

/*
 * The loader walks the start map only while requests may be in flight: a
 * stored start with the watch off turns it on and wakes the loader (once;
 * it turns the watch off again when a walk finds the map empty, then walks
 * once more, so a start stored meanwhile is never missed).
 */
static __always_inline void aod_watch_arm(void)
{
	__u32 k = AOD_STATE_WATCH;
	struct aod_state *w = bpf_map_lookup_elem(&aod_state, &k);

	if (!w || w->armed)
		return;
	w->armed = 1;
	aod_emit_note(AOD_RB_ARM, 0, 0, 0, 0);
}

/* Adds one to what did not fit in a full metrics map. */
static __always_inline void aod_overflow(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&aod_metrics_overflow, &idx);

	if (v)
		*v += 1;
}

/* floor(log2(v)) without loops (bcc's log2l). */
static __always_inline __u32 aod_log2(__u32 v)
{
	__u32 r, shift;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline __u32 aod_hist_slot(__u64 us)
{
	__u32 slot;

	if (us >= (1ull << (AOD_HIST_SLOTS - 1)))
		return AOD_HIST_SLOTS - 1;
	slot = us ? aod_log2((__u32)us) : 0;
	return slot < AOD_HIST_SLOTS ? slot : AOD_HIST_SLOTS - 1;
}

/* The per-CPU value under key, created zeroed when absent; NULL when the
 * map is full (biolatency's lookup / insert / lookup). */
static __always_inline void *aod_percpu_get(void *map, const void *key, const void *zero)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

static __always_inline void aod_metrics_latency(__u64 sesid, __u32 tid, __u16 cmd, __u64 ns)
{
	static const struct aod_hist zero;
	struct aod_hist_key k = { .session_id = sesid, .tree_id = tid, .command = cmd };
	struct aod_hist *h = aod_percpu_get(&aod_hist, &k, &zero);
	__u64 us = ns / 1000;
	__u32 slot = aod_hist_slot(us);

	if (!h) {
		aod_overflow(AOD_OVF_HIST);
		return;
	}
	/* per-CPU value, and these programs do not nest on one CPU */
	if (slot < AOD_HIST_SLOTS)
		h->slots[slot] += 1;
	h->sum_us += us;
}

static __always_inline void aod_metrics_error(__u64 sesid, __u32 tid, __u16 cmd, __u32 status, int rc)
{
	static const __u64 zero;
	struct aod_err_key k = { .session_id = sesid, .tree_id = tid, .command = cmd, .nt_status = status,
				 .err = rc < 0 && rc > -4096 ? (__u16)-rc : 0 };
	__u64 *n = aod_percpu_get(&aod_errs, &k, &zero);

	if (!n) {
		aod_overflow(AOD_OVF_ERRS);
		return;
	}
	*n += 1;
}

/* Which share the ids name: the loader forgets a tree at its disconnect
 * and a session's trees at its logoff. */
static __always_inline void aod_note_gone(__u32 tid, __u64 sesid, __u16 cmd)
{
	if (cmd == AOD_SMB2_TREE_DISCONNECT || cmd == AOD_SMB2_LOGOFF)
		aod_emit_note(AOD_RB_GONE, sesid, tid, 0, cmd);
}

static __always_inline void aod_on_enter(__u32 tid, __u64 sesid, __u16 cmd, __u64 mid)
{
	const struct aod_probe_cfg *cfg = aod_cfg();
	struct aod_start_key key = { .session_id = sesid, .message_id = mid };
	struct aod_start st = {};
	struct aod_state *state;
	__u32 zero = AOD_STATE_GEN;

	if (!cfg || !(cfg->flags & AOD_CFG_ANY))
		return;
	if (cmd >= AOD_SMB2_NR_COMMANDS)
		return;
	aod_note_gone(tid, sesid, cmd);
	/* a TREE_CONNECT's start is kept whatever the filter: its response
	 * names the new tree (aod_on_complete); the metrics take every start */
	if (aod_cmd_filtered(cfg, cmd) && cmd != AOD_SMB2_TREE_CONNECT && !(cfg->flags & AOD_CFG_METRICS))
		return;
	state = bpf_map_lookup_elem(&aod_state, &zero);
	st.ts_ns = bpf_ktime_get_ns();
	st.tgid = bpf_get_current_pid_tgid() >> 32;
	st.task = (__u32)bpf_get_current_pid_tgid();
	st.gen = state ? state->reconnect_gen : 0;
	st.tree_id = tid;
	st.command = cmd;
	bpf_get_current_comm(st.comm, sizeof(st.comm));
	if (bpf_map_update_elem(&aod_starts, &key, &st, BPF_NOEXIST) != 0) {
		/* a stale entry under this key (its request never completed) */
		if (bpf_map_update_elem(&aod_starts, &key, &st, BPF_ANY) != 0)
			return;
		aod_count(AOD_CNT_REPLACED);
	}
	aod_count(AOD_CNT_STARTS);
	aod_watch_arm();
}

/* Takes the request's start entry; NEGOTIATE and the first SESSION_SETUP
 * were sent with session id 0 and complete with the new one. */
static __always_inline bool aod_take_start(__u64 sesid, __u16 cmd, __u64 mid, struct aod_start *out)
{
	struct aod_start_key key = { .session_id = sesid, .message_id = mid };
	struct aod_start *st = bpf_map_lookup_elem(&aod_starts, &key);

	if (!st && sesid != 0 && (cmd == AOD_SMB2_NEGOTIATE || cmd == AOD_SMB2_SESSION_SETUP)) {
		key.session_id = 0;
		st = bpf_map_lookup_elem(&aod_starts, &key);
	}
	if (!st)
		return false;
	__builtin_memcpy(out, st, sizeof(*out));
	bpf_map_delete_elem(&aod_starts, &key);
	return true;
}

/*
 * cifs sends compounds (CREATE + QUERY_INFO + CLOSE, ...) and checks the
 * responses in order in the issuing thread; at the first failed member it
 * stops (compound_send_recv), so the members after it never trace done or
 * err. Their start entries were stored by the same thread moments before
 * the failed one's, at the next message ids: drop them here rather than
 * leave them to look stuck. An async failure (cifsd's context) matches no
 * thread and drops nothing.
 */
#define AOD_COMPOUND_MAX 5                 /* cifs's MAX_COMPOUND */
#define AOD_COMPOUND_WINDOW_NS 1000000ull  /* members are set up within this */

static __always_inline void aod_drop_compound_rest(__u64 sesid, __u64 mid, const struct aod_start *head)
{
	__u32 self = (__u32)bpf_get_current_pid_tgid();

	if (head->task != self)
		return;
#pragma unroll
	for (int i = 1; i < AOD_COMPOUND_MAX; i++) {
		struct aod_start_key key = { .session_id = sesid, .message_id = mid + i };
		struct aod_start *st = bpf_map_lookup_elem(&aod_starts, &key);
		__u64 d;

		if (!st || st->task != self)
			return;
		d = st->ts_ns > head->ts_ns ? st->ts_ns - head->ts_ns : head->ts_ns - st->ts_ns;
		if (d > AOD_COMPOUND_WINDOW_NS)
			return;
		bpf_map_delete_elem(&aod_starts, &key);
		aod_count(AOD_CNT_FLUSHED);
	}
}

static __always_inline void aod_emit(__u8 kind, const struct aod_start *st, bool have_start, __u64 now,
				     __u64 sesid, __u64 mid, __u32 tid, __u16 cmd, __u32 status, int rc)
{
	struct aod_event *ev = bpf_ringbuf_reserve(&aod_events, sizeof(*ev), 0);

	if (!ev) {
		aod_count(AOD_CNT_RB_DROPPED);
		return;
	}
	ev->ts_ns = now;
	ev->latency_ns = have_start && now > st->ts_ns ? now - st->ts_ns : 0;
	ev->session_id = sesid;
	ev->message_id = mid;
	ev->tree_id = have_start ? st->tree_id : tid;
	ev->nt_status = status;
	ev->pid = have_start ? st->tgid : 0;
	if (have_start)
		__builtin_memcpy(ev->comm, st->comm, sizeof(ev->comm));
	else
		__builtin_memset(ev->comm, 0, sizeof(ev->comm));
	ev->command = (__u8)cmd;
	ev->kind = kind;
	/* rc is a negative errno; anything else (or ERESTART* above 4095) is not */
	ev->err = rc < 0 && rc > -4096 ? (__s16)-rc : 0;
	bpf_ringbuf_submit(ev, 0);
	aod_count(AOD_CNT_EMITTED);
}

/* What this thread's smb3_cmd_err said last (aod_on_op_err). */
static __always_inline void aod_note_cmd_err(__u64 now, __u64 sesid, __u16 cmd, int rc)
{
	__u32 task = (__u32)bpf_get_current_pid_tgid();
	struct aod_last_err last = { .ts_ns = now, .session_id = sesid, .rc = rc, .command = cmd };

	bpf_map_update_elem(&aod_last_err, &task, &last, BPF_ANY);
}

/* smb3_cmd_done (failed = false) and smb3_cmd_err (failed = true). */
static __always_inline void aod_on_complete(__u32 tid, __u64 sesid, __u16 cmd, __u64 mid, __u32 status,
					    int rc, bool failed)
{
	const struct aod_probe_cfg *cfg = aod_cfg();
	struct aod_start st = {};
	bool have_start, emitted = false;
	__u64 now;

	if (!cfg || !(cfg->flags & AOD_CFG_ANY))
		return;
	if (cmd >= AOD_SMB2_NR_COMMANDS)
		return;
	/* filtered commands stored no start entry at enter (but TREE_CONNECT),
	 * unless the metrics want them */
	if (aod_cmd_filtered(cfg, cmd) && cmd != AOD_SMB2_TREE_CONNECT && !(cfg->flags & AOD_CFG_METRICS)) {
		aod_count(AOD_CNT_FILTERED);
		return;
	}
	now = bpf_ktime_get_ns();
	if (failed && rc < 0 && (cfg->flags & AOD_CFG_ERRORS))
		aod_note_cmd_err(now, sesid, cmd, rc);
	have_start = aod_take_start(sesid, cmd, mid, &st);
	if (cfg->flags & AOD_CFG_METRICS) {
		if (have_start)
			aod_metrics_latency(sesid, st.tree_id, cmd, now > st.ts_ns ? now - st.ts_ns : 0);
		if (failed && !aod_status_is_flow(cmd, status))
			aod_metrics_error(sesid, have_start ? st.tree_id : tid, cmd, status, rc);
	}
	/* the response header carries the new tree's id; smb3_tcon, traced
	 * next by the issuing thread, carries its name */
	if (cmd == AOD_SMB2_TREE_CONNECT && have_start && !failed)
		aod_emit_note(AOD_RB_TREE, sesid, tid, st.task, cmd);
	if (aod_cmd_filtered(cfg, cmd)) {
		if (have_start)
			aod_count(AOD_CNT_MATCHED);
		aod_count(AOD_CNT_FILTERED);
		return;
	}
	aod_count(have_start ? AOD_CNT_MATCHED : AOD_CNT_UNMATCHED);
	if (failed && have_start && rc < 0)
		aod_drop_compound_rest(sesid, mid, &st);
	if ((cfg->flags & AOD_CFG_LATENCY) && have_start && now - st.ts_ns >= cfg->min_latency_ns) {
		aod_emit(AOD_EV_LATENCY, &st, true, now, sesid, mid, tid, cmd, status, rc);
		emitted = true;
	}
	if (failed && (cfg->flags & AOD_CFG_ERRORS) && !aod_status_is_flow(cmd, status)) {
		aod_emit(AOD_EV_ERROR, &st, have_start, now, sesid, mid, tid, cmd, status, rc);
		emitted = true;
	}
	if (!emitted)
		aod_count(AOD_CNT_FILTERED);
}

/*
 * A per-operation error (smb3_read_err, smb3_open_err, ...): cifs traces it
 * after the operation failed, whatever the cause. When the server answered
 * with an error status, smb3_cmd_err has already reported it moments before
 * in the same thread, for the same command (the mapping runs in the thread
 * that waits for the response, or in cifsd for async reads and writes,
 * which then traces the operation's error too): that one is not reported
 * again (a compound's event names no command: any of its commands will do).
 * What remains are the failures no response carried: an interrupted
 * wait (-ERESTARTSYS, which the application sees), a dropped connection or
 * a reconnect (-EAGAIN, -ECONNABORTED, ..., which cifs may retry before the
 * application sees anything; still worth seeing when they pile up).
 */
#define AOD_OP_ERR_SAME_NS 1000000000ull /* cmd_err -> op err of one failure, TCG included */

static __always_inline void aod_on_op_err(__u16 cmd, __u32 tid, __u64 sesid, int rc, bool any_cmd)
{
	const struct aod_probe_cfg *cfg = aod_cfg();
	__u32 task = (__u32)bpf_get_current_pid_tgid();
	struct aod_last_err *last;
	struct aod_start st = {};
	__u64 now;

	if (!cfg || !(cfg->flags & AOD_CFG_ERRORS) || rc >= 0 || cmd >= AOD_SMB2_NR_COMMANDS)
		return;
	now = bpf_ktime_get_ns();
	last = bpf_map_lookup_elem(&aod_last_err, &task);
	/* 6.1's compound error events get (ses->Suid, tcon->tid) for their
	 * (tid, sesid) arguments: the session id may stand, cut to 32 bits, in tid */
	if (last && last->rc == rc && (last->session_id == sesid || (__u32)last->session_id == tid) &&
	    (any_cmd || last->command == cmd) && now - last->ts_ns < AOD_OP_ERR_SAME_NS) {
		bpf_map_delete_elem(&aod_last_err, &task); /* one cmd_err answers for one op error */
		aod_count(AOD_CNT_OP_ERR_SAME);
		return;
	}
	/* no start entry: the thread that saw the error stands for the
	 * request, and no latency is known (ts_ns = now gives 0) */
	st.ts_ns = now;
	st.tgid = bpf_get_current_pid_tgid() >> 32;
	st.tree_id = tid;
	bpf_get_current_comm(st.comm, sizeof(st.comm));
	aod_emit(AOD_EV_ERROR, &st, true, now, sesid, 0, tid, cmd, 0, rc);
}

/* Bumps the generation and tells the loader (an internal record it does
 * not pass on), which flushes the start entries the reconnect orphaned. */
static __always_inline void aod_on_reconnect(void)
{
	struct aod_event *ev;
	struct aod_state *state;
	__u32 zero = AOD_STATE_GEN, gen;

	state = bpf_map_lookup_elem(&aod_state, &zero);
	if (!state)
		return;
	/* no fetch-and-add return value before BPF_FETCH (5.12): re-read */
	__sync_fetch_and_add(&state->reconnect_gen, 1);
	gen = state->reconnect_gen;
	ev = bpf_ringbuf_reserve(&aod_events, sizeof(*ev), 0);
	if (!ev) {
		aod_count(AOD_CNT_RB_DROPPED);
		return;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->ts_ns = bpf_ktime_get_ns();
	ev->message_id = gen;
	ev->kind = AOD_RB_RECONNECT;
	bpf_ringbuf_submit(ev, 0);
}

/*
 * Classic tracepoint records: the loader found each field's offset in the
 * event's tracefs format (the common header differs between kernels, e.g.
 * PREEMPT_RT adds fields). The record is copied once; the masks keep every
 * read aligned and inside the copy whatever the offsets (the loader has
 * already refused offsets they would change).
 */
struct aod_tp_record {
	__u64 w[AOD_TP_RECORD_MAX / 8];
};

static __always_inline int aod_tp_copy(void *ctx, struct aod_tp_record *r)
{
	return bpf_probe_read_kernel(r, sizeof(*r), ctx);
}

#define AOD_TP_AT(r, off, type) \
	(*(type *)((__u8 *)(r) + ((off) & (AOD_TP_RECORD_MAX - sizeof(type)))))
#define AOD_TP_U64(r, off) AOD_TP_AT(r, off, __u64)
#define AOD_TP_U32(r, off) AOD_TP_AT(r, off, __u32)
#define AOD_TP_U16(r, off) AOD_TP_AT(r, off, __u16)

#endif
