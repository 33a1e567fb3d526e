#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Scenario 8, reload: the same slow SMB traffic (netem 60 ms, about 130 ms a
# request here) under a threshold of 500 ms raises nothing; a drop-in that
# lowers it to 100 ms, loaded by SIGHUP, makes it an anomaly, with the same
# worker pids before and after. A broken drop-in is refused by
# `aodctl reload` (exit 78, the file and line in its output and the log),
# status keeps the old config files, and the old config keeps working: the
# traffic raises an anomaly again after the cooldown. Removing the drop-ins
# and reloading brings 500 ms back: nothing more.
. "$AODVM_HERE/guest/lib.sh"

SLOW_SEC=6 # traffic per phase
aod_config <<-EOF
watch_interval_sec: 0.5
guardian:
  anomalies:
    latency:
      type: Latency
      acceptable_count: 3
      default_threshold_ms: 500
      # No emergency: on a loaded TCG host a single request can take 1 s.
      emergency_threshold_ms: 0
      cooldown_sec: 3
      actions: [mounts]
watcher:
  actions: [mounts, debugdata]
EOF
smb_start
cifs_mount
step "start aodv2 with default_threshold_ms 500"
aod_start
pids() { aod_json '[.workers[] | "\(.name)=\(.pid)"] | join(" ")'; }
restarts() { aod_json '[.workers[].restarts] | add'; }
pids0=$(pids)
note "workers: $pids0"
anomalies() { aod_log_count 'aodv2-supervisor.*anomaly latency.*collecting into aod_'; }
files() { aod_json '.config_files | join(" ")'; }

slow_phase() { # what: SLOW_SEC of slow traffic
	step "$1: $SLOW_SEC s of SMB traffic with netem 60 ms"
	netem_delay 60
	io_start "$2"
	sleep "$SLOW_SEC"
	io_stop
	netem_off
	note "$IO_ROUNDS I/O rounds"
}

a0=$(anomalies)
slow_phase "threshold 500 ms" t500
check "no anomaly: every request is under 500 ms ($(anomalies) anomalies)" test "$(anomalies)" -eq "$a0"

step "drop-in 50-threshold.yaml (default_threshold_ms 100) and SIGHUP"
cat > "$AOD_DROPIN/50-threshold.yaml" <<-'EOF'
guardian:
  anomalies:
    latency:
      default_threshold_ms: 100
EOF
kill -HUP "$AOD_PID"
reloaded() { [ "$(aod_json '.reloads')" = 1 ]; }
check_wait 10 "status: reloads = 1" reloaded
check "status: config files are the base and 50-threshold.yaml" \
	test "$(files)" = "$AOD_CONF $AOD_DROPIN/50-threshold.yaml"
check_wait 10 "log: detectord reloaded its configuration" \
	_aod_log_atleast 'aodv2-detectord.*reloaded configuration: 1 anomalies' 1
check "log: collectord and sweeperd reloaded theirs" \
	test "$(aod_log_count 'aodv2-(collectord|sweeperd).*configuration reloaded')" -eq 2
check "log: the probes keep working with the new floor (no 'keep their previous thresholds')" \
	test "$(aod_log_count 'probes keep their previous thresholds')" -eq 0
a1=$(anomalies)
t0=$(now)
netem_delay 60
io_start t100
check_wait 20 "the same traffic is now a latency anomaly" _aod_log_atleast 'aodv2-supervisor.*anomaly latency.*collecting into aod_' $((a1 + 1))
io_stop
netem_off
check "the workers were not restarted: same pids ($(pids))" test "$(pids)" = "$pids0"
check "status: no restarts" test "$(restarts)" = 0

step "a broken drop-in 60-broken.yaml (an unknown key) and aodctl reload"
cat > "$AOD_DROPIN/60-broken.yaml" <<-'EOF'
guardian:
  anomalies:
    latency:
      default_threshold_ms: 500
      no_such_key: 1
EOF
out=$(aodctl reload 2>&1)
rc=$?
echo "$out" | sed 's/^/#   aodctl reload: /'
check "aodctl reload exits 78 (config error)" test "$rc" = 78
check "aodctl reload names the file and line (60-broken.yaml:5)" grep -q '60-broken.yaml:5' <<< "$out"
check "log: the reload is refused, the running config kept" \
	test "$(aod_log_count 'reload: the configuration is invalid; keeping the running one')" -eq 1
check "log: the error names 60-broken.yaml:5" test "$(aod_log_count 'reload: .*60-broken.yaml:5')" -ge 1
check "status: reloads 1, reload_failures 1" test "$(aod_json '"\(.reloads) \(.reload_failures)"')" = "1 1"
check "status: config files are still the base and 50-threshold.yaml" \
	test "$(files)" = "$AOD_CONF $AOD_DROPIN/50-threshold.yaml"
a2=$(anomalies)
sleep 3 # the cooldown of the last anomaly
netem_delay 60
io_start broken
check_wait 20 "the old config keeps working: 100 ms still makes the traffic an anomaly" \
	_aod_log_atleast 'aodv2-supervisor.*anomaly latency.*collecting into aod_' $((a2 + 1))
io_stop
netem_off
check "the workers were not restarted: same pids" test "$(pids)" = "$pids0"

step "remove both drop-ins and reload: back to 500 ms"
rm -f "$AOD_DROPIN/50-threshold.yaml" "$AOD_DROPIN/60-broken.yaml"
aodctl reload > "$ART/reload-back.txt" 2>&1
check "aodctl reload exits 0" test $? = 0
check "status: reloads 2, config files: the base only" \
	test "$(aod_json '.reloads'):$(files)" = "2:$AOD_CONF"
sleep 3
a3=$(anomalies)
slow_phase "threshold 500 ms again" back
check "no anomaly under 500 ms again ($(($(anomalies) - a3)) new)" test "$(anomalies)" -eq "$a3"
check "the workers were never restarted: same pids" test "$(pids)" = "$pids0"
aod_save status-end
aod_stop
check "aodv2-supervisor exits 0" test "$AOD_RC" = 0
aod_check_log_clean
finish
