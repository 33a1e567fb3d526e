#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Issue 16, scope: share. Two Samba servers (127.0.0.1 serving share,
# 127.0.0.2 serving other), both mounted, steady load on each; netem delays
# only 127.0.0.2's packets (a prio qdisc's fourth band, which the priomap
# never picks, with netem, and u32 filters on that address). With
# `scope: share` exactly one Latency anomaly names \\127.0.0.2\other and its
# server (its later slow windows are suppressed by its own cooldown), none
# names \\127.0.0.1\share; detectord's log line and summary.txt name it.
. "$AODVM_HERE/guest/lib.sh"
. "$AODVM_HERE/guest/anomaly.sh"
. "$AODVM_HERE/guest/hang.sh" # the second smbd, mount_retry

# The fast share can never make an anomaly, however loaded the host: each
# violation lasts over THRESHOLD_MS, so one loop completes at most
# INTERVAL / THRESHOLD + 1 = 5 of them in a window, not more than
# ACCEPTABLE. (With 250 ms and two loops, a host beside stress-ng once
# stretched the fast share's requests into an anomaly of its own.)
INTERVAL=4
THRESHOLD_MS=1000
DELAY_MS=700      # each way: a request to 127.0.0.2 takes >= 1400 ms
FAST_LOOPS=1
SLOW_LOOPS=6      # 8-17 slow requests a window on the delayed share
ACCEPTABLE=5
SLOW='\\127.0.0.2\other'
FAST='\\127.0.0.1\share'

aod_config <<CONF
watch_interval_sec: $INTERVAL
watcher:
  actions: [mounts]
  flight_recorder: {events: false, snapshots: false, cifs_trace: false, packets: false}
CONF
rm -f "$AOD_DROPIN"/50-hang.yaml
cat > "$AOD_DROPIN/50-scope.yaml" <<CONF
guardian:
  anomalies:
    scoped:
      type: Latency
      mode: all
      scope: share
      default_threshold_ms: $THRESHOLD_MS
      emergency_threshold_ms: 0
      acceptable_count: $ACCEPTABLE
      cooldown_sec: 600
      actions: [mounts]
CONF

# scope_load NAME MOUNT N: N bash loops (comm NAME) appending a line and
# reading the next one of a file on MOUNT until $AOD_DIR/scope.stop; each
# loop's rounds in $AOD_DIR/scope.NAME.<i>.
scope_load() {
	local prog i
	prog=$(named "$1" /bin/bash)
	seq 20000 > "$2/$1.lines"
	for i in $(seq "$3"); do
		"$prog" -c '
			exec 3>> "$1/$2.$4" 4< "$1/$2.lines"
			i=0
			while [ ! -e "$3/scope.stop" ]; do
				echo "round $i" >&3 || echo "load: write failed" >&2
				read -r _ <&4 || echo "load: read failed" >&2
				i=$((i + 1))
				echo "$i" > "$3/scope.$2.$4"
			done
			exec 3>&- 4<&-
			rm -f "$1/$2.$4"' load "$2" "$1" "$AOD_DIR" "$i" &
		SCOPE_PIDS+=($!)
	done
}
scope_rounds() { cat "$AOD_DIR"/scope."$1".* 2> /dev/null | awk '{ n += $1 } END { print n + 0 }'; }
_scope_busy() { [ "$(scope_rounds "$1")" -ge "$2" ]; }
_scope_suppressed() { [ "$(aod_counter scoped suppressed)" -ge "$1" ] 2> /dev/null; }

# scope_named SHARE: the collections of anomaly "scoped" naming SHARE.
scope_named() {
	local d
	for d in $(aod_complete); do
		jq -r --arg s "$1" 'select(.anomaly.name == "scoped" and .anomaly.share == $s) | .collection' \
			"$AOD_OUT/$d/manifest.json" 2> /dev/null
	done
}
_scope_named_once() { [ -n "$(scope_named "$SLOW")" ]; }

hang_setup_premounted
ss -Hltn 'sport = :445' | grep -q 127.0.0.2:445 || smb2_start # the hang scenario's, in one boot
mount_retry //127.0.0.2/other "$MNT2"
aod_wait_log 20 'share \\\\127\.0\.0\.2\\other .*tree connect' ||
	not_ok "the supervisor did not log the tree connect of //127.0.0.2/other"

step "steady load on both shares, then netem delays only 127.0.0.2"
rm -f "$AOD_DIR/scope.stop"
SCOPE_PIDS=()
scope_load aodfast "$MNT" $FAST_LOOPS
scope_load aodslow "$MNT2" $SLOW_LOOPS
wait_until 30 _scope_busy aodslow 8 || bail "the load on $SLOW made no progress"
modprobe -a sch_netem sch_prio cls_u32 2> /dev/null
tc qdisc add dev lo root handle 1: prio bands 4 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1 &&
	tc qdisc add dev lo parent 1:4 handle 40: netem delay ${DELAY_MS}ms &&
	tc filter add dev lo parent 1: protocol ip prio 1 u32 match ip dst 127.0.0.2/32 flowid 1:4 &&
	tc filter add dev lo parent 1: protocol ip prio 2 u32 match ip src 127.0.0.2/32 flowid 1:4 ||
	bail "cannot set up netem for 127.0.0.2 alone"
fast0=$(scope_rounds aodfast)
wait_until 90 _scope_named_once || not_ok "no anomaly named $SLOW within 90 s of the delay"
# Two more slow windows of the delayed share: detected again, suppressed by
# its own cooldown; the fast share keeps going meanwhile.
wait_until 60 _scope_suppressed 2 ||
	not_ok "the delayed share's next windows were not detected (and suppressed) within 60 s"
fast1=$(scope_rounds aodfast)
: > "$AOD_DIR/scope.stop"
wait "${SCOPE_PIDS[@]}"
tc qdisc del dev lo root
note "$(aod_counters)"
note "the fast share's loops made $((fast1 - fast0)) rounds while 127.0.0.2 was delayed; the slow one's $(scope_rounds aodslow) in all"
check "the fast share was busy while the other was delayed ($((fast1 - fast0)) rounds)" test $((fast1 - fast0)) -ge 5
wait_until 60 aod_idle || not_ok "collections still running 60 s after the load stopped"

slow=$(scope_named "$SLOW" | xargs)
fast=$(scope_named "$FAST" | xargs)
check "exactly one anomaly names $SLOW ($slow)" test "$(echo "$slow" | wc -w)" = 1
check "no anomaly names $FAST (${fast:-none})" test -z "$fast"
ts=${slow#aod_}
if [ "$(echo "$slow" | wc -w)" = 1 ]; then
	jq -c '.anomaly | {name, scope, server, share, scope_other, violations: .summary.violations}' \
		"$AOD_OUT/$slow/manifest.json" | sed 's/^/#   manifest: /'
	check "manifest: scope share, server 127.0.0.2, not the other key" \
		test "$(mf "$ts" '.anomaly | "\(.scope) \(.server) \(.scope_other)"')" = "share 127.0.0.2 false"
	check "manifest: its worst requests are the delayed share's" \
		test "$(mf "$ts" '[.anomaly.summary.worst[].share] | unique | join(" ")')" = "$SLOW"
	check "summary.txt: the Scope line names the share and its server" \
		grep -qF "Scope:      share $SLOW on server 127.0.0.2" "$AOD_OUT/$slow/summary.txt"
fi
check "detectord's log line names the share and its server" \
	grep -qF "anomaly scoped (Latency); share $SLOW (server 127.0.0.2):" "$AOD_LOG"

aod_save scope-end
aod_stop_checked
aod_check_log_clean
finish
