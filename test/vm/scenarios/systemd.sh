#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Issue 21, the service under real systemd: runs only in the systemd boot
# (run-systemd-vm.sh), where systemd is PID 1, journald runs and the root is
# writable. The Debian package as an operator gets it, in its own sandbox:
#  1. dpkg -i: user, group, directories, unit enabled; `systemctl start`
#     returns once READY=1 came: workers running, probes waiting for cifs;
#  2. a cifs mount made afterwards: the probes attach; a netem spike gives a
#     complete collection in /var/log/aodv2 whose every action is ok;
#  3. systemctl reload: a good drop-in applies, a broken one is refused and
#     logged, the service keeps running with the same processes;
#  4. journalctl -t <ident> shows each process's own lines;
#  5. kill -9 of a worker: restarted; five fast deaths: the supervisor exits 3
#     and systemd restarts it; crash loops until StartLimitBurst: failed;
#  6. systemctl stop: within TimeoutStopSec, status 0, nothing of the unit
#     left; systemd-analyze security printed, its score the README's;
#  7. dpkg --purge: no user, group, files or unit left.
. "$AODVM_HERE/guest/lib.sh"
. "$AODVM_HERE/guest/anomaly.sh"

[ -d /run/systemd/system ] || bail "systemd is not PID 1 here: this scenario runs in run-systemd-vm.sh's boot"

UNIT=aodv2-supervisor.service
# lib.sh's helpers, pointed at the installed service instead of a build tree.
AODCTL=/usr/bin/aodctl
AOD_SOCK=/run/aodv2/aodv2.sock
AOD_CONF=/etc/aodv2/aodv2.yaml
AOD_DROPIN=/etc/aodv2.d
AOD_OUT=/var/log/aodv2
AOD_DIR=/run/aodvm/systemd # this scenario's scratch (load loops)
AOD_LOG=$ART/journal-unit.log # the unit's journal, refreshed by jsync
mkdir -p "$AOD_DIR"
START_SEC=240 # systemctl start: probes loaded and three workers, under TCG

prop() { systemctl show --value -p "$1" "$UNIT"; }
state() { echo "$(prop ActiveState)/$(prop SubState)"; }
is_state() { [ "$(state)" = "$1" ]; }
# The unit's journal as "<epoch.usec> <ident>[pid]: message" (lib.sh's
# aod_log_count and aod_wait_log read $AOD_LOG).
jsync() { journalctl -b -q --no-pager -o short-unix -u "$UNIT" | cut -d' ' -f1,3- > "$AOD_LOG"; }
jcount() { jsync; aod_log_count "$1"; }
_jatleast() { [ "$(jcount "$1")" -ge "$2" ]; }
jwait() { wait_until "$1" _jatleast "$2" "${3:-1}"; } # seconds regex [n]
# The unit's processes: its cgroup's members.
unit_pids() {
	local cg
	cg=$(prop ControlGroup)
	[ -n "$cg" ] && cat "/sys/fs/cgroup$cg/cgroup.procs" 2> /dev/null
}
# Processes running an installed aodv2 program, wherever they are.
aod_procs() {
	find /proc -mindepth 2 -maxdepth 2 -name exe \( -lname /usr/sbin/aodv2-supervisor \
		-o -lname '/usr/libexec/aodv2/*' \) 2> /dev/null | cut -d/ -f3
}
main_pid() { prop MainPID; }
on_exit() {
	_anomaly_exit
	jsync
	journalctl -b -q --no-pager -o short-monotonic > "$ART/journal.txt" 2>&1
}
trap on_exit EXIT

deb=$(ls "$AOD_BUILD_ROOT"/test/vm/systemd/aodv2_*.deb 2> /dev/null | head -1)
[ -f "$deb" ] || bail "no package in $AOD_BUILD_ROOT/test/vm/systemd (run-systemd-vm.sh builds it)"
check "journald runs" systemctl -q is-active systemd-journald.service
check "cifs is not loaded before the service starts" bash -c '! grep -q "^cifs " /proc/modules'

# --- 1. install ------------------------------------------------------------------
step "1. dpkg -i $(basename "$deb")"
dpkg -i "$deb" > "$ART/dpkg-install.log" 2>&1
check "dpkg -i succeeds (log: dpkg-install.log)" test "$(dpkg-query -W -f='${Status}' aodv2)" = "install ok installed"
uid=$(getent passwd aodv2 | cut -d: -f3)
gid=$(getent group aodv2 | cut -d: -f3)
check "the system user aodv2 (uid $uid) with no login shell" \
	test -n "$uid" -a "${uid:-1000}" -lt 1000 -a "$(getent passwd aodv2 | cut -d: -f7)" = /usr/sbin/nologin
check "the group aodv2 (gid $gid)" test -n "$gid"
check "tmpfiles: /var/log/aodv2 is aodv2:aodv2 0750" test "$(stat -c '%u:%g %a' /var/log/aodv2)" = "$uid:$gid 750"
check "tmpfiles: /run/aodv2 is root:aodv2 0750" test "$(stat -c '%u:%g %a' /run/aodv2)" = "0:$gid 750"
check "the unit is enabled ($(systemctl is-enabled "$UNIT"))" test "$(systemctl is-enabled "$UNIT")" = enabled
check "postinst started it: $(state)" is_state active/running
check "the unit is Type=notify" test "$(prop Type)" = notify

step "systemctl stop, then systemctl start"
systemctl stop "$UNIT"
check "stopped: $(state)" is_state inactive/dead
t0=$(now)
timeout "$START_SEC" systemctl start "$UNIT"
rc=$?
# Right after start returned, no waiting: Type=notify makes it return only
# once READY=1 came, which the supervisor sends with the probes loaded and
# every worker ready.
st=$(state)
status=$(aodctl status --json 2> /dev/null)
ms=$(ms_since "$t0")
check "systemctl start returns 0 ($rc) after $ms ms" test "$rc" = 0
check "right after it returned the unit is active/running ($st), not activating" test "$st" = active/running
check "and aodctl status already shows three workers running" \
	test "$(jq -r '[.workers[] | select(.state == "running")] | length' <<< "$status")" = 3
check "and the probes are loaded, waiting for cifs (cifs_loaded, latency_attached: $(jq -r '"\(.probes.cifs_loaded) \(.probes.latency_attached)"' <<< "$status"))" \
	test "$(jq -r '"\(.probes.cifs_loaded) \(.probes.latency_attached)"' <<< "$status")" = "false false"
check "the journal has the supervisor's start line" \
	test "$(jcount 'aodv2-supervisor\[[0-9]+\]: aodv2-supervisor .* running: workers as aodv2')" -ge 1
check "systemd logged the start as done only then (Started ...)" test "$(jcount 'Started aodv2-supervisor.service|Started aodv2 ')" -ge 1
pid=$(main_pid)
bounding=$(prop CapabilityBoundingSet | sed 's/cap_/+/g; s/ /,/g')
want_bnd=$(setpriv --bounding-set "-all,$bounding" sed -n 's/^CapBnd:\t//p' /proc/self/status)
check "the supervisor runs with no_new_privs" grep -qx 'NoNewPrivs:.1' "/proc/$pid/status"
check "and the unit's bounding set ($want_bnd: $bounding)" grep -qx "CapBnd:.$want_bnd" "/proc/$pid/status"
for w in detectord collectord sweeperd; do
	check "$w runs as aodv2" test "$(jq -r ".workers[] | select(.name == \"$w\") | .user" <<< "$status")" = aodv2
done
aod_save status-started

# --- 2. cifs mount, probes, a collection under the sandbox ------------------------
step "2. a good drop-in (anomaly vmspike) and systemctl reload"
INTERVAL=2
ACTIONS="dmesg journalctl debugdata stats mounts smbinfo tcpdump"
# With the flight recorder armed (the default), its snapshot writes
# stats.txt.zst in place of the stats action, and its other parts join the
# manifest: each of them works under the sandbox too (the cifs trace ring
# needs tracefs's instances directory writable, the packet ring its
# directory's group given without CAP_CHOWN).
SANDBOX_OK="dmesg journalctl debugdata snapshot mounts smbinfo tcpdump"
RECORDER_PARTS="tcp events cifs-trace packets snapshot-end"
actions_yaml=$(echo "$ACTIONS" | sed 's/ /, /g')
# The shipped latency anomaly (20 ms) would fire on any TCG hiccup: raised
# out of the way; vmspike is this test's, above the guest's noise.
cat > "$AOD_DROPIN/50-vm.yaml" <<EOF
watch_interval_sec: $INTERVAL
guardian:
  anomalies:
    latency:
      default_threshold_ms: 60000
      emergency_threshold_ms: 0
      track_commands:
        - command: SMB2_WRITE
          threshold: 60000
      actions: [dmesg] # its own list names syslogs, which watcher.actions no longer has
    vmspike:
      type: Latency
      tool: smbslower
      mode: all
      default_threshold_ms: 600
      emergency_threshold_ms: 0
      acceptable_count: 5
      cooldown_sec: 8
      actions: [$actions_yaml]
watcher:
  actions: [$actions_yaml]
  tcpdump_duration_sec: 5
  action_timeout_sec: 90
EOF
pids() { aod_json '[.workers[] | "\(.name)=\(.pid)"] | join(" ")'; }
pids0=$(pids)
mpid0=$(main_pid)
systemctl reload "$UNIT"
check "systemctl reload returns 0" test $? = 0
check_wait 30 "status: reloads = 1" test "$(aod_json '.reloads')" = 1
files=$(aod_json '.config_files | join(" ")')
check "status: the config files include 50-vm.yaml ($files)" grep -qw "$AOD_DROPIN/50-vm.yaml" <<< "$files"
check "status: the new anomaly vmspike is there ($(aod_json '[.anomalies[].name] | join(" ")'))" \
	grep -qx vmspike <<< "$(aod_json '.anomalies[].name')"
check_wait 30 "journal: detectord reloaded its configuration (3 anomalies)" \
	_jatleast 'aodv2-detectord\[[0-9]+\]: .*reloaded configuration: 3 anomalies' 1
check "same supervisor and workers ($(pids))" test "$(main_pid) $(pids)" = "$mpid0 $pids0"

step "mount (loads cifs)"
smb_start
mount_attached latency_attached
note "probes: $(aod_json '.probes | "variant \(.variant), cifs_loaded \(.cifs_loaded), errors_attached \(.errors_attached)"')"

step "netem 400 ms on lo with SMB traffic"
load_start aodload 0.2 4
sleep 2
netem_delay 400
got_one() { test -n "$(aod_complete)"; }
wait_until 60 _jatleast 'anomaly vmspike: .*aod_[0-9]+' 1 || bail "no vmspike anomaly within 60 s of the delay"
netem_off
load_stop # more traffic would only raise more anomalies on a slow guest
check_wait 180 "a complete collection in /var/log/aodv2" got_one
ts=$(aod_complete | head -1)
ts=${ts#aod_}
mf_show "$ts"
check "manifest: complete, anomaly vmspike" \
	test "$(mf "$ts" '"\(.status) \(.anomaly.name)"')" = "complete vmspike"
for a in $SANDBOX_OK; do
	st=$(mf "$ts" ".actions[] | select(.name == \"$a\") | \"\(.status) \(.output) \(.bytes)\"")
	read -r status out bytes <<< "$st"
	check "action $a under the sandbox: ${st:-missing}" \
		test "$status" = ok -a -s "$AOD_OUT/aod_$ts/${out:-none}" -a "${bytes:-0}" -gt 0
done
for a in $RECORDER_PARTS; do
	st=$(mf "$ts" ".actions[] | select(.name == \"$a\") | \"\(.status) \(.reason // \"\")\"")
	check "recorder part $a under the sandbox: ${st:-missing}" test "${st%% *}" = ok
done
check "the manifest has no other action ($(mf "$ts" '[.actions[].name] | join(" ")'))" \
	test "$(mf "$ts" '[.actions[].name] | sort | join(" ")')" = \
		"$(tr ' ' '\n' <<< "$SANDBOX_OK $RECORDER_PARTS" | sort | paste -sd' ')"
check "the collection is aodv2:aodv2, not world-readable ($(stat -c '%U:%G %A' "$AOD_OUT/aod_$ts"))" \
	test "$(stat -c '%U:%G %A' "$AOD_OUT/aod_$ts")" = "aodv2:aodv2 drwxr-x---"

# --- 3. a broken drop-in -----------------------------------------------------------
step "3. a broken drop-in (an unknown key) and systemctl reload"
cat > "$AOD_DROPIN/60-broken.yaml" <<-'EOF'
guardian:
  anomalies:
    vmspike:
      default_threshold_ms: 500
      no_such_key: 1
EOF
systemctl reload "$UNIT"
check "systemctl reload returns 0 (SIGHUP sent)" test $? = 0
check_wait 30 "status: reload_failures = 1" test "$(aod_json '.reload_failures')" = 1
check "journal: the reload is refused, the running config kept" \
	test "$(jcount 'reload: the configuration is invalid; keeping the running one')" -eq 1
check "journal: the error names 60-broken.yaml:5" test "$(jcount 'reload: .*60-broken.yaml:5')" -ge 1
check "status: reloads still 1, the config files unchanged" \
	test "$(aod_json '"\(.reloads) \(.config_files | join(" "))"')" = "1 $files"
check "the service keeps running: $(state), same processes" \
	test "$(state) $(main_pid) $(pids)" = "active/running $mpid0 $pids0"
rm -f "$AOD_DROPIN/60-broken.yaml"

# --- 4. the journal, per process ---------------------------------------------------
step "4. journalctl -t per process"
for w in supervisor detectord collectord sweeperd; do
	if [ "$w" = supervisor ]; then p=$mpid0; else p=$(aod_worker "$w" pid); fi
	n=$(journalctl -b -q --no-pager -t "aodv2-$w" _PID="$p" | grep -c .)
	others=$(journalctl -b -q --no-pager -t "aodv2-$w" -o json | jq -r '._COMM' | sort -u | paste -sd' ')
	check "journalctl -t aodv2-$w: $n lines from its process (pid $p; comm: $others)" test "$n" -ge 1
	journalctl -b -q --no-pager -t "aodv2-$w" -n 3 | sed 's/^/#   /'
done

# --- 5. deaths ------------------------------------------------------------------------
step "5. kill -9 of a worker"
old=$(aod_worker sweeperd pid)
kill -KILL "$old"
check_wait 60 "sweeperd restarted by the supervisor (was pid $old)" aod_restarted sweeperd "$old"
check "the supervisor is the same process ($(main_pid))" test "$(main_pid)" = "$mpid0"

# crash_loop: kills sweeperd each time it runs again until the supervisor
# gives up; 0 when the supervisor exited (that death was the 5th).
crash_loop() {
	local i p sup
	sup=$(main_pid)
	for i in 1 2 3 4 5 6; do
		p=$(aod_worker sweeperd pid)
		[ -n "$p" ] && [ "$p" != null ] || return 1
		kill -KILL "$p"
		if [ "$i" -lt 5 ]; then
			wait_until 90 aod_restarted sweeperd "$p" || return 1
		else
			wait_until 60 bash -c "! kill -0 $sup 2> /dev/null" && return 0
		fi
	done
	return 1
}
step "five fast deaths of sweeperd"
systemctl reset-failed "$UNIT" # the start limit counts from here
n0=$(prop NRestarts)
check "the supervisor gives up after the 5th death" crash_loop
check "journal: it says so" test "$(jcount 'giving up so the service')" -ge 1
check "journal: it exited with status 3" test "$(jcount 'Main process exited, code=exited, status=3')" -ge 1
restarted() { [ "$(prop NRestarts)" -gt "$n0" ] && is_state active/running; }
check_wait "$START_SEC" "systemd restarted it (NRestarts $n0 -> $(prop NRestarts)): $(state)" restarted
check "a new supervisor process ($(main_pid))" test "$(main_pid)" != "$mpid0"

step "crash loops until StartLimitBurst"
# settled OLD_PID: systemd is done with the last exit: the unit failed, or
# runs again as another supervisor.
settled() {
	case "$(state)" in
	failed/*) return 0 ;;
	active/running) [ "$(main_pid)" != "$1" ] && [ "$(main_pid)" != 0 ] ;;
	*) return 1 ;;
	esac
}
burst=$(prop StartLimitBurst)
loops=1
while [ "$loops" -le $((burst + 1)) ]; do
	sup=$(main_pid)
	wait_until 60 aod_running || break
	crash_loop || break
	loops=$((loops + 1))
	wait_until "$START_SEC" settled "$sup" || break
	is_state active/running || break
done
note "$loops crash loops (StartLimitBurst=$burst)"
# Result keeps the first failure of the run (exit-code, the supervisor's
# status 3); the refused start is the journal line below (systemd 252).
check "the unit ends failed: $(state), result $(prop Result), NRestarts $(prop NRestarts)" \
	test "$(state)" = failed/failed -a "$(prop Result)" != success
check "journal: systemd refused the next start (start request repeated too quickly)" \
	test "$(jcount 'Start request repeated too quickly')" -ge 1
check "no process of aodv2 is left ($(aod_procs | paste -sd' '))" test -z "$(aod_procs)"

# --- 6. stop, security -----------------------------------------------------------------
step "6. reset-failed, start, stop"
systemctl reset-failed "$UNIT"
timeout "$START_SEC" systemctl start "$UNIT"
check "started again: $(state)" is_state active/running
wait_until 60 aod_running
k0=$(jcount 'systemd\[1\]: .*Killing process')
t0=$(now)
systemctl stop "$UNIT"
rc=$?
ms=$(ms_since "$t0")
tss=$(prop TimeoutStopUSec)
check "systemctl stop returns 0 after $ms ms, within TimeoutStopSec ($tss)" \
	test "$rc" = 0 -a "$ms" -lt 30000
check "the supervisor exited with status 0: $(prop Result), ExecMainStatus $(prop ExecMainStatus)" \
	test "$(prop Result) $(prop ExecMainStatus)" = "success 0"
check "inactive/dead ($(state))" is_state inactive/dead
check "no process of the unit left (cgroup: $(unit_pids | paste -sd' '); aodv2: $(aod_procs | paste -sd' '))" \
	test -z "$(unit_pids)$(aod_procs)"
check "systemd killed nothing (no new 'Killing process' in the journal)" \
	test "$(jcount 'systemd\[1\]: .*Killing process')" -eq "$k0"

step "systemd-analyze security $UNIT"
# Over D-Bus (dbus.socket starts the bus on demand); if the bus does not
# answer, the same analysis of the installed unit file, said as such.
if ! timeout 300 systemd-analyze security --no-pager "$UNIT" > "$ART/security.txt" 2>&1; then
	note "systemd-analyze security over the bus failed ($(tail -1 "$ART/security.txt")): --offline on the unit file"
	timeout 300 systemd-analyze security --offline=yes --no-pager "/usr/lib/systemd/system/$UNIT" > "$ART/security.txt" 2>&1
fi
sed 's/^/#   /' "$ART/security.txt"
score=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p' "$ART/security.txt")
readme=$(sed -n 's/.*`systemd-analyze security aodv2-supervisor` rates the unit \*\*\([0-9.]*\) .*/\1/p' "$AOD_SOURCE_ROOT/README.md")
check "exposure $score, as the README records ($readme)" test -n "$score" -a "$score" = "$readme"

# --- 7. purge -----------------------------------------------------------------------------
step "7. dpkg --purge aodv2"
rm -f "$AOD_DROPIN/50-vm.yaml" # an administrator's file: purge would keep it
dpkg --purge aodv2 > "$ART/dpkg-purge.log" 2>&1
check "dpkg --purge succeeds" test -z "$(dpkg-query -W -f='${Status}' aodv2 2> /dev/null | grep ' installed')"
check "no user aodv2" test -z "$(getent passwd aodv2)"
check "no group aodv2" test -z "$(getent group aodv2)"
for p in /etc/aodv2 /etc/aodv2.d /var/log/aodv2 /run/aodv2 /usr/sbin/aodv2-supervisor /usr/bin/aodctl \
	/usr/libexec/aodv2 /usr/lib/systemd/system/$UNIT /etc/systemd/system/multi-user.target.wants/$UNIT; do
	check "no $p" test ! -e "$p" -a ! -L "$p"
done
check "systemd knows no such unit any more ($(prop LoadState))" test "$(prop LoadState)" = not-found
check "no process of aodv2 left" test -z "$(aod_procs)"
finish
