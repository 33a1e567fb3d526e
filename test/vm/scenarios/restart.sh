#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Scenario 5, crash and restart, against the real supervisor, probes and cifs:
#  - kill -9 detectord while SMB traffic runs: the supervisor restarts it,
#    status and the log show it, events produced while it was down are
#    consumed by the new one (ring consumed = produced, dropped = 0);
#  - kill -9 collectord in the middle of a collection (a tcpdump action that
#    runs for tcpdump_duration_sec): restarted, the half-written collection is
#    never reported complete (no aod_<ts>, its .partial left), its tcpdump
#    helper dies with it, and the next anomaly is collected completely.
. "$AODVM_HERE/guest/lib.sh"

TCPDUMP_SEC=10
aod_config <<-EOF
watch_interval_sec: 0.5
guardian:
  anomalies:
    # Lets every request through the probes' in-kernel latency floor (the
    # lowest threshold) and never fires: the ring sees all the traffic.
    watch:
      type: Latency
      default_threshold_ms: 1
      emergency_threshold_ms: 0
      acceptable_count: 1000000
    latency:
      type: Latency
      acceptable_count: 3
      default_threshold_ms: 100
      cooldown_sec: 5
      actions: [tcpdump, debugdata, mounts]
watcher:
  actions: [tcpdump, debugdata, mounts]
  tcpdump_duration_sec: $TCPDUMP_SEC
  # the packet ring's own tcpdump (recorder.sh) is not collectord's helper
  flight_recorder: {packets: false}
  action_timeout_sec: 30
EOF

smb_start
cifs_mount
step "start aodv2 (cifs loaded and mounted)"
aod_start
check "the probes are attached" test "$(aod_json '.probes.latency_attached')" = true

# --- detectord ------------------------------------------------------------------
step "kill -9 detectord during SMB traffic"
io_start fast
wait_until 30 test -s "$AOD_DIR/io.rounds" || bail "no SMB I/O round finished in 30 s"
det=$(aod_worker detectord pid)
p0=$(aod_json '.ring.produced')
kill -KILL "$det"
note "killed detectord pid $det; ring produced $p0 at that moment"
check_wait 30 "detectord runs again after the kill" aod_restarted detectord "$det"
det2=$(aod_worker detectord pid)
p1=$(aod_json '.ring.produced')
note "new detectord pid $det2; ring produced $p1"
check "status: detectord restarts = 1" test "$(aod_worker detectord restarts)" = 1
check "log: detectord (pid $det) was killed by signal 9" \
	test "$(aod_log_count "detectord \(pid $det\) was killed by signal 9")" -eq 1
check "log: detectord started again (pid $det2)" test "$(aod_log_count "started detectord \(pid $det2\)")" -eq 1
check "events kept coming while detectord was down ($p0 -> $p1)" test "$p1" -gt "$p0"
sleep 2
io_stop
note "$IO_ROUNDS I/O rounds done"
caught_up() { aod_json '.ring | "\(.produced) \(.consumed)"' | awk '$1 == $2 && $1 > 0 { f = 1 } END { exit !f }'; }
check_wait 20 "ring: consumed reaches produced once the traffic stops" caught_up
ring=$(aod_json '.ring | "produced \(.produced) consumed \(.consumed) dropped \(.dropped) used \(.used)"')
note "ring: $ring"
check "ring: every event produced was consumed, none dropped ($ring)" \
	test "$(aod_json '.ring | (.produced == .consumed and .dropped == 0 and .used == 0)')" = true
check "ring: more events than were produced before the kill ($p0)" test "$(aod_json '.ring.consumed')" -gt "$p0"
judged=$(aod_json '.anomalies[] | select(.name == "watch") | .judged')
check "the new detectord judged events (watch judged ${judged:-none})" test "${judged:-0}" -gt 0
aod_save status-after-detectord-kill

# --- collectord -----------------------------------------------------------------
step "slow SMB traffic (netem 60 ms) until an anomaly starts a collection"
wait_until 30 aod_idle || bail "collections from the fast phase did not finish"
col=$(aod_worker collectord pid)
failed0=$(aod_json '.collections.failed_seen')
netem_delay 60
io_start slow
t0=$(now)
# The output dir itself is watched (no aodctl round trip on the way): the kill
# comes as soon as a collection's folder and its tcpdump helper exist.
collecting() { [ -n "$(aod_partial)" ] && pgrep -u aodv2 -x tcpdump > /dev/null; }
wait_until 40 collecting || bail "no collection with a running tcpdump within 40 s of netem 60 ms"
helpers=$(pgrep -u aodv2 -x tcpdump | tr '\n' ' ')
kill -KILL "$col"
part=$(aod_partial | head -1)
ts1=${part#.aod_}
ts1=${ts1%.partial}
note "killed collectord pid $col $(ms_since "$t0") ms after the slow traffic started, while" \
	"$part was being written (tcpdump pids $helpers)"
check "the supervisor had routed that anomaly: collecting into aod_$ts1" \
	test "$(aod_log_count "collecting into aod_$ts1\$")" -eq 1
check_wait 30 "collectord runs again after the kill" aod_restarted collectord "$col"
col2=$(aod_worker collectord pid)
helpers_gone() { local p; for p in $helpers; do kill -0 "$p" 2> /dev/null && return 1; done; return 0; }
check_wait 5 "its tcpdump helpers ($helpers) died with it" helpers_gone
check "status: collectord restarts = 1" test "$(aod_worker collectord restarts)" = 1
check "log: collectord (pid $col) was killed by signal 9" \
	test "$(aod_log_count "collectord \(pid $col\) was killed by signal 9")" -eq 1
lost=$(sed -n 's/.*collectord died with \([0-9]*\) collection(s) unfinished; their folders stay partial.*/\1/p' "$AOD_LOG")
check "log: the unfinished collection(s) stay partial (${lost:-no line})" test "${lost:-0}" -ge 1
check "status: they count as failed (failed_seen $failed0 + ${lost:-0})" \
	test "$(aod_json '.collections.failed_seen')" -eq $((failed0 + ${lost:-0}))

step "the next anomaly is collected by the new collectord (pid $col2)"
t0=$(now)
next_done() { # the first collection completed after the kill, other than aod_$ts1
	grep -E 'collection aod_[0-9]+ complete' "$AOD_LOG" | sed 's/.*collection aod_\([0-9]*\) complete.*/\1/' |
		awk -v t="$ts1" '$1 > t { print; exit }'
}
next_seen() { [ -n "$(next_done)" ]; }
check_wait $((TCPDUMP_SEC + 30)) "a later anomaly's collection completes ($TCPDUMP_SEC s of tcpdump)" next_seen
ts2=$(next_done)
note "collection aod_$ts2 complete $(ms_since "$t0") ms after the restart"
io_stop
netem_off
check_wait $((TCPDUMP_SEC + 30)) "every anomaly routed to collectord has finished" aod_idle
aod_save status-after-collectord-kill

check "aod_$ts1 (killed half-way) was never completed" test ! -e "$AOD_OUT/aod_$ts1"
check "log: aod_$ts1 is never reported complete" test "$(aod_log_count "collection aod_$ts1 complete")" -eq 0
check "its partial folder .aod_$ts1.partial is left for the sweeper" test -d "$AOD_OUT/.aod_$ts1.partial"
check "aod_$ts2 exists" test -d "$AOD_OUT/aod_$ts2"
check "aod_$ts2's manifest says complete" test "$(jq -r .status "$AOD_OUT/aod_$ts2/manifest.json")" = complete
check "aod_$ts2 holds a packet capture" bash -c "ls '$AOD_OUT/aod_$ts2' | grep -q '^tcpdump'"
done_seen=$(aod_json '.collections.completed_seen')
check "status: every other collection completed ($done_seen complete, $(aod_complete | grep -c .) folders)" \
	test "$done_seen" -eq "$(aod_complete | grep -c .)"
check "ring: nothing dropped over the whole run" test "$(aod_json '.ring.dropped')" = 0

step "stop aodv2"
aod_stop
check "aodv2-supervisor exits 0 on SIGTERM" test "$AOD_RC" = 0
aod_check_log_clean
finish
