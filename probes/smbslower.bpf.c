// SPDX-License-Identifier: GPL-2.0-only
/*
 * smbslower: per-request latency of the cifs client. smb3_cmd_enter stores
 * the start, smb3_cmd_done takes it and emits AOD_EV_LATENCY when the
 * request was at least aod_probe_cfg.min_latency_ns slow (the smb3_cmd_err
 * side lives in smbiosnoop.bpf.c: one program per tracepoint takes the
 * start entry, so both tools see it). smb3_reconnect bumps the generation.
 *
 * Two variants of every program; the loader enables one set with
 * bpf_program__set_autoload(): tp_btf (typed arguments, needs cifs BTF) or
 * classic tracepoints (fields at the offsets the tracefs format gives).
 */
#include "aod_probes.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Classic variant field offsets, set by the loader before load. */
const volatile struct aod_tp_layout aod_lay_enter = {};
const volatile struct aod_tp_layout aod_lay_done = {};

SEC("tp_btf/smb3_cmd_enter")
int BPF_PROG(aod_enter_btf, __u32 tid, __u64 sesid, __u16 cmd, __u64 mid)
{
	aod_on_enter(tid, sesid, cmd, mid);
	return 0;
}

SEC("tp_btf/smb3_cmd_done")
int BPF_PROG(aod_done_btf, __u32 tid, __u64 sesid, __u16 cmd, __u64 mid)
{
	aod_on_complete(tid, sesid, cmd, mid, 0, 0, false);
	return 0;
}

/* The arguments differ across versions and none is needed. */
SEC("tp_btf/smb3_reconnect")
int BPF_PROG(aod_reconnect_btf)
{
	aod_on_reconnect();
	return 0;
}

SEC("tracepoint/cifs/smb3_cmd_enter")
int aod_enter_tp(void *ctx)
{
	struct aod_tp_record r;

	if (aod_tp_copy(ctx, &r))
		return 0;
	aod_on_enter(AOD_TP_U32(&r, aod_lay_enter.tid), AOD_TP_U64(&r, aod_lay_enter.sesid),
		     AOD_TP_U16(&r, aod_lay_enter.cmd), AOD_TP_U64(&r, aod_lay_enter.mid));
	return 0;
}

SEC("tracepoint/cifs/smb3_cmd_done")
int aod_done_tp(void *ctx)
{
	struct aod_tp_record r;

	if (aod_tp_copy(ctx, &r))
		return 0;
	aod_on_complete(AOD_TP_U32(&r, aod_lay_done.tid), AOD_TP_U64(&r, aod_lay_done.sesid),
			AOD_TP_U16(&r, aod_lay_done.cmd), AOD_TP_U64(&r, aod_lay_done.mid), 0, 0, false);
	return 0;
}

SEC("tracepoint/cifs/smb3_reconnect")
int aod_reconnect_tp(void *ctx)
{
	aod_on_reconnect();
	return 0;
}
