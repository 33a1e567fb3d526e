#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# deb-service.sh BUILD_DEB SOURCE_ROOT BUILD_ROOT VERSION
# The package on a Debian 12 system, for real: a throwaway copy of this
# machine (an overlay over / with a tmpfs on top, in private mount and pid
# namespaces, so nothing reaches the host) gets `dpkg -i` with the maintainer
# scripts running normally (chrooted, not DPKG_ROOT). Then the unit's
# ExecStart= is run by hand, as the issue asks where systemd does not run:
# the service comes up with the probes loaded (waiting for cifs.ko when it
# is not loaded) and its workers running as aodv2; `aodctl status` works for
# a member of the aodv2 group and is refused to others; SIGTERM stops it
# with status 0; an upgrade keeps the edited config; purge removes the user,
# the group and the files. Then a `meson install` (no DESTDIR) of this build
# dir into the same throwaway system creates the user, group and directories
# too.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"

if [ "${1:-}" != --inside ]; then
	[ "$(id -u)" = 0 ] || skip_all "needs root (mount namespaces, dpkg in a chroot)"
	command -v unshare >/dev/null || skip_all "unshare is not installed (util-linux)"
	unshare --mount --propagation private true 2>/dev/null ||
		skip_all "cannot create a mount namespace here"
	grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
		skip_all "no overlay file system"
	tmp=$(mktemp -d)
	build_package "$@" "$tmp"
	mkdir -p "$tmp/root" "$tmp/layer"
	unshare --mount --pid --fork --propagation private bash "$0" --inside "$deb" "$tmp" "$4" "$2" "$3"
	rc=$?
	# The namespace's mounts are gone with it; never follow one anyway.
	if findmnt -rn -o TARGET | grep -q "^$tmp/"; then
		echo "# $tmp still has mounts: left in place" >&2
	else
		rm -rf --one-file-system "$tmp"
	fi
	exit $rc
fi

# ---- inside the namespaces ----
deb=$2 tmp=$3 version=$4 src=$5 build=$6
r=$tmp/root
mount -t tmpfs -o mode=0755 aodv2-layer "$tmp/layer" || bail "mount tmpfs"
mkdir "$tmp/layer/upper" "$tmp/layer/work"
mount -t overlay aodv2-root -o "lowerdir=/,upperdir=$tmp/layer/upper,workdir=$tmp/layer/work" "$r" ||
	bail "mount overlay over /"
mount -t proc proc "$r/proc" || bail "mount proc"
mount --bind /sys "$r/sys" && mount -o remount,bind,ro "$r/sys" || bail "bind /sys"
mount --bind /dev "$r/dev" || bail "bind /dev"
mount -t tmpfs -o mode=0755 run "$r/run" || bail "mount /run"
mount -t tmpfs -o mode=1777 tmp "$r/tmp" || bail "mount /tmp"
# the source and build trees, for the `meson install` in part 4
for d in "$src" "$build"; do
	mkdir -p "$r$d" && mount --bind "$d" "$r$d" || bail "bind $d"
done
cp "$deb" "$r/tmp/aodv2.deb"
log=$tmp/layer/test.log

in_root() { chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"; }
dpkg_in() { in_root dpkg --log=/dev/null "$@" </dev/null >>"$log" 2>&1; }
id_of() { in_root getent "$1" aodv2 | cut -d: -f3; }

# a clean start: this machine may have aodv2 installed itself
if in_root dpkg -s aodv2 >/dev/null 2>&1; then
	dpkg_in --purge aodv2
fi
ok "no aodv2 user before the install" test -z "$(id_of passwd)"

# 1. install
dpkg_in -i /tmp/aodv2.deb
ok "dpkg -i succeeds" test "$(in_root dpkg-query -W -f='${Status}' aodv2)" = "install ok installed"
uid=$(id_of passwd)
gid=$(id_of group)
ok "postinst created the system user aodv2 (uid $uid)" test -n "$uid" -a "${uid:-1000}" -lt 1000
ok "postinst created the group aodv2 (gid $gid)" test -n "$gid"
ok "/var/log/aodv2 is aodv2:aodv2 0750" test "$(stat -c '%u:%g %a' "$r/var/log/aodv2")" = "$uid:$gid 750"
ok "/run/aodv2 is root:aodv2 0750" test "$(stat -c '%u:%g %a' "$r/run/aodv2")" = "0:$gid 750"
if in_root sh -c 'command -v deb-systemd-helper' >/dev/null; then
	ok "the unit is enabled (multi-user.target wants it)" \
		test -L "$r/etc/systemd/system/multi-user.target.wants/aodv2-supervisor.service"
fi
ok "aodctl is on a plain user's PATH" in_root sh -c 'command -v aodctl >/dev/null'

# 2. the unit's ExecStart=, by hand (-f: its log on stderr as well), under
#    the unit's NoNewPrivileges=, CapabilityBoundingSet=, SupplementaryGroups=
#    and UMask=: they must leave the supervisor and its workers what they
#    need.
unit=$r/usr/lib/systemd/system/aodv2-supervisor.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
ok "ExecStart= found in the installed unit" test -n "$exec_start"
bounding=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
ok "CapabilityBoundingSet= found in the installed unit ($bounding)" test -n "$bounding"
supp=$(sed -n 's/^SupplementaryGroups=//p' "$unit" | tr ' ' ',')
ok "SupplementaryGroups= found in the installed unit ($supp)" test -n "$supp"
ok "the unit sets NoNewPrivileges=yes and UMask=0027" \
	bash -c 'grep -qx NoNewPrivileges=yes "$1" && grep -qx UMask=0027 "$1"' _ "$unit"
# chroot, setpriv and env exec: $! is the supervisor itself
# shellcheck disable=SC2086 # the command line is split as systemd splits it
(umask 0027 && exec chroot "$r" setpriv --no-new-privs --groups "$supp" --bounding-set "-all,$bounding" \
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin $exec_start -f) >"$tmp/layer/supervisor.log" 2>&1 &
sup=$!
in_root useradd --no-create-home --no-user-group --gid users --shell /usr/sbin/nologin --groups aodv2 aodv2op >>"$log" 2>&1
as_operator() { in_root setpriv --reuid=aodv2op --regid=users --init-groups aodctl "$@"; }
as_nobody() { in_root setpriv --reuid=nobody --regid=nogroup --clear-groups aodctl "$@"; }
running() { grep -cE '^  (detectord|collectord|sweeperd) +pid [0-9]+ +running ' <<<"$1"; }
status=
for _ in $(seq 1 150); do
	status=$(as_operator status 2>&1) && [ "$(running "$status")" -eq 3 ] && break
	kill -0 "$sup" 2>/dev/null || break
	sleep 0.2
done
ok "the service runs (supervisor alive)" kill -0 "$sup"
quiet() { "$@" >/dev/null 2>&1; }
refused() { ! "$@" >/dev/null 2>&1; }
ok "aodctl status works for a member of the aodv2 group" quiet as_operator status
ok "it shows all three workers running" test "$(running "$status")" -eq 3
diag "$status"
json=$(as_operator status --json 2>/dev/null)
for w in detectord collectord sweeperd; do
	ok "$w runs as aodv2" grep -qE "\"name\":\"$w\",[^}]*\"user\":\"aodv2\"" <<<"$json"
done
want_bnd=$(setpriv --bounding-set "-all,$bounding" sed -n 's/^CapBnd:\t//p' /proc/self/status)
ok "the supervisor runs with no_new_privs" grep -qx "NoNewPrivs:.1" "$r/proc/$sup/status"
ok "and the unit's bounding set ($want_bnd)" grep -qx "CapBnd:.$want_bnd" "$r/proc/$sup/status"
ok "collectord holds the capabilities its actions need" \
	grep -qE '"name":"collectord",[^}]*"capabilities":\["cap_dac_read_search","cap_net_raw","cap_syslog"\]' <<<"$json"
ok "the probes are loaded (attached or waiting for cifs.ko)" \
	grep -qE 'probes loaded: |probes: attached to cifs|the cifs probes wait for the module' "$tmp/layer/supervisor.log"
ok "aodctl status is refused to a user outside the group" refused as_nobody status
ok "the control socket is root:aodv2 0660" \
	test "$(stat -c '%u:%g %a' "$r/run/aodv2/aodv2.sock" 2>/dev/null)" = "0:$gid 660"
kill -TERM "$sup"
wait "$sup"
ok "SIGTERM stops the service with status 0" test $? -eq 0
if [ "$tap_failed" -ne 0 ]; then
	diag "$(tail -n 40 "$tmp/layer/supervisor.log")"
fi

# 3. upgrade keeps an edited config; purge leaves nothing
echo "watch_interval_sec: 0.5 # edited" >>"$r/etc/aodv2/aodv2.yaml"
edited=$(sha256sum <"$r/etc/aodv2/aodv2.yaml")
mkdir "$tmp/layer/v2"
dpkg-deb -R "$deb" "$tmp/layer/v2/pkg"
sed -i "s/^Version: .*/Version: $version+1/" "$tmp/layer/v2/pkg/DEBIAN/control"
echo "# a changed default" >>"$tmp/layer/v2/pkg/etc/aodv2/aodv2.yaml"
dpkg-deb --root-owner-group -b "$tmp/layer/v2/pkg" "$r/tmp/aodv2-2.deb" >/dev/null
dpkg_in --force-confdef --force-confold -i /tmp/aodv2-2.deb
ok "upgrade succeeds" test "$(in_root dpkg-query -W -f='${Version}' aodv2)" = "$version+1"
ok "upgrade keeps the edited config" test "$(sha256sum <"$r/etc/aodv2/aodv2.yaml")" = "$edited"
ok "upgrade keeps the aodv2 uid" test "$(id_of passwd)" = "$uid"
in_root userdel aodv2op >>"$log" 2>&1
dpkg_in --purge aodv2
ok "purge succeeds" test -z "$(in_root dpkg-query -W -f='${Status}' aodv2 2>/dev/null | grep installed)"
ok "purge removes the aodv2 user" test -z "$(id_of passwd)"
ok "purge removes the aodv2 group" test -z "$(id_of group)"
for p in /etc/aodv2 /etc/aodv2.d /var/log/aodv2 /run/aodv2 /usr/sbin/aodv2-supervisor /usr/bin/aodctl \
	/usr/libexec/aodv2 /usr/lib/systemd/system/aodv2-supervisor.service \
	/etc/systemd/system/multi-user.target.wants/aodv2-supervisor.service; do
	ok "purge leaves no $p" test ! -e "$r$p" -a ! -L "$r$p"
done

# 4. the same machine with `meson install` as root instead (no DESTDIR):
#    its last step creates the user, the group and the directories.
prefix=$(meson introspect --buildoptions "$build" | python3 -c '
import json, sys
print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
in_root env -u DESTDIR meson install -C "$build" --no-rebuild >>"$log" 2>&1
ok "meson install on the live system succeeds" test $? -eq 0
uid=$(id_of passwd)
gid=$(id_of group)
ok "meson install created the system user aodv2 (uid $uid)" test -n "$uid" -a "${uid:-1000}" -lt 1000
ok "meson install created the group aodv2 (gid $gid)" test -n "$gid"
ok "meson install: /var/log/aodv2 is aodv2:aodv2 0750" \
	test "$(stat -c '%u:%g %a' "$r/var/log/aodv2" 2>/dev/null)" = "$uid:$gid 750"
ok "meson install: /run/aodv2 is root:aodv2 0750" \
	test "$(stat -c '%u:%g %a' "$r/run/aodv2" 2>/dev/null)" = "0:$gid 750"
ok "meson install: /etc/aodv2/aodv2.yaml is the shipped default" cmp -s "$r/etc/aodv2/aodv2.yaml" "$src/etc/aodv2.yaml"
ok "meson install: the unit under $prefix" test -f "$r$prefix/lib/systemd/system/aodv2-supervisor.service"
if [ "$tap_failed" -ne 0 ]; then
	diag "$(cat "$log")"
fi
done_testing
