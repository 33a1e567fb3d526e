#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Scenario 4, modes and per-command thresholds, three Latency anomalies at once
# on real traffic delayed by netem:
#   writes_only  trackonly [SMB2_WRITE 150 ms]
#   not_reads    excludeonly [SMB2_READ], default 150 ms
#   per_command  all, default 5000 ms, SMB2_READ 150 ms
# Phase R, only slow SMB2_READs (a file open before the delay, read 4 KiB at a
# time): per_command fires naming SMB2_READ; writes_only and not_reads ignore
# them. Phase W, only slow SMB2_WRITEs: writes_only and not_reads fire naming
# SMB2_WRITE; per_command does not (writes keep its 5000 ms default). The
# probes pass every command here (per_command judges them all), so what is
# ignored is ignored by detectord's modes, not filtered before it.
. "$AODVM_HERE/guest/lib.sh"
. "$AODVM_HERE/guest/anomaly.sh"

INTERVAL=2
DELAY_MS=100 # both ways on lo: every request takes >= 200 ms
NAMES="writes_only not_reads per_command"

aod_config <<EOF
watch_interval_sec: $INTERVAL
EOF
cat > "$AOD_DROPIN/50-modes.yaml" <<EOF
guardian:
  anomalies:
    writes_only:
      type: Latency
      mode: trackonly
      track_commands:
        - command: SMB2_WRITE
          threshold: 150
      emergency_threshold_ms: 0
      acceptable_count: 2
      cooldown_sec: 0
    not_reads:
      type: Latency
      mode: excludeonly
      track_commands:
        - command: SMB2_READ
      default_threshold_ms: 150
      emergency_threshold_ms: 0
      acceptable_count: 3
      cooldown_sec: 0
    per_command:
      type: Latency
      mode: all
      default_threshold_ms: 5000
      track_commands:
        - command: SMB2_READ
          threshold: 150
      emergency_threshold_ms: 0
      acceptable_count: 2
      cooldown_sec: 0
EOF

smb_start
aod_start
mount_attached latency_attached
note "effective modes: $("$SUP" --check-config -c "$AOD_CONF" -d "$AOD_DROPIN" 2>&1 | grep -E '^    [a-z_]+:$|mode:|threshold' | tr -s ' ' | tr '\n' ' ')"

# detected NAME...: "name=detected ..." now
detected() {
	local n out=
	for n in $NAMES; do out="$out $n=$(aod_counter "$n" detected)"; done
	echo "${out# }"
}
# phase_anomalies NAME FROM: the timestamps of NAME's anomalies after the FROM-th
phase_ts() { aod_received "$1" | tail -n +$(($2 + 1)) | awk '{ print $2 }'; }
# settle: until the windows holding the phase's requests have closed
settle() { sleep $((2 * INTERVAL)).5; }
count_before() { local n; for n in $NAMES; do eval "before_$n=$(aod_received_count "$n")"; done; }
new_count() { local v="before_$1"; echo $(($(aod_received_count "$1") - ${!v})); }

head -c 65536 /dev/zero > "$MNT/modes-read.data" || bail "cannot write the test file"
settle
d0=$(detected)
note "before the phases: $d0"

step "phase R: 16 slow SMB2_READs (netem ${DELAY_MS} ms), nothing else"
count_before
exec 3< "$MNT/modes-read.data"
netem_delay "$DELAY_MS"
t0=$(wall_ms)
"$(named aodread /usr/bin/dd)" bs=4k count=16 status=none of=/dev/null <&3
note "16 reads took $(ms_between "$t0" "$(wall_ms)") ms"
netem_off
exec 3<&-
settle
aod_counters | sed 's/^/#   /'
check "phase R: per_command fires on slow reads over its SMB2_READ threshold ($(new_count per_command) anomalies)" \
	test "$(new_count per_command)" -ge 1
for ts in $(phase_ts per_command "$before_per_command"); do
	wait_until 20 test -d "$AOD_OUT/aod_$ts"
	check "phase R: per_command aod_$ts names SMB2_READ only ($(mf_commands "$ts"))" \
		test "$(mf_commands "$ts")" = SMB2_READ
done
check "phase R: writes_only (trackonly SMB2_WRITE) ignores the slow reads" test "$(new_count writes_only)" = 0
check "phase R: not_reads (excludeonly SMB2_READ) ignores the slow reads" test "$(new_count not_reads)" = 0
rj=$(aod_counter per_command judged)
check "phase R: the reads reached detectord (per_command judged $rj events)" test "$rj" -ge 16

step "phase W: 16 slow SMB2_WRITEs (netem ${DELAY_MS} ms), nothing else"
count_before
exec 4> "$MNT/modes-write.data"
netem_delay "$DELAY_MS"
t0=$(wall_ms)
"$(named aodwrite /usr/bin/dd)" if=/dev/zero bs=4k count=16 status=none >&4
note "16 writes took $(ms_between "$t0" "$(wall_ms)") ms"
netem_off
exec 4>&-
settle
aod_counters | sed 's/^/#   /'
for n in writes_only not_reads; do
	check "phase W: $n fires on the slow writes ($(new_count $n) anomalies)" test "$(new_count $n)" -ge 1
	for ts in $(phase_ts $n "$(eval echo "\$before_$n")"); do
		wait_until 20 test -d "$AOD_OUT/aod_$ts"
		check "phase W: $n aod_$ts names SMB2_WRITE only ($(mf_commands "$ts"))" \
			test "$(mf_commands "$ts")" = SMB2_WRITE
	done
done
check "phase W: per_command ignores writes under its 5000 ms default threshold" test "$(new_count per_command)" = 0
ts=$(phase_ts writes_only "$before_writes_only" | head -1)
[ -n "$ts" ] && mf_show "$ts"
check "phase W: the worst writes are aodwrite's, over the 150 ms threshold" \
	test -n "$ts" -a "$(mf "${ts:-0}" '[.anomaly.summary.worst[] | select(.comm == "aodwrite" and .command == "SMB2_WRITE" and .latency_ms >= 150)] | length' 2> /dev/null)" -ge 1

check "every anomaly has its complete collection, none partial" \
	wait_until 20 bash -c "[ \$(ls -1A '$AOD_OUT' | grep -cE '^aod_[0-9]+\$') -eq $(($(aod_received_count writes_only) + $(aod_received_count not_reads) + $(aod_received_count per_command))) ]"
aod_stop_checked
finish
