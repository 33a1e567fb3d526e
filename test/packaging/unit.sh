#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# unit.sh UNIT MANPAGE...
# The systemd unit as meson configured it: systemd-analyze verify accepts it
# (with the man pages it names found among ours), its exposure stays at or
# under the limit below, and the settings the service relies on are there.
set -uo pipefail
. "$(dirname "$0")/tap.sh"

# The figure from `systemd-analyze security` (systemd 252) for the unit as
# shipped is 3.9; hardening may only get better.
max_exposure=4.0

unit=$1
shift
command -v systemd-analyze >/dev/null || skip_all "systemd-analyze is not installed (package systemd)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/man/man5" "$tmp/man/man8" "$tmp/unit"
for page in "$@"; do
	cp "$page" "$tmp/man/man${page##*.}/"
done
# verify insists the ExecStart= binary exists: the installed path does not
# here, so point it at /bin/true (test_deb_contents checks the path itself).
name=${unit##*/}
sed -E 's|^ExecStart=[^ ]+|ExecStart=/bin/true|' "$unit" >"$tmp/unit/$name"

out=$(cd "$tmp/unit" && MANPATH=$tmp/man systemd-analyze verify "./$name" 2>&1)
ok "systemd-analyze verify $name" test $? -eq 0
[ -n "$out" ] && diag "$out"
ok "systemd-analyze verify prints no warning" test -z "$out"

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
# The supervisor's give-up rule spans 10 minutes: the start-limit window
# must be longer, or systemd would never see a crash loop.
window=$(sed -n 's/^StartLimitIntervalSec=//p' "$unit")
secs=$(systemd-analyze timespan "$window" 2>/dev/null | sed -n 's/^ *μs: *//p')
ok "StartLimitIntervalSec ($window) longer than 10 min" test "${secs:-0}" -gt 600000000
rw=$(sed -n 's/^ReadWritePaths=//p' "$unit")
ok "output dir and /run/aodv2 writable" bash -c '[[ " $1 " == *" -/var/log/aodv2 "* && " $1 " == *" -/run/aodv2 "* ]]' _ "$rw"
bounding=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
for cap in CAP_BPF CAP_PERFMON CAP_SYS_ADMIN CAP_SETUID CAP_SETGID CAP_SETPCAP CAP_CHOWN CAP_KILL \
	CAP_SYSLOG CAP_DAC_READ_SEARCH CAP_NET_RAW; do
	ok "bounding set keeps $cap" bash -c '[[ " $1 " == *" $2 "* ]]' _ "$bounding" "$cap"
done
ok "bounding set holds nothing else" test "$(wc -w <<<"$bounding")" -eq 11
done_testing
