#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Scenario 6, privileges, read from /proc/<pid>/status of the real workers:
#  - every worker runs as the service user aodv2 (uid, gid, no supplementary
#    groups, NoNewPrivs, its seccomp filter), holds no BPF object, and has exactly its
#    capabilities: detectord and sweeperd none, collectord the union its
#    configured watcher.actions need (common/action_caps.c), in permitted,
#    effective, inheritable and ambient, with an empty bounding set; a
#    helper it runs (tcpdump) gets only its own action's capability;
#  - a reload that changes watcher.actions keeps collectord's capabilities
#    (logged as taking effect at its restart), and after kill -9 the new
#    collectord holds exactly the new union.
# The guest has the service user (guest/boot.sh adds it when the host root
# lacks it); the fallback to nobody is covered on the host by
# test/supervisor's real_workers test, where no aodv2 user exists.
. "$AODVM_HERE/guest/lib.sh"

# CAP_* numbers (linux/capability.h) and what each action needs.
CAP_DAC_READ_SEARCH=2
CAP_NET_RAW=13
CAP_SYSLOG=34
action_caps() { # action -> cap numbers
	case "$1" in
	dmesg) echo $CAP_SYSLOG ;;
	journalctl | stats | smbinfo | syslogs) echo $CAP_DAC_READ_SEARCH ;;
	tcpdump) echo $CAP_NET_RAW ;;
	esac
}
mask_of() { # cap numbers -> the 16 hex digits /proc shows
	local m=0 c
	for c in "$@"; do m=$((m | (1 << c))); done
	printf '%016x' "$m"
}
caps_for_actions() { # actions -> mask
	local a caps=()
	for a in "$@"; do caps+=($(action_caps "$a")); done
	mask_of "${caps[@]}"
}

# load_status FILE: /proc/<pid>/status fields into ST[key], without forking
# (forks are slow under TCG).
declare -A ST
load_status() {
	local k v
	ST=()
	while IFS=$'\t' read -r k v; do
		ST[${k%:}]=$v
	done < "$1"
}
# Users looked up once: forks are slow under TCG, so the checks below use
# only builtins on what they have already read.
declare -A UIDS GIDS
lookup_user() { IFS=: read -r _ _ "UIDS[$1]" "GIDS[$1]" _ <<< "$(getent passwd "$1")"; }
lookup_user aodv2
lookup_user nobody
# cap_names MASK: sets NAMES to the cap_* names in MASK, in name order
# (which is number order for the three the actions use), space-separated.
cap_names() {
	local c
	NAMES=
	for ((c = 0; c < 64; c++)); do
		(( (16#$1 >> c) & 1 )) || continue
		case $c in
		$CAP_DAC_READ_SEARCH) NAMES+="cap_dac_read_search " ;;
		$CAP_NET_RAW) NAMES+="cap_net_raw " ;;
		$CAP_SYSLOG) NAMES+="cap_syslog " ;;
		*) NAMES+="cap_$c " ;;
		esac
	done
}

# check_proc WHAT STATUS_FILE USER MASK: the identity and capability sets of
# a process, from its /proc/<pid>/status or a copy of it.
check_proc() {
	local what=$1 user=$3 mask=$4 uid=${UIDS[$3]} gid=${GIDS[$3]} k
	load_status "$2"
	note "$what: Uid ${ST[Uid]} Gid ${ST[Gid]} Groups '${ST[Groups]}' CapInh ${ST[CapInh]}" \
		"CapPrm ${ST[CapPrm]} CapEff ${ST[CapEff]} CapBnd ${ST[CapBnd]} CapAmb ${ST[CapAmb]}" \
		"NoNewPrivs ${ST[NoNewPrivs]}"
	check "$what: real, effective, saved and fs uid are $user ($uid)" \
		test "${ST[Uid]}" = "$uid	$uid	$uid	$uid"
	check "$what: every gid is $user's group ($gid)" test "${ST[Gid]}" = "$gid	$gid	$gid	$gid"
	check "$what: no supplementary groups" test -z "${ST[Groups]// /}"
	for k in CapPrm CapEff CapInh CapAmb; do
		check "$what: $k = $mask" test "${ST[$k]}" = "$mask"
	done
	check "$what: bounding set empty" test "${ST[CapBnd]}" = 0000000000000000
	check "$what: NoNewPrivs set" test "${ST[NoNewPrivs]}" = 1
}

# check_worker NAME USER MASK: /proc, the fds it holds and what status says.
check_worker() {
	local name=$1 user=$2 mask=$3 pid= uid= rest= fds
	read -r pid uid rest <<< "$(aod_json ".workers[] | select(.name == \"$name\") |
		\"\(.pid) \(.uid) \(.user) \(.capabilities | sort | join(\" \"))\"")"
	if [ -z "$pid" ] || [ ! -r "/proc/$pid/status" ]; then
		not_ok "$name has a live pid (${pid:-none})"
		return
	fi
	check_proc "$name (pid $pid)" "/proc/$pid/status" "$user" "$mask"
	check "$name: runs under its seccomp filter (Seccomp 2)" test "${ST[Seccomp]}" = 2
	fds=$(find "/proc/$pid/fd" -mindepth 1 -printf '%f->%l ')
	note "$name fds: $fds"
	check "$name: holds no BPF map or program" test "${fds/bpf/}" = "$fds"
	cap_names "$mask"
	local got_user=${rest%% *} got_caps=${rest#* }
	[ "$got_caps" = "$rest" ] && got_caps=
	check "status: $name uid $uid, user $got_user, capabilities [$got_caps]" \
		test "$uid $got_user $got_caps " = "${UIDS[$user]} $user ${NAMES:- }"
}

ACTIONS1="tcpdump dmesg journalctl debugdata stats mounts smbinfo syslogs"
ACTIONS2="dmesg debugdata mounts"
list() { echo "[$(echo "$*" | sed 's/ /, /g')]"; }
aod_config <<-EOF
watch_interval_sec: 0.5
guardian:
  anomalies:
    latency:
      type: Latency
      default_threshold_ms: 100
      actions: [tcpdump, dmesg, mounts]
watcher:
  actions: $(list $ACTIONS1)
  tcpdump_duration_sec: 8
  # the packet ring's own tcpdump (recorder.sh) is not the action's helper;
  # the snapshots' CAP_DAC_READ_SEARCH (open_files) is not the actions' either
  flight_recorder: {packets: false, snapshots: false}
EOF
check "the guest has the service user aodv2 (uid ${UIDS[aodv2]:-none})" test -n "${UIDS[aodv2]}"
smb_start
cifs_mount
step "start aodv2 with watcher.actions $(list $ACTIONS1)"
aod_start
check "the supervisor runs as root" test "$(awk '$1 == "Uid:" { print $2 $3 $4 $5 }' "/proc/$AOD_PID/status")" = 0000
MASK1=$(caps_for_actions $ACTIONS1)
check_worker detectord aodv2 0000000000000000
check_worker sweeperd aodv2 0000000000000000
check_worker collectord aodv2 "$MASK1"
check "log: each worker's identity checked by the supervisor" \
	test "$(aod_log_count 'is ready as uid [0-9]+ with capabilities')" -eq 3

step "a helper gets only its own action's capability: tcpdump of 'aodctl collect latency'"
# catch_helper NAME: copies the status of a running NAME to
# $AOD_DIR/NAME.status and its pid to NAME.pid, with builtins only: under TCG
# a fork (pgrep, cp) can take longer than the capture lasts.
catch_helper() {
	local d c l
	for d in /proc/[0-9]*; do
		read -r c < "$d/comm" 2> /dev/null || continue
		[ "$c" = "$1" ] || continue
		{ while IFS= read -r l; do printf '%s\n' "$l"; done < "$d/status"; } \
			> "$AOD_DIR/$1.status" 2> /dev/null || continue
		[[ $(< "$AOD_DIR/$1.status") == *NoNewPrivs:* ]] || continue # it ended mid-read
		echo "${d#/proc/}" > "$AOD_DIR/$1.pid"
		return 0
	done
	return 1
}
rm -f "$AOD_DIR/tcpdump.status" "$AOD_DIR/tcpdump.pid"
(
	end=$((SECONDS + 40))
	until catch_helper tcpdump || [ $SECONDS -ge $end ]; do
		sleep 0.05
	done
) &
watcher=$!
aodctl collect latency > "$ART/collect.txt" 2>&1
check "aodctl collect latency exits 0" test $? -eq 0
wait "$watcher"
check "the collection's tcpdump was seen running" test -s "$AOD_DIR/tcpdump.pid"
[ -s "$AOD_DIR/tcpdump.pid" ] &&
	check_proc "tcpdump helper (pid $(cat "$AOD_DIR/tcpdump.pid"))" "$AOD_DIR/tcpdump.status" aodv2 \
		"$(caps_for_actions tcpdump)"
check_wait 40 "the manual collection completes" \
	_aod_log_atleast 'aodv2-supervisor.*collection aod_[0-9]+ complete' 1

step "reload with watcher.actions $(list $ACTIONS2)"
col=$(aod_worker collectord pid)
cat > "$AOD_DROPIN/50-fewer-actions.yaml" <<-EOF
watcher:
  actions: $(list $ACTIONS2)
guardian:
  anomalies:
    latency:
      actions: [dmesg, mounts]
EOF
aodctl reload > "$ART/reload.txt" 2>&1
check "aodctl reload exits 0" test $? -eq 0
check_wait 10 "log: the new capabilities wait for collectord's restart" \
	_aod_log_atleast 'need other capabilities than collectord holds' 1
check "collectord keeps its pid ($col) and capabilities over the reload" \
	test "$(aod_worker collectord pid) $(awk '$1 == "CapEff:" { print $2 }' "/proc/$col/status")" = "$col $MASK1"
kill -KILL "$col"
check_wait 30 "collectord runs again after kill -9" aod_restarted collectord "$col"
check_worker collectord aodv2 "$(caps_for_actions $ACTIONS2)"
check_worker detectord aodv2 0000000000000000
aod_stop
check "aodv2-supervisor exits 0" test "$AOD_RC" = 0
aod_check_log_clean
finish
