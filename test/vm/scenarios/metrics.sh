#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Issue 18, the fleet metrics with the real components: the supervisor writes
# metrics.textfile every second into the directory of Debian's
# prometheus-node-exporter (textfile collector only), a prometheus server on
# loopback scrapes it every second. Two servers, //127.0.0.1/share and
# //127.0.0.2/other; netem delays only the packets to 127.0.0.2 while both
# shares are read. Prometheus's HTTP API then shows other's SMB2_READ
# histogram grown by those reads in the buckets above the delay, and share's
# grown by its reads with nothing above that bound.
. "$AODVM_HERE/guest/lib.sh"
. "$AODVM_HERE/guest/anomaly.sh"
. "$AODVM_HERE/guest/smb2.sh"
. "$AODVM_HERE/guest/prom.sh"

DELAY_MS=1200     # netem on the packets to 127.0.0.2: each of its requests waits at least this
BOUND=1.048576    # the histogram's bucket bound just below it (2^20 us)
READS=3           # reads per share while the delay is on
SHARE1_RE='.*127\\.0\\.0\\.1.share'
SHARE2_RE='.*127\\.0\\.0\\.2.other'

# anomaly.sh's exit trap (netem off, artefacts) first, then the two servers
_metrics_exit() { _anomaly_exit; prom_stop; }
trap _metrics_exit EXIT
aod_config <<EOF
watch_interval_sec: 1
metrics:
  textfile: $PROM_TEXTFILE_DIR/aodv2.prom
  interval_sec: 1
watcher:
  actions: [mounts]
  flight_recorder: {events: false, snapshots: false, cifs_trace: false, packets: false}
EOF
# An anomaly that the delay does not reach: the metrics count every request
# whatever the anomalies want.
cat > "$AOD_DROPIN/50-quiet.yaml" <<EOF
guardian:
  anomalies:
    quiet:
      type: Latency
      mode: all
      default_threshold_ms: 60000
      emergency_threshold_ms: 0
      acceptable_count: 1000
      cooldown_sec: 0
      actions: [mounts]
EOF

step "node_exporter (textfile collector) and prometheus on loopback"
t0=$(now)
prom_start
note "prometheus scrapes node_exporter after $(ms_since "$t0") ms"

smb_start
smb2_start
aod_start
mount_retry //127.0.0.1/share "$MNT"
mount_retry //127.0.0.2/other "$MNT2"
wait_until 30 _probes_are latency_attached || bail "the probes did not attach"
head -c 65536 /dev/zero > "$MNT/m.data" || bail "cannot write $MNT/m.data"
head -c 65536 /dev/zero > "$MNT2/m.data" || bail "cannot write $MNT2/m.data"

# read_share MOUNT: one direct read (cache=none) of 64 KiB: an SMB2_READ.
read_share() { dd if="$1/m.data" of=/dev/null bs=64k count=1 status=none; }
read_share "$MNT" && read_share "$MNT2" || bail "the first reads failed"

TF=$PROM_TEXTFILE_DIR/aodv2.prom
check_wait 30 "the supervisor writes $TF" test -s "$TF"
check "promtool check metrics accepts the text file the supervisor wrote" \
	bash -c "promtool check metrics < '$TF' > '$ART/promtool.txt' 2>&1"
cp "$TF" "$ART/aodv2-before.prom" 2> /dev/null
# file_count SHARE: the SMB2_READ count of that share (\\127.0.0.1\share or
# \\127.0.0.2\other) in the text file now.
file_count() {
	local esc
	esc=$(printf '%s' "$1" | sed 's/\\/\\\\/g')
	grep -F "share=\"$esc\",command=\"SMB2_READ\",le=\"+Inf\"" "$TF" 2> /dev/null | awk '{ n += $2 } END { print n + 0 }'
}
# settled: prometheus has what the text file says for both shares' reads
settled() {
	local a b
	read -r a _ <<< "$(prom_hist "$SHARE1_RE" SMB2_READ "$BOUND")"
	read -r b _ <<< "$(prom_hist "$SHARE2_RE" SMB2_READ "$BOUND")"
	[ "${a:-0}" -gt 0 ] && [ "${b:-0}" -gt 0 ] &&
		[ "$a" = "$(file_count '\\127.0.0.1\share')" ] && [ "$b" = "$(file_count '\\127.0.0.2\other')" ]
}
check_wait 60 "prometheus has both shares' SMB2_READ histograms as the text file has them" settled
read -r c1 a1 <<< "$(prom_hist "$SHARE1_RE" SMB2_READ "$BOUND")"
read -r c2 a2 <<< "$(prom_hist "$SHARE2_RE" SMB2_READ "$BOUND")"
note "before: share $c1 reads ($a1 above $BOUND s), other $c2 reads ($a2 above $BOUND s)"
_by_server() {
	test "$(prom_query 'count(last_over_time(aodv2_smb_request_duration_seconds_count{server="127.0.0.2",command="SMB2_READ"}[1m]))' |
		jq -r '.data.result[0].value[1]')" = 1
}
check_wait 30 "prometheus names the series by server as well (server=\"127.0.0.2\")" _by_server
_build_info() { test "$(prom_last 'aodv2_build_info' | jq -r '.data.result[0].value[1]')" = 1; }
check_wait 30 "aodv2_build_info reaches prometheus" _build_info

step "netem ${DELAY_MS} ms on the packets to 127.0.0.2 only; $READS reads on each share"
modprobe sch_netem
# every band but 1:3 for unfiltered traffic (the default priomap sends some
# TOS values to band 3)
tc qdisc replace dev lo root handle 1: prio bands 3 priomap 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 &&
	tc qdisc add dev lo parent 1:3 handle 30: netem delay "${DELAY_MS}ms" &&
	tc filter add dev lo parent 1:0 protocol ip prio 1 u32 match ip dst 127.0.0.2/32 flowid 1:3 ||
	bail "cannot set up netem for 127.0.0.2"
slow=0
for i in $(seq "$READS"); do
	read_share "$MNT" || not_ok "read $i of //127.0.0.1/share failed"
	t=$(wall_ms)
	read_share "$MNT2" || not_ok "read $i of //127.0.0.2/other failed"
	[ $(($(wall_ms) - t)) -ge "$DELAY_MS" ] && slow=$((slow + 1))
done
netem_off
check "each read of //127.0.0.2/other took at least ${DELAY_MS} ms ($slow of $READS)" test "$slow" = "$READS"

grown() {
	local c a
	read -r c a <<< "$(prom_hist "$SHARE2_RE" SMB2_READ "$BOUND")"
	[ "${c:-0}" -ge $((c2 + READS)) ] && [ "${a:-0}" -ge $((a2 + READS)) ]
}
check_wait 60 "prometheus: other's SMB2_READ histogram grew by $READS in the buckets above $BOUND s" grown
read -r c2b a2b <<< "$(prom_hist "$SHARE2_RE" SMB2_READ "$BOUND")"
note "after: other $c2 -> $c2b reads, above $BOUND s $a2 -> $a2b"
share_grown() {
	local c
	read -r c _ <<< "$(prom_hist "$SHARE1_RE" SMB2_READ "$BOUND")"
	[ "${c:-0}" -ge $((c1 + READS)) ]
}
check_wait 60 "prometheus: share's SMB2_READ count grew by at least $READS" share_grown
read -r c1b a1b <<< "$(prom_hist "$SHARE1_RE" SMB2_READ "$BOUND")"
note "after: share $c1 -> $c1b reads, above $BOUND s $a1 -> $a1b"
check "prometheus: share's reads stayed below $BOUND s (above: $a1 -> $a1b)" test "$a1b" = "$a1"
cp "$TF" "$ART/aodv2-after.prom" 2> /dev/null
prom_query 'aodv2_smb_request_duration_seconds_count' > "$ART/prometheus-counts.json" 2>&1

aod_stop_checked
finish
