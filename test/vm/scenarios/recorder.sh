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
#    anomaly (name, scope, share, violations: the share-scoped anomaly's
#    events name their share, its grid line puts the replay's windows where
#    the live ones were); each part's manifest entry says what span it covers;
#  - the trace is cut at the trigger: none of its events is after it, none
#    older than pre_sec before it, while the ring holds the later ones;
#  - a reload restarts the ring whose settings changed (trace events and
#    buffer size; packet filter and snaplen) and leaves the other running;
#    a reload that switches both off removes the instance, the capture and
#    the ring files while aodv2 runs;
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
      scope: share
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
last_tr_ms=$(awk '!/^#/ && / smb3_/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { sub(":", "", $i); t = $i } } END { if (t) printf "%d", t * 1000 }' "$AOD_DIR/trace.txt")
# The ring went on recording the load after the trigger (it stops after the
# collection): what the collection's cut left out is still in the ring.
ring_after=$(awk -v trig="$trig_mono_ms" '!/^#/ && / smb3_/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { sub(":", "", $i); if ($i * 1000 > trig + 1000) n++ } } END { print n + 0 }' "$INST/trace")
tr_covers=$(mf "$ts" '.actions[] | select(.name == "cifs-trace") | "\(.covers.from_ns / 1000000 | floor) \(.covers.to_ns / 1000000 | floor)"')
read -r cov_from_ms cov_to_ms <<< "$tr_covers"
trig_ms=$((ts / 1000000))
note "cifs-trace: the last event at ${last_tr_ms:-?} ms (mono); covers $((cov_from_ms - trig_ms)) ms to $((cov_to_ms - trig_ms)) ms from the trigger; the ring holds $ring_after events more than 1 s after the trigger"
check "its first event is at least 3 s before the trigger" \
	test "${first_tr_ms:-$trig_mono_ms}" -lt $((trig_mono_ms - 3000))
check "the ring recorded events after the trigger ($ring_after more than 1 s after it)" \
	test "$ring_after" -gt 0
# trig_mono_ms comes from /proc/uptime (10 ms steps): 500 ms of tolerance
check "the trace is cut at the trigger: its last event is not after it (${last_tr_ms:-none} <= $trig_mono_ms + 500)" \
	test "${last_tr_ms:-0}" -gt 0 -a "${last_tr_ms:-0}" -le $((trig_mono_ms + 500))
check "none is older than pre_sec before the trigger" \
	test "${first_tr_ms:-0}" -ge $((trig_mono_ms - PRE_SEC * 1000 - 500))
check "its covers: from pre_sec before the trigger (or later) up to the trigger" \
	test "${cov_from_ms:-0}" -ge $((trig_ms - PRE_SEC * 1000 - 100)) -a "${cov_to_ms:-0}" -ge "$trig_ms" -a "${cov_to_ms:-0}" -le $((trig_ms + 100))

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
n_ev=$(($(grep -vc '^#' "$AOD_DIR/events.csv") - 1))
check "events.csv.zst: a replay CSV with the share column, of $n_ev events" \
	test "$(head -1 "$AOD_DIR/events.csv")" = "ts_ns,kind,command,latency_ns,errno,nt_status,session_id,tree_id,message_id,pid,share,comm" -a "$n_ev" -gt 0
check "events.csv.zst: its grid line (where the anomaly's windows start) comes second" \
	test "$(sed -n 2p "$AOD_DIR/events.csv" | grep -cE '^# grid_ns=[0-9]+$')" = 1
n_named=$(grep -c ',\\\\127\.0\.0\.1\\share,' "$AOD_DIR/events.csv")
check "events.csv.zst: events name the share \\\\127.0.0.1\\share ($n_named of $n_ev)" test "$n_named" -gt 0
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
sig='"\(.anomaly.name) \(.anomaly.type) \(.anomaly.emergency) scope \(.anomaly.scope) \(.anomaly.server) \(.anomaly.share) violations \(.anomaly.summary.violations) \([.anomaly.summary.commands[].command] | sort | join(","))"'
want=$(mf "$ts" "$sig")
got=none
[ -n "$rts" ] && got=$(jq -r "$sig" "$R/out/$rts/manifest.json")
check "the replay gives the same anomaly ($got; the original: $want)" test "$got" = "$want"

# A reload restarts the ring whose settings changed and leaves the other
# one running; switching the recorder off removes both while aodv2 runs.
tcpdump_pid() { pgrep -P "$SUP_PID" -x tcpdump | head -1; }
trace_first_ms() { # the oldest event in the live ring (mono ms), 0: none
	awk '!/^#/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { sub(":", "", $i); printf "%d", $i * 1000; f = 1; exit } } END { if (!f) print 0 }' "$INST/trace"
}
reloads_are() { test "$(aod_json '.reloads')" = "$1"; }
mono_ms() { local u; read -r u _ < /proc/uptime; awk -v u="$u" 'BEGIN { printf "%d", u * 1000 }'; }
some_io() { for i in 1 2 3; do smb_io_round "reload$i" > /dev/null 2>&1; done; }

step "reload: other trace events and buffer size (the packet ring keeps running)"
pcap_pid0=$(tcpdump_pid)
trace_stops=$(aod_log_count 'cifs trace ring: stopped for the new configuration')
pcap_stops=$(aod_log_count 'packet ring: stopped for the new configuration')
cat > "$AOD_DROPIN/50-recorder.yaml" <<YAML
watcher:
  flight_recorder:
    cifs_trace_events: ["smb3_cmd_*"]
    cifs_trace_buffer_kb: 512
YAML
kill -HUP "$SUP_PID"
check_wait 20 "reload 1 applied" reloads_are 1
check_wait 20 "log: the trace ring is stopped for the new configuration" \
	_aod_log_atleast 'cifs trace ring: stopped for the new configuration' $((trace_stops + 1))
# the kernel rounds up to whole pages of event data (4080 bytes each): 513
kb_is_512() { local kb; kb=$(cat "$INST/buffer_size_kb" 2> /dev/null); [[ "$kb" =~ ^[0-9]+$ ]] && [ "$kb" -ge 512 ] && [ "$kb" -le 520 ]; }
check_wait 20 "the instance is back with 512 KiB per CPU" kb_is_512
note "buffer_size_kb: $(cat "$INST/buffer_size_kb" 2> /dev/null)"
check_wait 20 "it records smb3_cmd_enter, not smb3_reconnect (not in the new list)" \
	bash -c "test \"\$(cat $INST/events/cifs/smb3_cmd_enter/enable) \$(cat $INST/events/cifs/smb3_reconnect/enable)\" = '1 0'"
check "the packet ring was left alone: same tcpdump (pid ${pcap_pid0:-none})" \
	test -n "$pcap_pid0" -a "$(tcpdump_pid)" = "$pcap_pid0" -a "$(aod_log_count 'packet ring: stopped for the new configuration')" = "$pcap_stops"

step "reload: other packet filter and snaplen (the trace ring keeps running)"
some_io
trace_has_events() { test "$(trace_first_ms)" -gt 0; }
check_wait 20 "the restarted trace ring records the new I/O" trace_has_events
before_ms=$(mono_ms)
tr_first=$(trace_first_ms)
note "the trace ring's oldest event at $tr_first ms (mono), now $before_ms ms"
cat >> "$AOD_DROPIN/50-recorder.yaml" <<YAML
    packet_filter: "tcp port 445"
    packet_snaplen: 256
YAML
kill -HUP "$SUP_PID"
check_wait 20 "reload 2 applied" reloads_are 2
check_wait 20 "log: the packet ring is stopped for the new configuration" \
	_aod_log_atleast 'packet ring: stopped for the new configuration' $((pcap_stops + 1))
new_pid() { local p; p=$(tcpdump_pid); test -n "$p" -a "$p" != "$pcap_pid0"; }
check_wait 30 "a new tcpdump runs" new_pid
pcap_pid1=$(tcpdump_pid)
note "tcpdump ${pcap_pid1:-none}: $(tr '\0' ' ' < "/proc/$pcap_pid1/cmdline" 2> /dev/null)"
check "it captures 'tcp port 445' with snaplen 256" \
	bash -c "tr '\\0' ' ' < /proc/$pcap_pid1/cmdline | grep -q -- '-s 256 .*tcp port 445'"
check "the trace ring was left alone: its oldest event ($(trace_first_ms) ms) is the one from before the reload ($tr_first ms)" \
	test "$(trace_first_ms)" = "$tr_first" -a "$tr_first" -gt 0 -a "$tr_first" -le "$before_ms" \
	-a "$(aod_log_count 'cifs trace ring: stopped for the new configuration')" = $((trace_stops + 1))

step "reload: the rings switched off (aodv2 keeps running)"
cat >> "$AOD_DROPIN/50-recorder.yaml" <<YAML
    cifs_trace: false
    packets: false
YAML
kill -HUP "$SUP_PID"
check_wait 20 "reload 3 applied" reloads_are 3
check_wait 20 "no tracefs instance of aodv2 is left" bash -c "! ls -d $TRACEFS/instances/aodv2-* 2> /dev/null | grep -q ."
check_wait 20 "no capture process is left" bash -c "! pgrep -x tcpdump > /dev/null"
check_wait 20 "no ring file or directory is left" bash -c "! ls -d /run/aodv2/recorder.* 2> /dev/null | grep -q ."
check "the supervisor and its workers still run" aod_running

aod_stop_checked
check "no tracefs instance of aodv2 is left" bash -c "! ls -d $TRACEFS/instances/aodv2-* 2> /dev/null | grep -q ."
check "no capture process is left" bash -c "! pgrep -x tcpdump > /dev/null"
check "no ring file or directory is left" bash -c "! ls -d /run/aodv2/recorder.* 2> /dev/null | grep -q ."
finish
