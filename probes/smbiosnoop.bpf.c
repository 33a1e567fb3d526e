// SPDX-License-Identifier: GPL-2.0-only
/*
 * smbiosnoop: failed SMB requests. smb3_cmd_err carries the response's NT
 * status and the errno cifs mapped it to. One program per variant handles
 * the tracepoint for both tools: it takes the start entry (latency for
 * smbslower's AOD_EV_LATENCY and for this tool's AOD_EV_ERROR), then emits
 * AOD_EV_ERROR unless the status is normal protocol flow
 * (aod_status_is_flow).
 */
#include "aod_probes.bpf.h"

/* Classic variant field offsets, set by the loader before load. */
const volatile struct aod_tp_layout aod_lay_err = {};

SEC("tp_btf/smb3_cmd_err")
int BPF_PROG(aod_err_btf, __u32 tid, __u64 sesid, __u16 cmd, __u64 mid, __u32 status, int rc)
{
	aod_on_complete(tid, sesid, cmd, mid, status, rc, true);
	return 0;
}

SEC("tracepoint/cifs/smb3_cmd_err")
int aod_err_tp(void *ctx)
{
	struct aod_tp_record r;

	if (aod_tp_copy(ctx, &r))
		return 0;
	aod_on_complete(AOD_TP_U32(&r, aod_lay_err.tid), AOD_TP_U64(&r, aod_lay_err.sesid),
			AOD_TP_U16(&r, aod_lay_err.cmd), AOD_TP_U64(&r, aod_lay_err.mid),
			AOD_TP_U32(&r, aod_lay_err.status), (int)AOD_TP_U32(&r, aod_lay_err.rc), true);
	return 0;
}

/*
 * The per-operation error tracepoints, classic only (their layouts differ
 * across versions; the loader reads each one's format): slot i's program is
 * attached to the slot's event. One program per slot, because nothing in a
 * classic record tells the events apart (the kernel overwrites common_type
 * with a pt_regs pointer before running BPF), and a constant slot keeps
 * every read at an offset the verifier knows (rodata is frozen at load).
 */
const volatile struct aod_op_err_lay aod_op_err_lay[AOD_OP_ERR_MAX] = {};

static __always_inline int aod_op_err_slot(void *ctx, const int i)
{
	struct aod_tp_record r;

	if (aod_tp_copy(ctx, &r))
		return 0;
	aod_on_op_err(aod_op_err_lay[i].command, AOD_TP_U32(&r, aod_op_err_lay[i].tid),
		      AOD_TP_U64(&r, aod_op_err_lay[i].sesid), (int)AOD_TP_U32(&r, aod_op_err_lay[i].rc),
		      aod_op_err_lay[i].any_command != 0);
	return 0;
}

#define AOD_OP_ERR_PROG(i) \
	SEC("tracepoint") int aod_op_err_tp##i(void *ctx) { return aod_op_err_slot(ctx, i); }

AOD_OP_ERR_PROG(0)
AOD_OP_ERR_PROG(1)
AOD_OP_ERR_PROG(2)
AOD_OP_ERR_PROG(3)
AOD_OP_ERR_PROG(4)
AOD_OP_ERR_PROG(5)
AOD_OP_ERR_PROG(6)
AOD_OP_ERR_PROG(7)
AOD_OP_ERR_PROG(8)
AOD_OP_ERR_PROG(9)
AOD_OP_ERR_PROG(10)
AOD_OP_ERR_PROG(11)
AOD_OP_ERR_PROG(12)
AOD_OP_ERR_PROG(13)
AOD_OP_ERR_PROG(14)
AOD_OP_ERR_PROG(15)
AOD_OP_ERR_PROG(16)
AOD_OP_ERR_PROG(17)
AOD_OP_ERR_PROG(18)
AOD_OP_ERR_PROG(19)
AOD_OP_ERR_PROG(20)
AOD_OP_ERR_PROG(21)
AOD_OP_ERR_PROG(22)
AOD_OP_ERR_PROG(23)
AOD_OP_ERR_PROG(24)
AOD_OP_ERR_PROG(25)
AOD_OP_ERR_PROG(26)
AOD_OP_ERR_PROG(27)
_Static_assert(AOD_OP_ERR_MAX == 28, "one AOD_OP_ERR_PROG per slot");
