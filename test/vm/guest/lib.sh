# SPDX-License-Identifier: GPL-2.0-only
# Sourced by every scenario (test/vm/scenarios/*.sh) inside the VM: TAP-like
# assertions, waiting, the Samba server and cifs mount, netem, and starting
# and querying aodv2. ART is the scenario's artefact directory (host-visible).
set -u
. /run/aodvm/out/job.env
: "${ART:?ART must name the artefact directory}"
# devtmpfs has no /dev/fd, which bash's process substitution <(...) needs.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd 2> /dev/null

SHARE=/srv/share          # what smbd exports as [share]
MNT=/srv/mnt              # where cifs mounts it
AOD_DIR=/run/aodv2-test   # config, drop-ins, socket, collections of this scenario
SUP=$AOD_BUILD_ROOT/supervisor/aodv2-supervisor
AODCTL=$AOD_BUILD_ROOT/supervisor/aodctl

_n=0
_failed=0
read -r _t0 _ < /proc/uptime

now() { local u; read -r u _ < /proc/uptime; echo "$u"; }
elapsed() { awk -v a="$_t0" -v b="$(now)" 'BEGIN { printf "%6.1f", b - a }'; }
step() { echo "# [$(elapsed)s] $*"; }
note() { echo "#   $*"; }
# wall_ms: wall-clock milliseconds now (EPOCHREALTIME: no fork).
wall_ms() { local t=${EPOCHREALTIME/./}; echo $((10#$t / 1000)); }
# ms_between A_MS B_MS: B - A.
ms_between() { echo $(($2 - $1)); }

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); _failed=$((_failed + 1)); echo "not ok $_n - $*"; }
# check DESCRIPTION COMMAND...: one assertion, its outcome printed.
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
# check_wait SECONDS DESCRIPTION COMMAND...: an assertion that COMMAND gets
# true within SECONDS, printed with how long it took.
check_wait() {
	local limit=$1 d=$2 t0
	shift 2
	t0=$(now)
	if wait_until "$limit" "$@"; then
		ok "$d ($(ms_since "$t0") ms)"
	else
		not_ok "$d (not within $limit s)"
	fi
}
# Fatal: the scenario cannot go on.
bail() { not_ok "$*"; echo "Bail out! $*"; finish; }
finish() {
	echo "1..$_n"
	echo "# $((_n - _failed))/$_n assertions passed in $(elapsed)s"
	collect_artefacts
	[ "$_failed" -eq 0 ] && exit 0
	exit 1
}

# wait_until SECONDS COMMAND...: polls every 0.2 s; 0 once true, 1 on timeout.
wait_until() {
	local limit=$1 end
	shift
	end=$(awk -v a="$(now)" -v l="$limit" 'BEGIN { print a + l }')
	while :; do
		"$@" && return 0
		awk -v a="$(now)" -v e="$end" 'BEGIN { exit !(a >= e) }' && return 1
		sleep 0.2
	done
}

# ms_since T: milliseconds since uptime T.
ms_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%d", (b - a) * 1000 }'; }

# --- Samba and cifs ------------------------------------------------------------
smb_listening() { ss -Hltn 'sport = :445' | grep -q .; }

# A guest share bound to lo: the guest account (nobody) may write the share
# root but not read private/, which gives EACCES on demand.
smb_start() {
	mkdir -p "$SHARE/private" "$MNT"
	chmod 0777 "$SHARE"
	chmod 0700 "$SHARE/private"
	echo secret > "$SHARE/private/secret.txt"
	cat > /etc/samba/smb.conf <<-'EOF'
	[global]
	   server role = standalone server
	   interfaces = lo
	   bind interfaces only = yes
	   smb ports = 445
	   disable netbios = yes
	   map to guest = Bad User
	   guest account = nobody
	   server min protocol = SMB2_10
	   load printers = no
	   printing = bsd
	   printcap name = /dev/null
	   disable spoolss = yes
	   log file = /var/log/samba/log.%m
	   log level = 1
	[share]
	   path = /srv/share
	   guest ok = yes
	   guest only = yes
	   read only = no
	   create mask = 0666
	EOF
	if ! smb_listening; then
		smbd -D || bail "smbd did not start"
		wait_until 20 smb_listening || bail "smbd does not listen on 445"
	fi
}

# cifs_mount [extra options]: loads cifs and mounts the share on $MNT.
cifs_mount() {
	local opts="guest,vers=3.1.1,cache=none,actimeo=0${1:+,$1}"
	local try
	modprobe cifs || bail "modprobe cifs failed"
	# On a loaded TCG host smbd can answer the first negotiate after cifs
	# gave up on it (mount error 112, host is down), or the session setup
	# after cifs's wait for it (5.10 at load 27: error 11, "Send error in
	# SessSetup = -11"): those are tried again.
	for try in 1 2 3; do
		mount -t cifs //127.0.0.1/share "$MNT" -o "$opts" 2> "$AOD_DIR.mount.err" && return 0
		cat "$AOD_DIR.mount.err" >&2
		grep -qE 'error\((112|11)\)' "$AOD_DIR.mount.err" || break
		note "mount attempt $try: $(head -c 120 "$AOD_DIR.mount.err") (smbd slow to answer); trying again"
	done
	bail "mount -t cifs ($opts) failed"
}

netem_delay() { # ms
	modprobe sch_netem
	tc qdisc replace dev lo root netem delay "${1}ms"
}
netem_off() { tc qdisc del dev lo root 2>/dev/null || true; }

# One round of SMB traffic on the mount: create, write, read back, stat,
# list, delete. Each step is at least one request that waits on the server.
smb_io_round() { # tag
	local f=$MNT/io-$1
	dd if=/dev/zero of="$f" bs=64k count=2 conv=fsync status=none || return 1
	dd if="$f" of=/dev/null bs=64k status=none || return 1
	stat "$f" > /dev/null || return 1
	ls "$MNT" > /dev/null || return 1
	rm -f "$f"
}

# Copies what a failure needs into the artefact directory.
collect_artefacts() {
	{
		echo "--- mounts"; grep -E 'cifs|tmpfs|9p' /proc/mounts
		echo "--- modules"; grep -E '^(cifs|sch_netem) ' /proc/modules
		echo "--- qdisc"; tc qdisc show dev lo
		echo "--- processes"; ps -eo pid,ppid,user,stat,etime,args 2>/dev/null
	} > "$ART/state.txt" 2>&1
	dmesg > "$ART/dmesg.txt" 2>&1
	[ -d /var/log/samba ] && cat /var/log/samba/log.* > "$ART/samba.log" 2>/dev/null
	[ -f /proc/fs/cifs/DebugData ] && cat /proc/fs/cifs/DebugData > "$ART/cifs-debugdata.txt" 2>/dev/null
	aod_artefacts
	true
}

# --- aodv2 under test ----------------------------------------------------------
# One supervisor per scenario, from the build tree, in the foreground so that
# its log and every worker's (same stderr) land in $ART/supervisor.log. The
# config uses this scenario's output dir and control socket; scenarios give
# the rest (aod_config) and add drop-ins to $AOD_DROPIN.
AOD_CONF=$AOD_DIR/aodv2.yaml
AOD_DROPIN=$AOD_DIR/aodv2.d
AOD_OUT=$AOD_DIR/out
AOD_SOCK=$AOD_DIR/aodv2.sock
AOD_LOG=$ART/supervisor.log
AOD_PID=
AOD_RC=
_aod_fresh=

# (Leak checking off in sanitizer builds: the scenarios poll it often, and
# its own tests check it.)
aodctl() { ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} "$AODCTL" -s "$AOD_SOCK" "$@"; }

# aod_config < YAML: the base config (without aod_output_dir and
# control_socket, which are this scenario's). The first call in a scenario
# starts from an empty $AOD_DIR.
aod_config() {
	if [ -z "$_aod_fresh" ]; then
		rm -rf "$AOD_DIR"
		_aod_fresh=1
	fi
	mkdir -p "$AOD_DIR" "$AOD_DROPIN"
	{
		echo "aod_output_dir: $AOD_OUT"
		echo "control_socket: $AOD_SOCK"
		cat
	} > "$AOD_CONF"
}

# aod_json FILTER: one fresh `aodctl status --json` through jq -r.
aod_json() { aodctl status --json 2> /dev/null | jq -r "$1" 2> /dev/null; }
aod_worker() { aod_json ".workers[] | select(.name == \"$1\") | .$2"; } # name key
aod_running() { # name...: each running (all three when none named)
	local n want=${*:-detectord collectord sweeperd}
	local got
	got=$(aod_json '.workers[] | select(.state == "running") | .name') || return 1
	for n in $want; do
		grep -qx "$n" <<< "$got" || return 1
	done
}
# aod_restarted NAME OLD_PID: NAME runs again, as another process.
aod_restarted() {
	local st pid
	read -r st pid <<< "$(aod_json ".workers[] | select(.name == \"$1\") | \"\(.state) \(.pid)\"")"
	[ "$st" = running ] && [ "$pid" != "$2" ]
}
# aod_idle: every anomaly routed to collectord has been collected.
aod_idle() { test "$(aod_json '.routing | (.in_flight == 0 and .queued == 0)')" = true; }
# aod_save NAME: the current status (JSON and text) into $ART/NAME.json/.txt.
aod_save() {
	aodctl status --json > "$ART/$1.json" 2>&1
	aodctl status > "$ART/$1.txt" 2>&1
}

# aod_start [SUPERVISOR ARGS]: starts aodv2-supervisor and waits until its
# three workers run. Leak checking is off: the workers drop privileges, and
# LeakSanitizer cannot trace a non-dumpable process (sanitizer builds).
aod_start() {
	[ -x "$SUP" ] || bail "$SUP is not built"
	local t0
	t0=$(now)
	mkdir -p "$AOD_DROPIN"
	echo "# --- aodv2-supervisor $* (at $(elapsed)s)" >> "$AOD_LOG"
	TZ=UTC ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} AOD_LOG_LEVEL=${AOD_LOG_LEVEL:-INFO} \
		"$SUP" -f -c "$AOD_CONF" -d "$AOD_DROPIN" "$@" >> "$AOD_LOG" 2>&1 < /dev/null &
	AOD_PID=$!
	if ! wait_until 90 aod_running; then
		aod_save status-start-failed
		bail "aodv2-supervisor (pid $AOD_PID) did not get three workers running in 90 s (see supervisor.log)"
	fi
	note "aodv2-supervisor pid $AOD_PID: three workers running after $(ms_since "$t0") ms"
}

# aod_stop: SIGTERM, then waits up to 60 s; AOD_RC is its exit status.
aod_stop() {
	[ -n "$AOD_PID" ] || return 0
	aod_save status-final
	kill -TERM "$AOD_PID" 2> /dev/null
	if wait_until 60 bash -c "! kill -0 $AOD_PID 2> /dev/null"; then
		wait "$AOD_PID"
		AOD_RC=$?
	else
		AOD_RC=timeout
		kill -KILL "$AOD_PID" 2> /dev/null
	fi
	AOD_PID=
}

# aod_check_log_clean: an assertion that no process of aodv2 reported a
# sanitizer error (sanitizer builds) or crashed with a message in its log.
aod_check_log_clean() {
	local n
	n=$(aod_log_count 'runtime error:|ERROR: (Address|Leak|Undefined)Sanitizer|SUMMARY: [A-Za-z]+Sanitizer')
	check "supervisor.log has no sanitizer report ($n lines)" test "$n" -eq 0
}
# aod_log_count REGEX: matching lines in the supervisor log so far.
aod_log_count() { grep -cE -- "$1" "$AOD_LOG" 2> /dev/null || true; }
# aod_wait_log SECONDS REGEX [N]: until at least N (default 1) lines match.
aod_wait_log() { wait_until "$1" _aod_log_atleast "$2" "${3:-1}"; }
_aod_log_atleast() { [ "$(aod_log_count "$1")" -ge "$2" ]; }

# Collections in the output dir: complete (aod_<ts>) and partial ones.
aod_complete() { ls -1A "$AOD_OUT" 2> /dev/null | grep -E '^aod_[0-9]+$' || true; }
aod_partial() { ls -1A "$AOD_OUT" 2> /dev/null | grep -E '^\.aod_[0-9]+\.partial$' || true; }

# io_start TAG / io_stop: smb_io_round in a loop in the background; io_stop
# lets the current round finish. IO_ROUNDS counts the rounds done.
io_start() {
	rm -f "$AOD_DIR/io.stop" "$AOD_DIR/io.rounds"
	(
		i=0
		while [ ! -e "$AOD_DIR/io.stop" ]; do
			smb_io_round "$1-$i" || echo "io round $i failed" >&2
			i=$((i + 1))
			echo "$i" > "$AOD_DIR/io.rounds"
		done
	) &
	_io_pid=$!
}
io_stop() {
	[ -n "${_io_pid:-}" ] || return 0
	: > "$AOD_DIR/io.stop"
	wait "$_io_pid"
	_io_pid=
	IO_ROUNDS=$(cat "$AOD_DIR/io.rounds" 2> /dev/null || echo 0)
}

# What a failure needs from aodv2: config, drop-ins, the final status, and the
# output dir (collections, partial ones too) with a listing.
aod_artefacts() {
	[ -d "$AOD_DIR" ] || return 0
	mkdir -p "$ART/aodv2"
	cp -a "$AOD_CONF" "$AOD_DROPIN" "$ART/aodv2/" 2> /dev/null
	[ -S "$AOD_SOCK" ] && aod_save status-at-end
	if [ -d "$AOD_OUT" ]; then
		(cd "$AOD_OUT" && find . -printf '%M %8s %TT %p\n' | sort -k4) > "$ART/aodv2/output-listing.txt"
		cp -a "$AOD_OUT" "$ART/aodv2/output" 2> /dev/null
	fi
	true
}
