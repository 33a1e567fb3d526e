// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which share a tree id names: smb3_tcon (tree connect; the same arguments
 * from 5.10 to 7.x: xid, tid, sesid, unc_name, rc) hands the loader the
 * tree's name for the session, as an AOD_RB_TCON record. Classic only: the
 * name is a __data_loc string at the offset its format gives (probes/tcon.c).
 * Several kernels trace it before storing the new tid (tid 0): the loader
 * pairs it with the AOD_RB_TREE of the TREE_CONNECT response in the same
 * thread.
 */
#include "aod_probes.bpf.h"

const volatile struct aod_tcon_lay aod_lay_tcon = {};

SEC("tracepoint/cifs/smb3_tcon")
int aod_tcon_tp(void *ctx)
{
	const struct aod_probe_cfg *cfg = aod_cfg();
	struct aod_tp_record r;
	struct aod_rb_tcon *t;
	__u32 loc;

	if (!cfg || !(cfg->flags & AOD_CFG_ANY))
		return 0;
	if (aod_tp_copy(ctx, &r))
		return 0;
	if ((int)AOD_TP_U32(&r, aod_lay_tcon.rc) != 0)
		return 0; /* no tree */
	t = bpf_ringbuf_reserve(&aod_events, sizeof(*t), 0);
	if (!t) {
		aod_count(AOD_CNT_RB_DROPPED);
		return 0;
	}
	__builtin_memset(&t->h, 0, sizeof(t->h));
	t->h.ts_ns = bpf_ktime_get_ns();
	t->h.session_id = AOD_TP_U64(&r, aod_lay_tcon.sesid);
	t->h.tree_id = AOD_TP_U32(&r, aod_lay_tcon.tid);
	t->h.pid = (__u32)bpf_get_current_pid_tgid();
	t->h.kind = AOD_RB_TCON;
	/* __data_loc: offset in the low 16 bits, length in the high ones */
	loc = AOD_TP_U32(&r, aod_lay_tcon.name);
	if (bpf_probe_read_kernel_str(t->unc, sizeof(t->unc), (const char *)ctx + (loc & 0xffff)) < 0)
		t->unc[0] = '\0';
	bpf_ringbuf_submit(t, 0);
	return 0;
}
