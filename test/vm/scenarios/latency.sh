#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Scenario 1, latency spike, against the real supervisor, probes and cifs:
#  - aodv2 starts while cifs is not loaded; the probes attach when the mount
#    loads it;
#  - steady SMB traffic without delay: no anomaly;
#  - netem delay on lo: a Latency anomaly for one of the first three
#    intervals of slow traffic (at 0.8-1.7 s per delayed request, the
#    latter beside stress-ng on the host, 4 loops complete 7-15 requests per
#    3 s window, over acceptable_count from the first full one; 2 s windows
#    held only 5-7 on a loaded host, and the first over acceptable_count was
#    once the fourth), and a complete aod_<ts>/ holding every configured
#    action's output (zstd, intact, the size the manifest says) and a manifest
#    whose summary names the slow commands and the process that sent them;
#  - delay removed, traffic going on: no further anomaly once the cooldown is
#    over (detectord detects nothing more, not merely suppresses it).
. "$AODVM_HERE/guest/lib.sh"
. "$AODVM_HERE/guest/anomaly.sh"

INTERVAL=3        # watch_interval_sec
# TCG on a busy host stretches requests now and then to several hundred ms:
# the threshold sits above that noise and the delay well above the threshold.
THRESHOLD_MS=600  # default_threshold_ms
DELAY_MS=400      # netem on lo delays both ways: every request takes >= 2 x this
LOADS=4           # load loops, each with one request in flight
ACCEPTABLE=5      # > LOADS: one stall of the guest is not an anomaly
COOLDOWN=8
# Every QuickAction that has something to collect in the VM (no journald and
# no /var/log/syslog there: journalctl and syslogs are covered by collectord's
# own tests).
ACTIONS="dmesg debugdata stats mounts smbinfo tcpdump"
actions_yaml=$(echo "$ACTIONS" | sed 's/ /, /g')

aod_config <<EOF
watch_interval_sec: $INTERVAL
watcher:
  actions: [$actions_yaml]
  tcpdump_duration_sec: 5
  action_timeout_sec: 90
  # the actions alone (the flight recorder's parts: scenario recorder.sh)
  flight_recorder: {events: false, snapshots: false, cifs_trace: false, packets: false}
EOF
cat > "$AOD_DROPIN/50-latency.yaml" <<EOF
guardian:
  anomalies:
    latency:
      type: Latency
      mode: all
      default_threshold_ms: $THRESHOLD_MS
      emergency_threshold_ms: 0
      acceptable_count: $ACCEPTABLE
      cooldown_sec: $COOLDOWN
      actions: [$actions_yaml]
EOF

smb_start
check "cifs is not loaded before aodv2 starts" bash -c '! grep -q "^cifs " /proc/modules'
step "start aodv2 (cifs not loaded)"
aod_start
check "status: the probes wait for cifs (cifs_loaded false, latency not attached)" \
	test "$(aod_json '"\(.probes.cifs_loaded) \(.probes.latency_attached)"')" = "false false"

step "mount (loads cifs)"
mount_attached latency_attached
note "probes: $(aod_json '.probes | "variant \(.variant), cifs_loaded \(.cifs_loaded), errors_attached \(.errors_attached)"')"

step "steady traffic without delay, $((4 * INTERVAL)) s"
load_start aodload 0.2 "$LOADS"
sleep $((4 * INTERVAL))
r=$(load_rounds)
check "the load ran ($r rounds of a write and a read)" test "$r" -ge "$LOADS"
check "no anomaly from steady traffic (latency detected = $(aod_counter latency detected))" \
	test "$(aod_counter latency detected)" = 0
check "no collection from steady traffic" test -z "$(aod_complete)$(aod_partial)"

step "netem delay ${DELAY_MS} ms on lo"
t_on=$(wall_ms)
netem_delay "$DELAY_MS"
aod_wait_received 15 latency 1 || bail "no latency anomaly within 15 s of the delay"
read -r recv_ms ts emerg <<< "$(aod_received latency | head -1)"
check "the anomaly is a window anomaly, not an emergency" test "$emerg" = 0
note "anomaly aod_$ts received $(ms_between "$t_on" "$recv_ms") ms after the delay began"
# The delay ends with the first anomaly: a longer one would only make more
# anomalies, collections and CPU contention in the guest. The load goes on.
netem_off
t_off=$(wall_ms)
note "delay removed $(ms_between "$t_on" "$t_off") ms after it began"
wait_until 120 test -d "$AOD_OUT/aod_$ts" || bail "aod_$ts did not complete within 120 s"
note "collection complete $(ms_between "$t_on" "$(wall_ms)") ms after the delay began"
mf_show "$ts"

end_ns=$(mf_ns "$ts" interval_end_ns)
start_ns=$(mf_ns "$ts" interval_start_ns)
end_ms=$((end_ns / 1000000))
start_ms=$((start_ns / 1000000))
first_slow=$((t_on + 2 * DELAY_MS))
check "its window [$(ms_between "$t_on" "$start_ms"), $(ms_between "$t_on" "$end_ms")] ms (from the delay) is one interval wide" \
	test $((end_ns - start_ns)) -eq $((INTERVAL * 1000000000))
check "it judged one of the first three intervals of slow traffic (window end $(ms_between "$first_slow" "$end_ms") ms after the first delayed response could complete; limit $((3 * INTERVAL * 1000)))" \
	test "$end_ms" -le $((first_slow + 3 * INTERVAL * 1000))
check "the supervisor had it $(ms_between "$end_ms" "$recv_ms") ms after its window ended (limit: one interval)" \
	test $((recv_ms - end_ms)) -ge 0 -a $((recv_ms - end_ms)) -le $((INTERVAL * 1000))
check "the collection is named after the anomaly's timestamp, which is its window's end" \
	test "$(mf_ns "$ts" timestamp_ns)" = "$ts" -a "$(( ts / 1000000 ))" = "$end_ms"

# --- the collection --------------------------------------------------------------
step "collection aod_$ts"
check "manifest: complete, anomaly latency of type Latency" \
	test "$(mf "$ts" '"\(.status) \(.anomaly.name) \(.anomaly.type) \(.anomaly.emergency)"')" = "complete latency Latency false"
viol=$(mf "$ts" '.anomaly.summary.violations')
check "manifest: $viol violations, more than acceptable_count $ACCEPTABLE" test "$viol" -gt "$ACCEPTABLE"
cmds=$(mf_commands "$ts")
note "slow commands in the summary: $cmds"
check "manifest: the summary names the load's slow commands: SMB2_READ SMB2_WRITE ($cmds)" \
	test "$cmds" = "SMB2_READ SMB2_WRITE"
# A request sent before netem began waits for the delay one way only, so a
# window at the spike's start holds violations between the threshold and the
# round trip: the summary's p50 is over the threshold, not always over 2 x delay.
minp50=$(mf "$ts" '[.anomaly.summary.commands[].p50_ms] | min')
check "manifest: every command's p50 is over the threshold ($minp50 > $THRESHOLD_MS ms)" \
	awk -v v="$minp50" -v l="$THRESHOLD_MS" 'BEGIN { exit !(v > l) }'
sum=$(mf "$ts" '[.anomaly.summary.commands[].count] | add')
check "manifest: per-command counts add up to the violations ($sum)" test "$sum" = "$viol"
pids=$(IFS=,; echo "${LOAD_PIDS[*]}")
worst=$(mf "$ts" "[.anomaly.summary.worst[] | select(.comm == \"aodload\" and ([.pid] | inside([$pids])))] | length")
check "manifest: the worst requests name the load (comm aodload, pid in $pids): $worst of them" test "$worst" -ge 1
for a in $ACTIONS; do
	st=$(mf "$ts" ".actions[] | select(.name == \"$a\") | \"\(.status)|\(.output)|\(.bytes)\"")
	IFS='|' read -r status out bytes <<< "$st"
	f=$AOD_OUT/aod_$ts/$out
	got=$( (zstd -dc "$f" 2> /dev/null || echo corrupt) | wc -c)
	check "action $a: $status, $out, $bytes bytes, intact zstd of that size" \
		test "$status" = ok -a -s "$f" -a "$got" = "${bytes:-none}" -a "${bytes:-0}" -gt 0
done
check "the collection holds only the manifest, summary.txt and the actions' outputs" \
	test "$(ls -1 "$AOD_OUT/aod_$ts" | wc -l)" -eq $(($(wc -w <<< "$ACTIONS") + 2)) -a \
		-s "$AOD_OUT/aod_$ts/summary.txt"
check "tcpdump captured the SMB traffic (port 445 packets in the pcap)" \
	bash -c "zstd -dc '$AOD_OUT/aod_$ts/tcpdump.pcap.zst' | tcpdump -nr - 'tcp port 445' 2> /dev/null | grep -q ."

# --- delay removed ---------------------------------------------------------------
step "the delay was removed $(ms_between "$t_off" "$(wall_ms)") ms ago; the load goes on"
settle_ms=$((t_off + 2 * INTERVAL * 1000 + 500)) # windows with delayed requests have closed
sleep_until "$settle_ms"
d1=$(aod_counter latency detected)
s1=$(aod_counter latency sent)
t1=$(wall_ms)
note "after the delay: latency detected $d1, sent $s1, suppressed $(aod_counter latency suppressed)"
# until the cooldown of the last anomaly sent is over, plus three intervals
last_ms=$(($(aod_received latency | tail -1 | awk '{ print $2 }') / 1000000 + COOLDOWN * 1000))
[ "$last_ms" -lt "$t1" ] && last_ms=$t1
sleep_until $((last_ms + 3 * INTERVAL * 1000))
load_stop
note "the load ran $(load_rounds) rounds; $(ms_between "$t_off" "$(wall_ms)") ms since the delay was removed"
check "after the cooldown: no further anomaly detected (detected $d1 -> $(aod_counter latency detected))" \
	test "$(aod_counter latency detected)" = "$d1"
check "after the cooldown: none sent ($s1 -> $(aod_counter latency sent)), one per received line" \
	test "$(aod_counter latency sent)" = "$s1" -a "$(aod_received_count latency)" = "$s1"
check "one complete collection per anomaly sent, none partial" \
	test "$(aod_complete | grep -c .)" = "$s1" -a -z "$(aod_partial)"
aod_counters | sed 's/^/#   /'

aod_stop_checked
finish
