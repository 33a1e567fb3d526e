#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Benchmark (suite bench, not a test): the probes' cost on real cifs. In one
# boot, a fixed small-I/O workload (test/bench/smb_workload) runs on the cifs
# mount alternately without aodv2 and with aodv2-supervisor running (bpf
# source: probes attached, events through the ring to detectord), ROUNDS
# times each; the figure is the ops/s with the probes over the ops/s without.
# The shipped thresholds stay (the kernel filters requests faster than
# 20 ms), but no anomaly is declared (acceptable_count and the emergency
# bound out of reach), so no collection runs: what is measured is the probes
# and the event path, not the QuickActions. With
# kernel.bpf_stats_enabled=1 the kernel counts the BPF programs' own run
# time; bpftool reports it per program while they are attached.
# Prints BENCH lines (test/bench/benchenv.h) for etc/bootstrap bench.
. "$AODVM_HERE/guest/lib.sh"
. "$AODVM_HERE/guest/bench.sh"

WORK=$AOD_BUILD_ROOT/test/bench/smb_workload
ROUNDS=${AOD_BENCH_ROUNDS:-12} # TCG varies 10% or more between 5 s rounds
SECS=${AOD_BENCH_SECS:-5}
BD=/run/aodv2-bench

[ -x "$WORK" ] || bail "$WORK is not built"
step "VM: $(uname -r), $(nproc) CPUs"
bench_setup

sup_pid=
# attached_and_ready: the probes attached and the three workers running.
attached_and_ready() {
	local j
	j=$("$AODCTL" -s "$BD/ctl.sock" status --json 2>/dev/null) || return 1
	[[ "$j" == *'"latency_attached":true'* ]] || return 1
	[ "$(grep -o '"state":"running","restarts"' <<< "$j" | wc -l)" -eq 3 ]
}
sup_start() {
	"$SUP" -f -c "$AOD_SOURCE_ROOT/etc/aodv2.yaml" -d "$BD/conf.d" >> "$ART/supervisor.log" 2>&1 &
	sup_pid=$!
	wait_until 60 attached_and_ready || return 1
	sleep 2 # loading and starting done: measure the steady state
}
sup_stop() {
	kill -TERM "$sup_pid" 2>/dev/null
	wait "$sup_pid" 2>/dev/null
	sup_pid=
}

# bpf_stats: "run_time_ns run_cnt enter_cnt" summed over aodv2's programs
# (aod_*); enter_cnt counts the runs of the request-start programs, one per
# SMB request.
bpf_stats() {
	bpftool prog show 2>/dev/null | awk '
		/ name aod_/ { t0 = 0; c0 = 0; enter = / name aod_enter/
			for (i = 1; i < NF; i++) {
				if ($i == "run_time_ns") t0 = $(i + 1)
				if ($i == "run_cnt") c0 = $(i + 1) }
			t += t0; c += c0; if (enter) e += c0 }
		END { printf "%d %d %d\n", t, c, e }'
}

run_work() { # label -> prints ops_per_s
	local line
	line=$("$WORK" "$MNT" "$SECS") || { not_ok "workload failed ($1)"; echo 0; return; }
	note "$1: $line" >&2
	awk '{ print $6 }' <<< "$line"
}

sysctl -q -w kernel.bpf_stats_enabled=1 || note "kernel.bpf_stats_enabled cannot be set"
run_work warmup > /dev/null
without=() with=()
bpf_t=0 bpf_c=0 bpf_e=0
phase_without() { without+=("$(run_work "round $1 without")"); }
phase_with() {
	local t c e
	sup_start || { not_ok "round $1: the supervisor did not attach the probes"; sup_stop; return; }
	with+=("$(run_work "round $1 with probes")")
	read -r t c e <<< "$(bpf_stats)" # (no /dev/fd in the guest for <(...))
	note "round $1: aodv2's BPF programs ran $c times ($e request starts) for $t ns"
	"$AODCTL" -s "$BD/ctl.sock" status > "$ART/status-round$1.txt" 2>&1
	bpf_t=$((bpf_t + t)) bpf_c=$((bpf_c + c)) bpf_e=$((bpf_e + e))
	sup_stop
}
sum() { awk '{ for (i = 1; i <= NF; i++) s += $i } END { printf "%.1f", s }' <<< "$*"; }
# report ROUNDS_DONE: the figures over the rounds so far, as BENCH lines.
# Printed after every round, so a scenario cut by its time limit still
# reports what it measured (the table keeps the last line of each figure).
report() {
	local w wo ratio median per_run per_req
	w=$(sum "${with[@]}")
	wo=$(sum "${without[@]}")
	ratio=$(awk -v a="$w" -v b="$wo" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 0) }')
	# The median of the per-round ratios: a round's two halves are close in
	# time, so a slow drift of the host's load cancels out of it.
	median=$(for i in "${!with[@]}"; do
		awk -v a="${with[$i]}" -v b="${without[$i]:-0}" 'BEGIN { if (b > 0) printf "%.4f\n", a / b }'
	done | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.3f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
	echo "BENCH vm.smb_ops_ratio $ratio ratio >=0.97 | VM (real cifs): SMB ops/s with probes / without | wall-clock in a QEMU guest (TCG, $(nproc) vCPUs), $1 of $ROUNDS alternations of ${SECS} s in one boot, ratio of the summed rates (median of the per-round ratios ${median:-?}); ops/s without: ${without[*]}; with: ${with[*]}"
	per_run=$(awk -v t="$bpf_t" -v c="$bpf_c" 'BEGIN { printf "%.0f", (c > 0 ? t / c : 0) }')
	per_req=$(awk -v t="$bpf_t" -v e="$bpf_e" 'BEGIN { printf "%.0f", (e > 0 ? t / e : 0) }')
	echo "BENCH vm.bpf_ns_per_event $per_req ns - | VM: BPF programs' run time per SMB request (kernel BPF stats) | kernel.bpf_stats_enabled=1: run_time_ns of aodv2's programs / $bpf_e request starts ($per_run ns per program run, $bpf_c runs); emulated CPU (TCG), not native"
}
# The order alternates too, so a trend in the host's load favours neither.
for r in $(seq "$ROUNDS"); do
	step "round $r of $ROUNDS: ${SECS} s without aodv2 and ${SECS} s with the probes attached"
	if [ $((r % 2)) -eq 1 ]; then
		phase_without "$r"
		phase_with "$r"
	else
		phase_with "$r"
		phase_without "$r"
	fi
	[ "$r" -lt "$ROUNDS" ] && report "$r"
done
sysctl -q -w kernel.bpf_stats_enabled=0

report "$ROUNDS"
check "every round ran with and without the probes" test "${#with[@]}" -eq "$ROUNDS" -a "${#without[@]}" -eq "$ROUNDS"
check "the probes ran (BPF stats counted $bpf_c runs)" test "$bpf_c" -gt 0
finish
