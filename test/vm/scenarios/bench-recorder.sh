#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Benchmark (suite bench, not a test): what the flight recorder's rings cost
# on real cifs. One aodv2-supervisor runs (bpf source, probes attached, no
# anomaly reachable, so no collection runs); a reload switches the rings
# (watcher.flight_recorder.cifs_trace and packets) between armed, the
# default, and off, ROUNDS times each, in alternating order. Each phase
# measures:
#  - idle: IDLE_SECS with the share mounted and no SMB traffic: the on-CPU
#    time of aodv2's four processes and the packet ring's tcpdump
#    (schedstat of every thread), and the guest's busy CPU (/proc/stat,
#    which also holds what the kernel spends on the trace ring);
#  - per SMB operation: the fixed small-I/O workload (test/bench/smb_workload,
#    whose every operation is one SMB request or more) for SECS: ops/s, the
#    same CPU figures divided by its operations, and the trace ring's events
#    per operation (entries-written of its instance).
# Prints BENCH lines (test/bench/benchenv.h) for etc/bootstrap bench, after
# every round, so a run cut by its time limit still reports what it measured.
. "$AODVM_HERE/guest/lib.sh"
. "$AODVM_HERE/guest/bench.sh"

WORK=$AOD_BUILD_ROOT/test/bench/smb_workload
ROUNDS=${AOD_BENCH_ROUNDS:-6}
SECS=${AOD_BENCH_SECS:-5}
IDLE_SECS=${AOD_BENCH_IDLE_SECS:-10}
BD=/run/aodv2-bench
TRACEFS=/sys/kernel/tracing

[ -x "$WORK" ] || bail "$WORK is not built"
step "VM: $(uname -r), $(nproc) CPUs"
bench_setup

bctl() { "$AODCTL" -s "$BD/ctl.sock" "$@"; }
status_json() { bctl status --json 2> /dev/null; }
attached_and_ready() {
	local j
	j=$(status_json) || return 1
	[[ "$j" == *'"latency_attached":true'* ]] || return 1
	[ "$(grep -o '"state":"running","restarts"' <<< "$j" | wc -l)" -eq 3 ]
}
"$SUP" -f -c "$AOD_SOURCE_ROOT/etc/aodv2.yaml" -d "$BD/conf.d" >> "$ART/supervisor.log" 2>&1 &
sup_pid=$!
wait_until 60 attached_and_ready || bail "the supervisor did not attach the probes within 60 s"
INST=$TRACEFS/instances/aodv2-$sup_pid

aod_pids() { echo "$sup_pid $(status_json | jq -r '[.workers[].pid] | join(" ")')"; }
tcpdump_pid() { pgrep -P "$sup_pid" -x tcpdump | head -1; }
# cpu_ns PID...: on-CPU ns of every thread of these processes.
cpu_ns() {
	local p t a s=0
	for p in "$@"; do
		for t in /proc/"$p"/task/*/schedstat; do
			read -r a _ < "$t" 2> /dev/null && s=$((s + a))
		done
	done
	echo "$s"
}
# guest_busy_ms: the guest's CPU time not idle, all CPUs (USER_HZ ticks).
guest_busy_ms() {
	awk '/^cpu / { b = 0; for (i = 2; i <= NF; i++) if (i != 5 && i != 6) b += $i
		printf "%d", b * 1000 / 100 }' /proc/stat
}
trace_written() { # events the trace ring's instance took so far (0: no instance)
	[ -d "$INST" ] || { echo 0; return; }
	head -c 1024 "$INST/trace" 2> /dev/null |
		sed -n 's/.*entries-written: [0-9]*\/\([0-9]*\).*/\1/p' | head -1 | grep . || echo 0
}
armed_ok() { [ -d "$INST" ] && [ "$(cat "$INST/events/cifs/smb3_cmd_enter/enable" 2> /dev/null)" = 1 ] && [ -n "$(tcpdump_pid)" ]; }
off_ok() { [ ! -d "$INST" ] && [ -z "$(tcpdump_pid)" ]; }
reloads=0
reloads_are() { test "$(status_json | jq -r .reloads)" = "$1"; }
set_rings() { # armed|off
	if [ "$1" = off ]; then
		printf 'watcher:\n  flight_recorder:\n    cifs_trace: false\n    packets: false\n' > "$BD/conf.d/60-rings.yaml"
	else
		rm -f "$BD/conf.d/60-rings.yaml"
	fi
	kill -HUP "$sup_pid"
	reloads=$((reloads + 1))
	wait_until 30 reloads_are "$reloads" || return 1
	wait_until 30 "${1}_ok" || return 1
	sleep 2 # the ring's start is not what is measured
}

declare -A idle_aod idle_tcp idle_busy idle_s ops secs work_aod work_tcp work_busy trace_ev rates
for st in armed off; do
	idle_aod[$st]=0 idle_tcp[$st]=0 idle_busy[$st]=0 idle_s[$st]=0
	ops[$st]=0 secs[$st]=0 work_aod[$st]=0 work_tcp[$st]=0 work_busy[$st]=0 trace_ev[$st]=0
	rates[$st]=
done

phase() { # round state
	local st=$2 pids tp a0 t0 b0 a1 t1 b1 e0 e1 line n s
	set_rings "$st" || { not_ok "round $1: the rings did not switch $st"; return; }
	pids=$(aod_pids)
	tp=$(tcpdump_pid)
	a0=$(cpu_ns $pids) t0=$(cpu_ns $tp) b0=$(guest_busy_ms)
	sleep "$IDLE_SECS"
	a1=$(cpu_ns $pids) t1=$(cpu_ns $tp) b1=$(guest_busy_ms)
	idle_aod[$st]=$((idle_aod[$st] + a1 - a0)) idle_tcp[$st]=$((idle_tcp[$st] + t1 - t0))
	idle_busy[$st]=$((idle_busy[$st] + b1 - b0)) idle_s[$st]=$((idle_s[$st] + IDLE_SECS))
	e0=$(trace_written) a0=$(cpu_ns $pids) t0=$(cpu_ns $tp) b0=$(guest_busy_ms)
	line=$("$WORK" "$MNT" "$SECS") || { not_ok "round $1: the workload failed ($st)"; return; }
	a1=$(cpu_ns $pids) t1=$(cpu_ns $tp) b1=$(guest_busy_ms) e1=$(trace_written)
	read -r _ n _ s _ <<< "$line"
	note "round $1, rings $st: $line; aodv2 $(((a1 - a0) / 1000000)) ms, tcpdump $(((t1 - t0) / 1000000)) ms, guest busy $((b1 - b0)) ms, trace events $((e1 - e0))"
	ops[$st]=$((ops[$st] + n)) work_aod[$st]=$((work_aod[$st] + a1 - a0))
	work_tcp[$st]=$((work_tcp[$st] + t1 - t0)) work_busy[$st]=$((work_busy[$st] + b1 - b0))
	trace_ev[$st]=$((trace_ev[$st] + e1 - e0))
	secs[$st]=$(awk -v a="${secs[$st]}" -v b="$s" 'BEGIN { printf "%.3f", a + b }')
	rates[$st]="${rates[$st]} $(awk '{ print $6 }' <<< "$line")"
}

report() { # rounds done
	local env="QEMU guest (TCG, $(nproc) vCPUs), $1 of $ROUNDS rounds in one boot, the rings switched by reload"
	awk -v env="$env" -v is="${idle_s[armed]}" -v ios="${idle_s[off]}" \
		-v ia="${idle_aod[armed]}" -v it="${idle_tcp[armed]}" -v ib="${idle_busy[armed]}" \
		-v oa="${idle_aod[off]}" -v ob="${idle_busy[off]}" \
		-v na="${ops[armed]}" -v sa="${secs[armed]}" -v no="${ops[off]}" -v so="${secs[off]}" \
		-v wa="${work_aod[armed]}" -v wt="${work_tcp[armed]}" -v wb="${work_busy[armed]}" \
		-v woa="${work_aod[off]}" -v wob="${work_busy[off]}" -v te="${trace_ev[armed]}" \
		-v ra="${rates[armed]}" -v ro="${rates[off]}" -v secs="$SECS" -v idle="$IDLE_SECS" '
	function per60(ns, s) { return s > 0 ? ns / 1e9 * 60 / s : 0 }
	function us(ns, n) { return n > 0 ? ns / 1000 / n : 0 }
	BEGIN {
		printf "BENCH vm.recorder_idle_cpu %.4f s - | VM idle (share mounted, no SMB traffic): CPU seconds per 60 s of aodv2 + the packet ring'"'"'s tcpdump, rings armed | schedstat of every thread over %d s (%d s per round), %s; of it tcpdump %.4f s; rings off: %.4f s\n", \
			per60(ia + it, is), is, idle, env, per60(it, is), per60(oa, ios)
		printf "BENCH vm.recorder_idle_guest_cpu %.3f s - | VM idle: the whole guest'"'"'s busy CPU seconds per 60 s, rings armed | /proc/stat (kernel and every process, the trace ring included), %s; rings off: %.3f s\n", \
			per60(ib * 1e6, is), env, per60(ob * 1e6, ios)
		printf "BENCH vm.recorder_smb_ops_ratio %.4f ratio - | VM (real cifs): SMB ops/s with the rings armed / off | wall-clock, test/bench/smb_workload for %d s per phase, %s, ratio of the summed rates; ops/s off:%s; armed:%s\n", \
			(no > 0 && sa > 0 && so > 0 ? (na / sa) / (no / so) : 0), secs, env, ro, ra
		printf "BENCH vm.recorder_guest_us_per_request %.1f us - | VM: the whole guest'"'"'s busy CPU per SMB operation, rings armed | /proc/stat over the workload / its operations (smb_workload'"'"'s syscalls, each one SMB request or more; %d armed, %d off), %s; rings off: %.1f us\n", \
			us(wb * 1e6, na), na, no, env, us(wob * 1e6, no)
		printf "BENCH vm.recorder_aod_us_per_request %.2f us - | VM: CPU of aodv2 + tcpdump per SMB operation, rings armed | schedstat of every thread over the workload / its operations, %s; of it tcpdump %.2f us; rings off (aodv2 alone): %.2f us\n", \
			us(wa + wt, na), env, us(wt, na), us(woa, no)
		printf "BENCH vm.recorder_trace_events_per_request %.2f events - | VM: cifs trace ring events per SMB operation (all of cifs, the default) | entries-written of the tracefs instance over the workload / its operations, %s\n", \
			(na > 0 ? te / na : 0), env
	}'
}

"$WORK" "$MNT" 2 > /dev/null || note "the warmup workload failed"
for r in $(seq "$ROUNDS"); do
	step "round $r of $ROUNDS: ${IDLE_SECS} s idle and ${SECS} s of SMB requests with the rings armed and off"
	if [ $((r % 2)) -eq 1 ]; then
		phase "$r" armed
		phase "$r" off
	else
		phase "$r" off
		phase "$r" armed
	fi
	[ "$r" -lt "$ROUNDS" ] && report "$r"
done
report "$ROUNDS"
check "every phase ran its workload" test "${ops[armed]}" -gt 0 -a "${ops[off]}" -gt 0
check "the trace ring recorded the workload's requests (${trace_ev[armed]} events)" test "${trace_ev[armed]}" -gt 0
kill -TERM "$sup_pid" 2> /dev/null
wait "$sup_pid" 2> /dev/null
finish
