#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# What this kernel gives aodv2, through the real supervisor:
#  - aodv2 starts while cifs is not loaded; the mount loads it and the probes
#    attach, in the variant this kernel needs (AODVM_EXPECT_VARIANT: classic
#    tracepoints where cifs has no module BTF, 5.10);
#  - `aodctl status --json` names the per-operation error tracepoints: each
#    one it calls attached is in this kernel's tracefs, each one it calls
#    absent is not, and together they are every one the probes know (so
#    smb3_unlink_err is attached wherever the kernel has it);
#  - traffic, then SIGTERM: exit 0, and the counters are exact: every event
#    the probes emitted (and every waiting-request event their in-flight
#    walks made, and every share-name record the supervisor announced)
#    reached the shared ring, detectord consumed every one,
#    nothing dropped on the way.
# It leaves kernel.txt (the variant and the names) for run-vm.sh's table row,
# and this kernel's cifs event formats in formats/.
. "$AODVM_HERE/guest/lib.sh"
. "$AODVM_HERE/guest/anomaly.sh"

want_variant=${AODVM_EXPECT_VARIANT:-tp_btf}
EVENTS=/sys/kernel/tracing/events/cifs

aod_config <<EOF
watch_interval_sec: 1
EOF
cat > "$AOD_DROPIN/50-kernel.yaml" <<EOF
guardian:
  anomalies:
    latency:
      type: Latency
      default_threshold_ms: 1
      acceptable_count: 1000000
    errors:
      type: Error
      acceptable_count: 1000000
EOF

smb_start
check "cifs is not loaded before aodv2 starts" bash -c '! grep -q "^cifs " /proc/modules'
step "start aodv2 (cifs not loaded), then mount (loads cifs)"
aod_start
mount_attached errors_attached
wait_until 10 _probes_are latency_attached || not_ok "latency probes not attached"
aod_save status-attached
variant=$(aod_json '.probes.variant')
check "the variant is $want_variant on $(uname -r) ($variant: $(aod_json '.probes.detail'))" \
	test "$variant" = "$want_variant"

attached=$(aod_json '.probes.op_err_attached_names | join(" ")')
absent=$(aod_json '.probes.op_err_absent_names | join(" ")')
n_att=$(wc -w <<< "$attached")
note "attached ($n_att): $attached"
note "not in this kernel: ${absent:-none}"
check "status counts as many per-operation tracepoints as it names ($(aod_json '.probes.op_err_tracepoints'))" \
	test "$(aod_json '.probes.op_err_tracepoints')" = "$n_att"
text_names() { aodctl status | grep -qF "per-operation error tracepoints attached: $attached"; }
check "the text status names them in the same order" text_names
missing_in_kernel=
for e in $attached; do [ -d "$EVENTS/$e" ] || missing_in_kernel+=" $e"; done
check "every one named attached is in this kernel's tracefs (${missing_in_kernel:-yes})" test -z "$missing_in_kernel"
present_in_kernel=
for e in $absent; do [ -d "$EVENTS/$e" ] && present_in_kernel+=" $e"; done
check "none named absent is in this kernel's tracefs (${present_in_kernel:-none})" test -z "$present_in_kernel"
if [ -d "$EVENTS/smb3_unlink_err" ]; then
	check "smb3_unlink_err (this kernel has it) is attached" grep -qw smb3_unlink_err <<< "$attached"
fi
unused=$(ls "$EVENTS" | grep '_err$' | grep -vxF -f <(tr ' ' '\n' <<< "$attached") | tr '\n' ' ')
note "this kernel's *_err events the probes leave alone: ${unused:-none}"

mkdir -p "$ART/formats"
# bash builtins only: ~40 cp, dirname and basename processes took minutes on
# a TCG guest of a loaded host
for f in "$EVENTS"/*_err/format "$EVENTS"/smb3_cmd_*/format "$EVENTS"/smb3_eio/format; do
	[ -f "$f" ] || continue
	d=${f%/format}
	mapfile -t fmt_lines < "$f"
	printf '%s\n' "${fmt_lines[@]}" > "$ART/formats/${d##*/}.format"
done
{
	echo "kernel=$(uname -r)"
	echo "variant=$variant"
	echo "attached=$attached"
	echo "absent=$absent"
	echo "unused=$unused"
} > "$ART/kernel.txt"

step "traffic: I/O rounds, a missing file"
for i in 1 2 3; do smb_io_round "k$i" || not_ok "io round $i failed"; done
cat "$MNT/no-such-file" 2> /dev/null
judged() { aod_json '[.anomalies[].judged] | add'; }
check_wait 20 "detectord judged events" test "$(judged)" -gt 0
# quiet: every event emitted so far has gone through
exact() {
	test "$(aod_json '.probes.emitted - .probes.rejected + .probes.in_flight_reported + .probes.share_records == .ring.produced and .ring.produced == .ring.consumed')" = true
}
check_wait 20 "every event the probes emitted is in the ring, and consumed" exact
aod_json '"emitted \(.probes.emitted), rejected \(.probes.rejected), waiting requests reported \(.probes.in_flight_reported), share records \(.probes.share_records), bpf ring dropped \(.probes.bpf_ring_dropped); ring produced \(.ring.produced), consumed \(.ring.consumed), dropped \(.ring.dropped)"' |
	sed 's/^/#   /'
check "nothing dropped in the BPF ring ($(aod_json '.probes.bpf_ring_dropped'))" test "$(aod_json '.probes.bpf_ring_dropped')" = 0
aod_stop_checked
ring_final() { jq -r "$1" "$ART/status-final.json"; }
check "the final status: produced = consumed, dropped 0 ($(ring_final '.ring | "\(.produced) \(.consumed) \(.dropped)"'))" \
	test "$(ring_final '.ring.produced == .ring.consumed and .ring.dropped == 0')" = true
finish
