#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# unit.sh UNIT INSTALLED_SUPERVISOR BUILT_SUPERVISOR MANPAGE...
# The systemd unit as meson configured it: systemd-analyze verify accepts it
# (its ExecStart= binary, the installed path rewritten to the one just built,
# and the man pages it names found among ours), its exposure stays at or
# under the limit below, and the settings the service relies on are there.
set -uo pipefail
. "$(dirname "$0")/tap.sh"

# The figure from `systemd-analyze security` (systemd 252) for the unit as
# shipped is 3.7 ("OK"); hardening may only get better.
max_exposure=3.7

unit=$1 installed=$2 built=$3
shift 3
command -v systemd-analyze >/dev/null || skip_all "systemd-analyze is not installed (package systemd)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/man/man5" "$tmp/man/man8" "$tmp/unit"
for page in "$@"; do
	cp "$page" "$tmp/man/man${page##*.}/"
done
# verify insists that the ExecStart= binary exists: run it on a copy whose
# installed path (test 'install' checks that one) is the built supervisor.
name=${unit##*/}
ok "ExecStart= runs $installed" grep -q "^ExecStart=$installed " "$unit"
sed "s|^ExecStart=$installed |ExecStart=$built |" "$unit" >"$tmp/unit/$name"
ok "the copy runs the built supervisor" grep -q "^ExecStart=$built " "$tmp/unit/$name"

out=$(cd "$tmp/unit" && MANPATH=$tmp/man systemd-analyze verify "./$name" 2>&1)
ok "systemd-analyze verify $name" test $? -eq 0
[ -n "$out" ] && diag "$out"
ok "systemd-analyze verify prints no warning" test -z "$out"

# verify can fail: the same unit with a missing binary is refused
sed "s|^ExecStart=$installed |ExecStart=$tmp/missing |" "$unit" >"$tmp/unit/bad.service"
ok "systemd-analyze verify refuses a missing ExecStart binary" \
	bash -c 'cd "$1" && ! MANPATH=$2 systemd-analyze verify ./bad.service >/dev/null 2>&1' _ "$tmp/unit" "$tmp/man"
rm "$tmp/unit/bad.service"

sec=$(cd "$tmp/unit" && systemd-analyze security --offline=true "./$name" 2>&1)
figure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$sec")
diag "systemd-analyze security: exposure $figure (limit $max_exposure)"
ok "exposure figure found" test -n "$figure"
ok "exposure $figure <= $max_exposure" awk -v f="${figure:-99}" -v m="$max_exposure" 'BEGIN { exit !(f <= m) }'

has() { grep -qxF "$1" "$unit"; }
ok "Type=notify" has "Type=notify"
ok "Restart=on-failure" has "Restart=on-failure"
ok "RestartSec=1" has "RestartSec=1"
ok "config errors (78) are not restarted" has "RestartPreventExitStatus=78"
ok "reload sends SIGHUP" has 'ExecReload=/bin/kill -HUP $MAINPID'
ok "ProtectSystem=strict" has "ProtectSystem=strict"
ok "ProtectHome=yes" has "ProtectHome=yes"
ok "PrivateTmp=yes" has "PrivateTmp=yes"
ok "KillMode=mixed: the supervisor stops its workers itself" has "KillMode=mixed"
ok "NotifyAccess=main: only the supervisor may report READY=1" has "NotifyAccess=main"
ok "NoNewPrivileges=yes" has "NoNewPrivileges=yes"
ok "PrivateMounts=yes" has "PrivateMounts=yes"
# The supervisor gives up (exit 3) after WORKER_GIVE_UP_DEATHS deaths of a
# worker within WORKER_GIVE_UP_WINDOW_NS (supervisor/backoff.h). The
# start-limit window must be longer, or systemd would restart a crash loop
# forever.
rule=$(dirname "$0")/../../supervisor/backoff.h
give_up_s=$(sed -n 's/^#define WORKER_GIVE_UP_WINDOW_NS (\([0-9]*\)ull \* 1000000000ull)$/\1/p' "$rule")
ok "the supervisor's give-up window is found in backoff.h ($give_up_s s)" test -n "$give_up_s"
window=$(sed -n 's/^StartLimitIntervalSec=//p' "$unit")
secs=$(systemd-analyze timespan "$window" 2>/dev/null | sed -n 's/^ *μs: *//p')
ok "StartLimitIntervalSec ($window) longer than the give-up window" \
	test "${secs:-0}" -gt "$((${give_up_s:-999999} * 1000000))"
ok "StartLimitBurst=5" has "StartLimitBurst=5"
ok "the give-up status (3) is restarted (not in RestartPreventExitStatus)" \
	bash -c '! grep -qE "^(RestartPreventExitStatus|SuccessExitStatus)=.*\b3\b" "$1"' _ "$unit"
rw=$(sed -n 's/^ReadWritePaths=//p' "$unit")
ok "output dir and /run/aodv2 writable" bash -c '[[ " $1 " == *" -/var/log/aodv2 "* && " $1 " == *" -/run/aodv2 "* ]]' _ "$rw"
ok "tracefs instances writable (the flight recorder's cifs trace ring)" \
	bash -c '[[ " $1 " == *" -/sys/kernel/tracing/instances "* ]]' _ "$rw"
bounding=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
for cap in CAP_BPF CAP_PERFMON CAP_SYS_ADMIN CAP_SETUID CAP_SETGID CAP_SETPCAP CAP_KILL \
	CAP_SYSLOG CAP_DAC_READ_SEARCH CAP_NET_RAW CAP_SYS_PTRACE; do
	ok "bounding set keeps $cap" bash -c '[[ " $1 " == *" $2 "* ]]' _ "$bounding" "$cap"
done
ok "bounding set holds nothing else" test "$(wc -w <<<"$bounding")" -eq 11
# Without CAP_CHOWN the supervisor gives the control socket its group as a
# member of that group.
ok "SupplementaryGroups=aodv2" has "SupplementaryGroups=aodv2"
done_testing
