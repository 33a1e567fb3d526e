# SPDX-License-Identifier: GPL-2.0-only
# Sourced after lib.sh and anomaly.sh by the issue 16 scenarios (hang,
# hang-premount): the config, a second smbd on 127.0.0.2, a read that waits on
# a stopped smbd, and the checks of the anomaly that names it.
. "$AODVM_HERE/guest/smb2.sh"
EMERGENCY_MS=1000

aod_config <<EOF2
watch_interval_sec: 1
watcher:
  actions: [debugdata, mounts, blocked_tasks]
EOF2
cat > "$AOD_DROPIN/50-hang.yaml" <<EOF2
guardian:
  anomalies:
    hang:
      type: Latency
      mode: all
      default_threshold_ms: 900
      emergency_threshold_ms: $EMERGENCY_MS
      acceptable_count: 1000
      cooldown_sec: 0
      actions: [debugdata, mounts, blocked_tasks]
EOF2

# Both scenarios start the same way: //127.0.0.1/share mounted before the
# supervisor, so only DebugData can name it, and the probes attached.
hang_setup_premounted() {
	smb_start
	mount_retry //127.0.0.1/share "$MNT"
	step "//127.0.0.1/share mounted before the supervisor starts"
	aod_start
	wait_until 30 _probes_are latency_attached || bail "the probes did not attach"
}

state_of() { awk '{ print $3 }' "/proc/$1/stat" 2> /dev/null; }

# hang_read MOUNT PIDS...: stops the server processes, reads 4 KiB from a
# file already open on MOUNT in the background (READER pid, T_REQ), returns.
hang_read() {
	local m=$1 f
	shift
	f=$m/hang.data
	head -c 65536 /dev/zero > "$f" || bail "cannot write $f"
	wait_until 10 bash -c "! grep -q hang.data /proc/fs/cifs/open_files" ||
		bail "the written file's handle is still open after 10 s"
	exec 3< "$f" || bail "cannot open $f"
	kill -STOP "$@"
	T_REQ=$(wall_ms)
	"$(named aodhang /usr/bin/dd)" bs=4k count=1 status=none of=/dev/null <&3 &
	READER=$!
	exec 3<&-
}

# _reader_anomaly: the timestamp of the collection whose anomaly names the
# reader's request (other requests hang too: cifs's SMB2_ECHO, a kworker's
# deferred CLOSE, each an anomaly of its own).
_reader_anomaly() {
	local d
	for d in $(aod_complete); do
		jq -e --arg pid "$READER" 'any(.anomaly.summary.worst[]; .comm == "aodhang" and (.pid | tostring) == $pid)' \
			"$AOD_OUT/$d/manifest.json" > /dev/null 2>&1 && { echo "${d#aod_}"; return 0; }
	done
	return 1
}

# check_hang NAME SERVER SHARE: an anomaly NAME naming the reader's READ
# arrives within the bound plus 2 s of the READ while the reader still
# waits; its manifest names the waiting READ, the server and the share.
check_hang() {
	local name=$1 server=$2 share=$3 n=$4 recv ts emerg st ms sent waited
	if ! wait_until 60 _reader_anomaly; then
		not_ok "no anomaly names the reader's request while it waited 60 s"
		return
	fi
	st=$(state_of "$READER")
	ts=$(_reader_anomaly)
	read -r recv _ emerg <<< "$(aod_received "$name" | awk -v ts="$ts" '$2 == ts')"
	# The READ left when the reader got to it (under TCG on a loaded host,
	# seconds after dd was started): its start is the anomaly's time minus
	# how long it had waited then.
	waited=$(mf "$ts" '(.anomaly.summary.worst[] | select(.comm == "aodhang")).waited_ms | floor')
	sent=$(( ts / 1000000 - waited ))
	ms=$(ms_between "$sent" "$recv")
	note "raised $waited ms after the READ was sent; the supervisor had it $ms ms after ($(ms_between "$T_REQ" "$recv") ms after dd started); the reader is in state ${st:-gone}"
	# Raised at the first walk of the start map past the bound: within the
	# bound plus one interval (1 s) of the READ, plus 1 s for a loaded TCG
	# guest's timers. Handing it on adds detectord's and the supervisor's
	# turns, which a loaded TCG guest stretches (3 s seen at load 22): noted.
	check "the anomaly was raised within the emergency bound plus 2 s of the READ ($waited ms)" \
		test "$waited" -ge "$EMERGENCY_MS" -a "$waited" -le $((EMERGENCY_MS + 2000))
	check "the reader was still blocked then (state $st)" test "$st" = D
	check "it is an emergency" test "$emerg" = 1
	jq -c '.anomaly.summary | {in_flight, worst}' "$AOD_OUT/aod_$ts/manifest.json" | sed 's/^/#   manifest: /'
	check "manifest: one request waits" test "$(mf "$ts" '.anomaly.summary.in_flight')" -ge 1
	check "manifest: the reader's SMB2_READ is among the worst requests, still in flight" \
		test "$(mf "$ts" '(.anomaly.summary.worst[] | select(.comm == "aodhang")) | "\(.in_flight) \(.command) \(.comm)"')" = "true SMB2_READ aodhang"
	check "manifest: it waited at least the bound" \
		test "$(mf "$ts" '(.anomaly.summary.worst[] | select(.comm == "aodhang")).waited_ms | floor')" -ge "$EMERGENCY_MS"
	check "manifest: it names server $server and share $share" \
		test "$(mf "$ts" '(.anomaly.summary.worst[] | select(.comm == "aodhang")) | "\(.server) \(.share)"')" = "$server $share"
	check "manifest: with the server's address" test "$(mf "$ts" '(.anomaly.summary.worst[] | select(.comm == "aodhang")).address')" = "$server"
	check "blocked_tasks was collected" test "$(mf "$ts" '.actions[] | select(.name == "blocked_tasks") | .status')" = ok
	zstdcat "$AOD_OUT/aod_$ts/blocked_tasks.txt.zst" > "$ART/blocked_tasks-$n.txt" 2>&1
	sed -n "/comm aodhang/,/^$/p" "$ART/blocked_tasks-$n.txt" | sed 's/^/#   blocked_tasks: /'
	check "blocked_tasks: the reader in state D, its READ in flight on $share" \
		grep -q "request in flight: SMB2_READ, waiting [0-9]* ms (when the anomaly was raised) on ${share//\\/\\\\}" "$ART/blocked_tasks-$n.txt"
	# cache=none reads are direct: the reader waits in __cifs_readv for the
	# async READ's completion (a cached read would wait in wait_for_response)
	check "blocked_tasks: the reader's kernel stack is in cifs, waiting for the response" \
		bash -c "sed -n '/comm aodhang state D/,/^\$/p' '$ART/blocked_tasks-$n.txt' | grep -qE '(__cifs_readv|wait_for_response|cifs_sync_mid_result|compound_send_recv)\+.*\[cifs\]'"
}
