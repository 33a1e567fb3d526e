#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Scenario 7, disk budget: max_total_log_size_mb 1 and a 1 s cooldown, slow
# SMB traffic that raises an anomaly every couple of seconds, each collection
# about 0.2 MiB (the syslogs action copies an incompressible /var/log/syslog).
# sweeperd, told to sweep after every completed collection, deletes the
# oldest ones: once the traffic stops the output dir is under 1 MiB, what is
# left is the newest collections, and while it ran the dir never grew past
# the budget by more than the collections being written.
. "$AODVM_HERE/guest/lib.sh"

LIMIT_MB=1
LIMIT=$((LIMIT_MB << 20))
WANT=6 # collections to complete (4 fit in the budget)

aod_config <<-EOF
watch_interval_sec: 0.5
guardian:
  anomalies:
    latency:
      type: Latency
      acceptable_count: 3
      default_threshold_ms: 100
      cooldown_sec: 1
      actions: [syslogs, mounts]
watcher:
  actions: [syslogs, mounts]
  # the recorder's parts wait post_sec after the trigger, so more collections
  # run at once than the "two collections" bound below assumes
  flight_recorder: {events: false, snapshots: false, cifs_trace: false, packets: false}
cleanup:
  max_total_log_size_mb: $LIMIT_MB
EOF
# base64 of random bytes: zstd cannot shrink it below 3/4.
head -c 200000 /dev/urandom | base64 -w 76 > /var/log/syslog
smb_start
cifs_mount
step "start aodv2: max_total_log_size_mb $LIMIT_MB, cooldown 1 s, /var/log/syslog $(du -k /var/log/syslog | cut -f1) KiB of noise"
aod_start
check "status: sweeperd's limit is $LIMIT bytes" test "$(aod_json '.output_dir.limit_bytes')" = "$LIMIT"

# The output dir's size (blocks, as sweeperd counts) every 0.3 s.
sizes=$AOD_DIR/sizes
(
	while [ ! -e "$AOD_DIR/io.stop.sampler" ]; do
		du -sB1 "$AOD_OUT" 2> /dev/null | cut -f1
		sleep 0.3
	done
) > "$sizes" &
sampler=$!

step "slow SMB traffic (netem 60 ms) until $WANT collections are complete"
netem_delay 60
io_start slow
done_count() { aod_log_count 'aodv2-supervisor.*collection aod_[0-9]+ complete'; }
check_wait 120 "$WANT collections complete" _aod_log_atleast 'aodv2-supervisor.*collection aod_[0-9]+ complete' $WANT
io_stop
netem_off
check_wait 30 "every anomaly routed to collectord has finished" aod_idle
swept() { # sweeperd has swept since the last completion: its stats say what is on disk
	[ "$(aod_json '.output_dir.collections')" = "$(aod_complete | grep -c .)" ]
}
check_wait 10 "sweeperd's count matches the folders on disk" swept
: > "$AOD_DIR/io.stop.sampler"
wait "$sampler"
aod_save status-after-traffic

n_done=$(done_count)
final=$(du -sB1 "$AOD_OUT" | cut -f1)
max=$(sort -n "$sizes" | tail -1)
kept=$(aod_complete)
n_kept=$(grep -c . <<< "$kept")
biggest=0
for d in $kept; do
	b=$(du -sB1 "$AOD_OUT/$d" | cut -f1)
	[ "$b" -gt "$biggest" ] && biggest=$b
done
deleted=$(grep -E 'aodv2-sweeperd.*deleted aod_[0-9]+: .*over max_total_log_size_mb' "$AOD_LOG" |
	sed 's/.*deleted aod_\([0-9]*\):.*/\1/')
n_deleted=$(grep -c . <<< "$deleted")
note "$n_done collections complete, $n_kept kept, $n_deleted deleted by size; biggest $biggest bytes"
note "output dir: $final bytes at the end, at most $max bytes in $(grep -c . "$sizes") samples; limit $LIMIT"
check "the output dir ends under the budget ($final <= $LIMIT bytes)" test "$final" -le "$LIMIT"
check "status agrees: output_dir.bytes <= limit_bytes" \
	test "$(aod_json '.output_dir.bytes <= .output_dir.limit_bytes')" = true
check "a collection is about 0.2 MiB ($biggest bytes): the budget holds several, not all" \
	test "$biggest" -gt 150000 -a $((biggest * n_done)) -gt "$LIMIT"
check "sweeperd deleted collections for size ($n_deleted)" test "$n_deleted" -ge 1
check "status: output_dir.deleted = $n_deleted" test "$(aod_json '.output_dir.deleted')" = "$n_deleted"
check "every complete collection is either kept or deleted ($n_kept + $n_deleted = $n_done)" \
	test $((n_kept + n_deleted)) -eq "$n_done"
newest=$(grep -E 'aodv2-supervisor.*collection aod_[0-9]+ complete' "$AOD_LOG" | tail -1 |
	sed 's/.*collection aod_\([0-9]*\) complete.*/\1/')
check "the newest collection (aod_$newest) is kept" test -d "$AOD_OUT/aod_$newest"
oldest_kept=$(sed 's/aod_//' <<< "$kept" | sort | head -1)
newest_deleted=$(sort <<< "$deleted" | tail -1)
check "the oldest go first: every deleted one is older than every kept one" \
	test "$newest_deleted" \< "$oldest_kept"
check "the dir never grew past the budget by more than two collections ($max <= $LIMIT + 2 x $biggest)" \
	test "$max" -le $((LIMIT + 2 * biggest))
check "no partial collection is left" test -z "$(aod_partial)"
check "log: no write error" test "$(aod_json '.collections.write_errors')" = 0

aod_stop
check "aodv2-supervisor exits 0" test "$AOD_RC" = 0
aod_check_log_clean
finish
