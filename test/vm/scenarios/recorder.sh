#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The flight recorder (issue 17), armed by default, against the real
# supervisor, probes, cifs and Samba:
#  - while aodv2 runs: a private tracefs instance records the cifs events,
#    a tcpdump as the service user with at most CAP_NET_RAW fills the packet
#    ring under /run/aodv2;
#  - a netem latency anomaly's collection holds packets and cifs trace events
#    timestamped before the anomaly's trigger (read from the files), the
#    TCP state of the SMB connection, Stats/DebugData from the trigger and
#    the end (marked), and events.csv.zst that a replay judges to the same
#    anomaly; each part's manifest entry says what span it covers;
#  - after SIGTERM: no tracefs instance, capture process or ring file left.
. "$AODVM_HERE/guest/lib.sh"
. "$AODVM_HERE/guest/anomaly.sh"

INTERVAL=2
THRESHOLD_MS=600
DELAY_MS=400
LOADS=4
ACCEPTABLE=5
PRE_SEC=10        # the defaults: the config says nothing about the recorder
POST_SEC=2
TRACEFS=/sys/kernel/tracing

aod_config <<CONFIG
watch_interval_sec: $INTERVAL
watcher:
  actions: [dmesg]
  action_timeout_sec: 90
guardian:
  anomalies:
    latency:
      type: Latency
      default_threshold_ms: $THRESHOLD_MS
      emergency_threshold_ms: 0
      acceptable_count: $ACCEPTABLE
      cooldown_sec: 600
      actions: [dmesg]
CONFIG

smb_start
step "start aodv2 (cifs not loaded), then mount"
aod_start
SUP_PID=$AOD_PID
# A loaded TCG host has seen smbd drop the first connection (EHOSTDOWN after
# 33 s, nothing in its log): up to three attempts.
mounted=
for try in 1 2 3; do
	modprobe cifs || bail "modprobe cifs failed"
	mount -t cifs //127.0.0.1/share "$MNT" -o guest,vers=3.1.1,cache=none,actimeo=0 && mounted=1 && break
	note "mount attempt $try failed; retrying"
	wait_until 30 smb_listening
done
[ -n "$mounted" ] || bail "mount -t cifs failed three times"
check_wait 60 "the probes attach once cifs is mounted" _probes_are latency_attached
check_wait 30 "log: the trace ring records the cifs events once cifs is loaded" \
	_aod_log_atleast 'cifs trace ring: recording [0-9]+ cifs events' 1
grep -E 'cifs trace ring|packet ring' "$AOD_LOG" | sed 's/^.*aodv2-supervisor\[[0-9]*\]: /#   /' | head -6
INST=$TRACEFS/instances/aodv2-$SUP_PID
check "tracefs instance aodv2-$SUP_PID: tracing on, trace clock mono" \
	bash -c "test \"\$(cat $INST/tracing_on)\" = 1 && grep -q '\[mono\]' $INST/trace_clock"
check "the instance records smb3_cmd_enter" test "$(cat "$INST/events/cifs/smb3_cmd_enter/enable")" = 1
ring_pid=$(pgrep -P "$SUP_PID" -x tcpdump | head -1)
check "the packet ring's tcpdump runs (pid ${ring_pid:-none}), a child of the supervisor" test -n "$ring_pid"
if [ -n "$ring_pid" ]; then
	note "tcpdump: $(awk '/^(Uid|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):/ { printf "%s %s ", $1, $2 }' "/proc/$ring_pid/status")"
	uid=$(id -u aodv2)
	# CAP_NET_RAW is bit 13 (0x2000); tcpdump may drop it once the capture is open
	check "tcpdump runs as aodv2 (uid $uid), no_new_privs, holding at most CAP_NET_RAW" \
		bash -c "grep -qE '^Uid:\s+$uid\s' /proc/$ring_pid/status &&
			grep -qE '^NoNewPrivs:\s+1' /proc/$ring_pid/status &&
			awk '/^Cap(Prm|Eff|Amb|Inh):/ && \$2 != \"0000000000002000\" && \$2 != \"0000000000000000\" { bad = 1 } END { exit bad }' /proc/$ring_pid/status"
fi
RING=/run/aodv2/recorder.$SUP_PID
check_wait 20 "the ring's first file is in $RING" test -e "$RING/packets.pcap0"

step "steady traffic without delay, $((3 * INTERVAL)) s (what the recorder must keep)"
load_start aodload 0.2 "$LOADS"
sleep $((3 * INTERVAL))
check "no anomaly from steady traffic" test "$(aod_counter latency detected)" = 0

step "netem delay ${DELAY_MS} ms on lo"
netem_delay "$DELAY_MS"
aod_wait_received 60 latency 1 || bail "no latency anomaly within 60 s of the delay"
netem_off
read -r recv_ms ts emerg <<< "$(aod_received latency | head -1)"
wait_until 150 test -d "$AOD_OUT/aod_$ts" || bail "aod_$ts did not complete within 150 s"
load_stop
mf_show "$ts"
C=$AOD_OUT/aod_$ts
trig_s=$((ts / 1000000000))
# The trace's clock is CLOCK_MONOTONIC: the trigger on that clock, from
# /proc/uptime (BOOTTIME, equal to MONOTONIC in a guest that never suspends).
read -r up _ < /proc/uptime
now_ms=$(wall_ms)
trig_mono_ms=$(awk -v up="$up" -v now="$now_ms" -v ts="$ts" 'BEGIN { printf "%d", up * 1000 - (now - ts / 1000000) }')

step "collection aod_$ts: the flight recorder's parts"
for p in snapshot tcp events cifs-trace packets snapshot-end; do
	st=$(mf "$ts" ".actions[] | select(.name == \"$p\") | \"\(.status) \(.output) \(.covers.from_ns != null)\"")
	check "part $p: ok, with its output and the span it covers ($st)" \
		bash -c "[[ '$st' == 'ok '*' true' ]]"
done
check "the stats action does not run beside the snapshots" \
	test -z "$(mf "$ts" '.actions[] | select(.name == "stats") | .name')"

# packets: a valid pcap holding SMB packets from before the trigger
zstd -dc "$C/packets.pcap.zst" > "$AOD_DIR/cut.pcap" 2> /dev/null
tcpdump -tt -nr "$AOD_DIR/cut.pcap" 'tcp port 445' 2> "$AOD_DIR/cut.err" > "$AOD_DIR/cut.txt"
n_pkts=$(wc -l < "$AOD_DIR/cut.txt")
first_pkt=$(awk 'NR == 1 { split($1, a, "."); print a[1] }' "$AOD_DIR/cut.txt")
last_pkt=$(awk 'END { split($1, a, "."); print a[1] }' "$AOD_DIR/cut.txt")
note "packets.pcap: $n_pkts packets, first at ${first_pkt:-?}, last at ${last_pkt:-?}, trigger $trig_s"
check "packets.pcap.zst is a pcap tcpdump reads, with SMB packets ($n_pkts)" test "$n_pkts" -gt 0
check "its first packet is at least 3 s before the trigger (${first_pkt:-none} < $trig_s - 3)" \
	test "${first_pkt:-$trig_s}" -lt $((trig_s - 3))
check "none older than pre_sec before the trigger, none later than post_sec after it" \
	test "${first_pkt:-0}" -ge $((trig_s - PRE_SEC - 1)) -a "${last_pkt:-0}" -le $((trig_s + POST_SEC + 1))

# cifs trace: events timestamped before the trigger
zstd -dc "$C/cifs-trace.txt.zst" > "$AOD_DIR/trace.txt" 2> /dev/null
n_tr=$(grep -c 'smb3_cmd_' "$AOD_DIR/trace.txt")
first_tr_ms=$(awk '!/^#/ && / smb3_/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { sub(":", "", $i); printf "%d", $i * 1000; exit } }' "$AOD_DIR/trace.txt")
note "cifs-trace: $n_tr smb3_cmd_* lines, the first at ${first_tr_ms:-?} ms (mono), the trigger at $trig_mono_ms ms (mono)"
check "cifs-trace.txt.zst holds smb3_cmd_* events ($n_tr)" test "$n_tr" -gt 0
check "its first event is at least 3 s before the trigger" \
	test "${first_tr_ms:-$trig_mono_ms}" -lt $((trig_mono_ms - 3000))

# tcp and stats
zstd -dc "$C/tcp.txt.zst" > "$AOD_DIR/tcp.txt" 2> /dev/null
check "tcp.txt.zst: the SMB connection's TCP state (:445, rtt)" \
	bash -c "grep -q ':445' $AOD_DIR/tcp.txt && grep -q 'rtt:' $AOD_DIR/tcp.txt"
zstd -dc "$C/stats.txt.zst" > "$AOD_DIR/stats.txt" 2> /dev/null
check "stats.txt.zst: cifs state at the trigger, then at the end of the collection" \
	bash -c "grep -n 'flight recorder: cifs state' $AOD_DIR/stats.txt | awk -F: '
		/at the trigger/ { t = \$1 } /at the end/ { e = \$1 } END { exit !(t && e && t < e) }'"
check "both snapshots hold Stats and DebugData" \
	test "$(grep -c '==> /proc/fs/cifs/Stats <==' "$AOD_DIR/stats.txt") $(grep -c '==> /proc/fs/cifs/DebugData <==' "$AOD_DIR/stats.txt")" = "2 2"

# events.csv replays to the same anomaly
zstd -dc "$C/events.csv.zst" > "$AOD_DIR/events.csv" 2> /dev/null
n_ev=$(($(wc -l < "$AOD_DIR/events.csv") - 1))
check "events.csv.zst: a replay CSV of $n_ev events" \
	test "$(head -1 "$AOD_DIR/events.csv")" = "ts_ns,kind,command,latency_ns,errno,nt_status,session_id,tree_id,message_id,pid,comm" -a "$n_ev" -gt 0
R=$AOD_DIR/replay
mkdir -p "$R/d"
sed -e "s|^aod_output_dir: .*|aod_output_dir: $R/out|" -e "s|^control_socket: .*|control_socket: $R/sock|" \
	"$AOD_CONF" > "$R/aodv2.yaml"
step "replay events.csv (--oneshot)"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} timeout 240 "$SUP" -f -c "$R/aodv2.yaml" -d "$R/d" \
	--source "replay:$AOD_DIR/events.csv" --replay-speed max --oneshot > "$ART/replay.log" 2>&1
rc=$?
check "the replay runs to its end (exit $rc)" test "$rc" = 0
rts=$(ls -1 "$R/out" 2> /dev/null | grep -E '^aod_[0-9]+$' | head -1)
sig='"\(.anomaly.name) \(.anomaly.type) \(.anomaly.emergency) \([.anomaly.summary.commands[].command] | sort | join(","))"'
want=$(mf "$ts" "$sig")
got=none
[ -n "$rts" ] && got=$(jq -r "$sig" "$R/out/$rts/manifest.json")
check "the replay gives the same anomaly ($got; the original: $want)" test "$got" = "$want"

aod_stop_checked
check "no tracefs instance of aodv2 is left" bash -c "! ls -d $TRACEFS/instances/aodv2-* 2> /dev/null | grep -q ."
check "no capture process is left" bash -c "! pgrep -x tcpdump > /dev/null"
check "no ring file or directory is left" bash -c "! ls -d /run/aodv2/recorder.* 2> /dev/null | grep -q ."
finish
