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

WORK=$AOD_BUILD_ROOT/test/bench/smb_workload
ROUNDS=${AOD_BENCH_ROUNDS:-4}
SECS=${AOD_BENCH_SECS:-6}
BD=/run/aodv2-bench

[ -x "$WORK" ] || bail "$WORK is not built"
step "VM: $(uname -r), $(nproc) CPUs"
smb_start
cifs_mount
check "cifs is mounted on $MNT" grep -q " $MNT cifs " /proc/mounts

mkdir -p "$BD/conf.d" "$BD/out"
chmod 0755 "$BD"
cat > "$BD/conf.d/50-bench.yaml" <<YAML
aod_output_dir: $BD/out
control_socket: $BD/ctl.sock
service_user: nobody
guardian:
  anomalies:
    latency:
      acceptable_count: 1000000
      emergency_threshold_ms: 200000
    error:
      acceptable_count: 1000000
YAML

sup_pid=
sup_start() {
	"$SUP" -f -c "$AOD_SOURCE_ROOT/etc/aodv2.yaml" -d "$BD/conf.d" >> "$ART/supervisor.log" 2>&1 &
	sup_pid=$!
	# The probes are attached once status says so (cifs is already loaded).
	wait_until 60 bash -c "'$AODCTL' -s '$BD/ctl.sock' status --json 2>/dev/null |
		grep -q '\"latency_attached\":true'"
}
sup_stop() {
	kill -TERM "$sup_pid" 2>/dev/null
	wait "$sup_pid" 2>/dev/null
	sup_pid=
}

# bpf_stats: "run_time_ns run_cnt" summed over the loaded tracing programs.
bpf_stats() {
	bpftool prog show 2>/dev/null | awk '
		/run_time_ns/ { for (i = 1; i < NF; i++) {
			if ($i == "run_time_ns") t += $(i + 1)
			if ($i == "run_cnt") c += $(i + 1) } }
		END { printf "%d %d\n", t, c }'
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
bpf_t=0 bpf_c=0
for r in $(seq "$ROUNDS"); do
	step "round $r of $ROUNDS: ${SECS} s without aodv2, ${SECS} s with the probes attached"
	without+=("$(run_work "round $r without")")
	sup_start || { not_ok "round $r: the supervisor did not attach the probes"; sup_stop; continue; }
	with+=("$(run_work "round $r with probes")")
	read -r t c < <(bpf_stats)
	note "round $r: BPF programs ran $c times for $t ns"
	"$AODCTL" -s "$BD/ctl.sock" status > "$ART/status-round$r.txt" 2>&1
	bpf_t=$((bpf_t + t)) bpf_c=$((bpf_c + c))
	sup_stop
done
sysctl -q -w kernel.bpf_stats_enabled=0

check "every round ran with and without the probes" test "${#with[@]}" -eq "$ROUNDS" -a "${#without[@]}" -eq "$ROUNDS"
sum() { awk '{ for (i = 1; i <= NF; i++) s += $i } END { printf "%.1f", s }' <<< "$*"; }
w=$(sum "${with[@]}")
wo=$(sum "${without[@]}")
ratio=$(awk -v a="$w" -v b="$wo" 'BEGIN { printf "%.4f", b > 0 ? a / b : 0 }')
note "ops/s without: ${without[*]}; with: ${with[*]}"
echo "BENCH vm.smb_ops_ratio $ratio ratio >=0.97 | VM (real cifs): SMB ops/s with probes / without | wall-clock in a QEMU guest (TCG, $(nproc) vCPUs), $ROUNDS alternations of ${SECS} s in one boot; ops/s without: ${without[*]}; with: ${with[*]}"
ns=$(awk -v t="$bpf_t" -v c="$bpf_c" 'BEGIN { printf "%.1f", c > 0 ? t / c : 0 }')
echo "BENCH vm.bpf_ns_per_event $ns ns - | VM: BPF program run time per invocation (kernel BPF stats) | kernel.bpf_stats_enabled=1, run_time_ns/run_cnt over $bpf_c program runs (enter + done/err per request), emulated CPU (TCG)"
check "the probes ran (BPF stats counted $bpf_c runs)" test "$bpf_c" -gt 0
finish
