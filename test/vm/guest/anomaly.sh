# SPDX-License-Identifier: GPL-2.0-only
# Sourced after lib.sh by the scenarios that provoke anomalies (latency,
# emergency, errors, modes): SMB traffic from programs with names of their
# own (so that an anomaly's worst requests can be traced to them), what the
# supervisor logged on receiving each anomaly, detectord's per-anomaly
# counters, and a collection's manifest.

BIN=/run/aodvm/bin

# sleep_until MS: sleeps until wall-clock MS (ms since the epoch), if ahead.
sleep_until() {
	local left=$(($1 - $(wall_ms)))
	[ "$left" -gt 0 ] && sleep "$((left / 1000)).$(printf %03d $((left % 1000)))"
	return 0
}

# named NAME PROGRAM: $BIN/NAME runs PROGRAM with NAME as its comm.
named() {
	mkdir -p "$BIN"
	ln -sf "$2" "$BIN/$1"
	echo "$BIN/$1"
}

# load_start NAME [PAUSE] [N]: N (default 1) bash loops whose comm is NAME,
# each with two files open on the mount, doing one SMB2_WRITE (a line
# appended) and one SMB2_READ (the next line of a shared file) per round,
# PAUSE seconds (default 0.1) apart, until load_stop. Bash builtins only:
# no fork, so the load costs the guest little CPU (under TCG, CPU contention
# in the guest is what makes requests slow), and no compounds: each loop has
# one request in flight, so a stall of the whole guest makes at most one
# request per loop slow, while a network delay makes every one slow.
# LOAD_PIDS are the loops' pids; load_rounds counts the rounds of all.
load_start() {
	local prog i
	prog=$(named "$1" /bin/bash)
	rm -f "$AOD_DIR/load.stop" "$AOD_DIR"/load.rounds.* "$AOD_DIR/load.fifo"
	mkfifo "$AOD_DIR/load.fifo"
	seq 20000 > "$MNT/$1.lines"
	LOAD_PIDS=()
	for i in $(seq "${3:-1}"); do
		"$prog" -c '
			stop=$3/load.stop rounds=$3/load.rounds.$5 i=0
			exec 9<> "$3/load.fifo" # read -t on it: a pause without a fork
			exec 3>> "$1/$2.$5" 4< "$1/$2.lines"
			while [ ! -e "$stop" ]; do
				echo "round $i" >&3 || echo "load: write failed" >&2
				read -r _ <&4 || echo "load: read failed" >&2
				i=$((i + 1))
				echo "$i" > "$rounds"
				read -r -t "$4" -u 9 _
			done
			exec 3>&- 4<&-
			rm -f "$1/$2.$5"' load "$MNT" "$1" "$AOD_DIR" "${2:-0.1}" "$i" &
		LOAD_PIDS+=($!)
	done
}
load_rounds() { cat "$AOD_DIR"/load.rounds.* 2> /dev/null | awk '{ n += $1 } END { print n + 0 }'; }
load_stop() {
	[ ${#LOAD_PIDS[@]} -gt 0 ] || return 0
	: > "$AOD_DIR/load.stop"
	wait "${LOAD_PIDS[@]}"
}

# aod_stop_checked: the end of a scenario's run of aodv2: the ring dropped
# nothing, SIGTERM stops the supervisor with status 0 (status-final.json is
# saved before), and no aodv2 process reported a sanitizer error.
aod_stop_checked() {
	local ring
	ring=$(aod_json '.ring | "produced \(.produced), consumed \(.consumed), dropped \(.dropped)"')
	check "ring: no event dropped ($ring)" test "$(aod_json '.ring.dropped')" = 0
	step "stop aodv2"
	aod_stop
	check "aodv2-supervisor exits 0 on SIGTERM" test "$AOD_RC" = 0
	aod_check_log_clean
}

# mount_attached KEY: cifs_mount, then until status says probes.KEY
# (latency_attached, errors_attached) is true: an assertion with its time.
mount_attached() {
	local t0
	t0=$(now)
	cifs_mount
	if wait_until 30 _probes_are "$1"; then
		ok "the probes attach when cifs is mounted ($1 after $(ms_since "$t0") ms)"
	else
		bail "the probes did not attach ($1) within 30 s of the mount"
	fi
}
_probes_are() { test "$(aod_json ".probes.$1")" = true; }

# aod_received NAME: one line per anomaly NAME the supervisor received, in
# order: "<log time, ms since the epoch> <timestamp ns> <1 if emergency>".
# The foreground log's lines start with the local time, "YYYY-MM-DD
# HH:MM:SS.mmm" (the supervisor runs with TZ=UTC here, so it is UTC): turned
# into epoch ms with the civil-days formula (mawk has no mktime).
aod_received() {
	awk -v n="$1" '
	function epoch_ms(d, t,   a, b, c, y, m, era, yoe, doy, doe) {
		split(d, a, "-"); split(t, b, ":"); split(b[3], c, ".")
		y = a[1] - (a[2] <= 2); m = a[2] + 0
		era = int(y / 400); yoe = y - era * 400
		doy = int((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + a[3] - 1
		doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
		return ((era * 146097 + doe - 719468) * 86400 + b[1] * 3600 + b[2] * 60 + c[1]) * 1000 + c[2]
	}
	$3 ~ /^aodv2-supervisor\[/ && $4 == "anomaly" &&
		($5 == n ":" || ($5 == n && $6 == "(emergency):")) && $NF ~ /^aod_[0-9]+$/ {
		ts = $NF; sub(/^aod_/, "", ts)
		printf "%.0f %s %d\n", epoch_ms($1, $2), ts, ($5 == n ? 1 : 0)
	}' "$AOD_LOG"
}
aod_received_count() { aod_received "$1" | grep -c . || true; }
# aod_wait_received SECONDS NAME N: until the supervisor received N of NAME.
aod_wait_received() { wait_until "$1" _aod_received_atleast "$2" "$3"; }
_aod_received_atleast() { [ "$(aod_received_count "$1")" -ge "$2" ]; }

# aod_counter NAME KEY: detectord's judged/detected/sent/suppressed for NAME.
aod_counter() { aod_json ".anomalies[] | select(.name == \"$1\") | .$2"; }
# aod_counters: "name judged detected sent suppressed" lines, for the log.
aod_counters() {
	aod_json '.anomalies[] | "\(.name) judged \(.judged) detected \(.detected) sent \(.sent) suppressed \(.suppressed)"'
}

# mf TS FILTER: jq -r FILTER on collection aod_TS's manifest.
mf() { jq -r "$2" "$AOD_OUT/aod_$1/manifest.json"; }
# mf_ns TS KEY: a nanosecond field of the manifest (timestamp_ns,
# interval_start_ns, interval_end_ns) read as text: jq 1.6 turns numbers
# into doubles, which cannot hold them exactly.
mf_ns() { sed -n "s/.*\"$2\": *\([0-9][0-9]*\).*/\1/p" "$AOD_OUT/aod_$1/manifest.json" | head -1; }
# mf_show TS: the anomaly part of a manifest, compact, for the log.
mf_show() {
	jq -c '.anomaly | {name, type, emergency, timestamp_ns, summary: (.summary |
		{violations, events_judged, acceptable_count, commands, errors, worst: [.worst[] | {command, latency_ms, errno, pid, comm}]})}' \
		"$AOD_OUT/aod_$1/manifest.json" | sed 's/^/#   manifest: /'
}
# mf_commands TS: the summary's command names, sorted, space separated.
mf_commands() { mf "$1" '[.anomaly.summary.commands[].command] | sort | join(" ")'; }

# A scenario that stops early (set -u, a failed command) must not leave its
# load running into the next scenario of the same boot, nor the delay on lo,
# and still leaves its artefacts (finish writes state.txt).
_anomaly_exit() {
	local rc=$?
	[ -d "$AOD_DIR" ] && : > "$AOD_DIR/load.stop"
	netem_off
	if [ ! -e "$ART/state.txt" ]; then
		echo "# the scenario stopped early (exit status $rc): collecting artefacts"
		collect_artefacts
	fi
}
trap _anomaly_exit EXIT
