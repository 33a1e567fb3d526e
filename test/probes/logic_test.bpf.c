// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test-only programs: the request-matching logic of aod_probes.bpf.h (the
 * code smbslower and smbiosnoop run) behind raw tracepoint programs, which
 * BPF_PROG_TEST_RUN can call with any arguments on a kernel without cifs.
 * Never attached; only test_probes_bpf loads them.
 */
#include "aod_probes.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("raw_tp/aod_test_enter")
int BPF_PROG(t_enter, __u32 tid, __u64 sesid, __u16 cmd, __u64 mid)
{
	aod_on_enter(tid, sesid, cmd, mid);
	return 0;
}

SEC("raw_tp/aod_test_done")
int BPF_PROG(t_done, __u32 tid, __u64 sesid, __u16 cmd, __u64 mid)
{
	aod_on_complete(tid, sesid, cmd, mid, 0, 0, false);
	return 0;
}

SEC("raw_tp/aod_test_err")
int BPF_PROG(t_err, __u32 tid, __u64 sesid, __u16 cmd, __u64 mid, __u32 status, int rc)
{
	aod_on_complete(tid, sesid, cmd, mid, status, rc, true);
	return 0;
}

SEC("raw_tp/aod_test_reconnect")
int BPF_PROG(t_reconnect)
{
	aod_on_reconnect();
	return 0;
}

SEC("raw_tp/aod_test_op_err")
int BPF_PROG(t_op_err, __u16 cmd, __u32 tid, __u64 sesid, int rc, int any_cmd)
{
	aod_on_op_err(cmd, tid, sesid, rc, any_cmd != 0);
	return 0;
}
