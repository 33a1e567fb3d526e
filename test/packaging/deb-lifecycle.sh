#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# deb-lifecycle.sh BUILD_DEB SOURCE_ROOT BUILD_ROOT VERSION
# Installs the package into a throwaway root with dpkg --root and
# --force-script-chrootless (the maintainer scripts honour DPKG_ROOT), and
# checks what an administrator relies on: the aodv2 user and group appear
# (with systemd-sysusers, and without it through useradd), /run/aodv2 and
# /var/log/aodv2 get their owners and modes, an edited /etc/aodv2/aodv2.yaml
# survives upgrades, remove keeps config and collections, purge leaves
# nothing behind (files, user, group).
set -uo pipefail
. "$(dirname "$0")/tap.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root (dpkg --root writes files owned by other users)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build_package "$@" "$tmp"

# new_root DIR: an empty Debian-like root with root and nobody only.
new_root() {
	local r=$1
	mkdir -p "$r/etc" "$r/run" "$r/var/log" "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates" \
		"$r/var/lib/dpkg/triggers"
	: >"$r/var/lib/dpkg/status"
	printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$r/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
	printf 'root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n' >"$r/etc/shadow"
	printf 'root:*::\nnogroup:*::\n' >"$r/etc/gshadow"
	chmod 0640 "$r/etc/shadow" "$r/etc/gshadow"
}

# dpkg_in ROOT ARGS...: dpkg on ROOT, scripts run unchrooted with DPKG_ROOT;
# stdin closed so any conffile prompt fails instead of hanging.
dpkg_in() {
	local r=$1
	shift
	dpkg --root="$r" --force-script-chrootless --force-depends --log=/dev/null "$@" \
		</dev/null >>"$r.log" 2>&1
}

# repack VERSION [CONFIG_LINE]: the package at another version, with a line
# appended to its default aodv2.yaml when given.
repack() {
	local v=$1 dir=$tmp/repack-$1
	rm -rf "$dir"
	dpkg-deb -R "$deb" "$dir"
	sed -i "s/^Version: .*/Version: $v/" "$dir/DEBIAN/control"
	[ -n "${2:-}" ] && echo "$2" >>"$dir/etc/aodv2/aodv2.yaml"
	dpkg-deb --root-owner-group -b "$dir" "$tmp/aodv2_$v.deb" >/dev/null
	echo "$tmp/aodv2_$v.deb"
}

in_file() { grep -q "^$2:" "$1/etc/$3"; }
id_in() { awk -F: -v n="$2" '$1 == n { print $3 }' "$1/etc/$3"; }
owner_mode() { stat -c '%u:%g %a' "$1"; }
status_of() { dpkg --root="$1" -s aodv2 2>/dev/null | sed -n 's/^Status: //p'; }

check_installed() { # ROOT LABEL
	local r=$1 l=$2 uid gid
	ok "$l: dpkg -i succeeds" test "$(status_of "$r")" = "install ok installed"
	for f in passwd group shadow gshadow; do
		ok "$l: aodv2 in /etc/$f" in_file "$r" aodv2 "$f"
	done
	uid=$(id_in "$r" aodv2 passwd)
	gid=$(id_in "$r" aodv2 group)
	ok "$l: aodv2 is a system user (uid $uid < 1000)" test -n "$uid" -a "${uid:-1000}" -lt 1000
	ok "$l: aodv2's primary group is aodv2" test "$(awk -F: '$1 == "aodv2" { print $4 }' "$r/etc/passwd")" = "$gid"
	ok "$l: aodv2 cannot log in" test "$(awk -F: '$1 == "aodv2" { print $7 }' "$r/etc/passwd")" = /usr/sbin/nologin
	ok "$l: /var/log/aodv2 is aodv2:aodv2 0750" test "$(owner_mode "$r/var/log/aodv2")" = "$uid:$gid 750"
	ok "$l: /run/aodv2 is root:aodv2 0750" test "$(owner_mode "$r/run/aodv2")" = "0:$gid 750"
	ok "$l: /etc/aodv2/aodv2.yaml installed" test -s "$r/etc/aodv2/aodv2.yaml"
}

check_purged() { # ROOT LABEL [PATH...]: those paths must be gone
	local r=$1 l=$2
	shift 2
	ok "$l: purge succeeds" test -z "$(status_of "$r")" -o "$(status_of "$r")" = "purge ok not-installed" \
		-o "$(status_of "$r")" = "unknown ok not-installed"
	for f in passwd group shadow gshadow; do
		ok "$l: purge removes aodv2 from /etc/$f" bash -c '! grep -q "^aodv2:" "$1"' _ "$r/etc/$f"
	done
	for d in /etc/aodv2 /var/log/aodv2 /run/aodv2 /usr/lib/systemd/system/aodv2-supervisor.service \
		/usr/lib/sysusers.d/aodv2.conf "$@"; do
		ok "$l: purge leaves no $d" test ! -e "$r$d"
	done
	ok "$l: root and nobody untouched" grep -q '^root:x:0:0:' "$r/etc/passwd"
}

# 1. install, edit, upgrade twice, remove, purge (with systemd-sysusers and
#    systemd-tmpfiles when the build machine has them).
r=$tmp/root
new_root "$r"
dpkg_in "$r" -i "$deb"
check_installed "$r" install
if command -v systemd-sysusers >/dev/null; then
	ok "install: systemd-sysusers created the user" grep -q "Creating user 'aodv2'" "$r.log"
fi
uid=$(id_in "$r" aodv2 passwd)
echo "watch_interval_sec: 0.5 # edited by the administrator" >>"$r/etc/aodv2/aodv2.yaml"
edited=$(sha256sum <"$r/etc/aodv2/aodv2.yaml")
mkdir -p "$r/var/log/aodv2/aod_1"
echo evidence >"$r/var/log/aodv2/aod_1/dmesg.zst"

dpkg_in "$r" -i "$deb"
ok "reinstall of the same version succeeds" test "$(status_of "$r")" = "install ok installed"
ok "reinstall keeps the edited config" test "$(sha256sum <"$r/etc/aodv2/aodv2.yaml")" = "$edited"

v2=$(repack 99.0)
dpkg_in "$r" -i "$v2"
ok "upgrade succeeds (no conffile prompt)" test "$(dpkg --root="$r" -s aodv2 | sed -n 's/^Version: //p')" = 99.0
ok "upgrade keeps the edited config" test "$(sha256sum <"$r/etc/aodv2/aodv2.yaml")" = "$edited"
ok "upgrade keeps the aodv2 uid" test "$(id_in "$r" aodv2 passwd)" = "$uid"
ok "upgrade keeps collections" test -f "$r/var/log/aodv2/aod_1/dmesg.zst"

v3=$(repack 99.1 "# a new default")
dpkg_in "$r" --force-confdef --force-confold -i "$v3"
ok "upgrade with a changed default succeeds" test "$(dpkg --root="$r" -s aodv2 | sed -n 's/^Version: //p')" = 99.1
ok "changed default: the edited config stays" test "$(sha256sum <"$r/etc/aodv2/aodv2.yaml")" = "$edited"
ok "changed default: the new one is beside it as .dpkg-dist" grep -q '^# a new default' "$r/etc/aodv2/aodv2.yaml.dpkg-dist"

dpkg_in "$r" -r aodv2
ok "remove succeeds" test "$(status_of "$r")" = "deinstall ok config-files"
ok "remove deletes the executables' unit" test ! -e "$r/usr/lib/systemd/system/aodv2-supervisor.service"
ok "remove keeps the edited config" test "$(sha256sum <"$r/etc/aodv2/aodv2.yaml")" = "$edited"
ok "remove keeps the aodv2 user" in_file "$r" aodv2 passwd
ok "remove keeps collections" test -f "$r/var/log/aodv2/aod_1/dmesg.zst"

dpkg_in "$r" --purge aodv2
check_purged "$r" purge /etc/aodv2.d

# 2. the same without systemd-sysusers and systemd-tmpfiles: useradd and
#    install -d must give the same result. PATH: every program but those.
shim=$tmp/shim
mkdir -p "$shim"
for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
	[ -d "$d" ] || continue
	for p in "$d"/*; do
		n=${p##*/}
		case $n in systemd-sysusers | systemd-tmpfiles) continue ;; esac
		[ -e "$shim/$n" ] || ln -s "$p" "$shim/$n"
	done
done
r2=$tmp/root2
new_root "$r2"
# an existing aodv2 group (say, created by hand) must be reused
echo 'aodv2:x:990:' >>"$r2/etc/group"
echo 'aodv2:!::' >>"$r2/etc/gshadow"
PATH=$shim dpkg_in "$r2" -i "$deb"
check_installed "$r2" useradd
ok "useradd: not systemd-sysusers" bash -c '! grep -q "Creating user" "$1"' _ "$r2.log"
ok "useradd: the existing aodv2 group (990) is reused" test "$(id_in "$r2" aodv2 group)" = 990
echo "watch_interval_sec: 2" >"$r2/etc/aodv2.d/50-local.yaml"
PATH=$shim dpkg_in "$r2" --purge aodv2
check_purged "$r2" "useradd purge" /etc/aodv2.d/10-example.yaml
ok "purge keeps a fragment the administrator added" test -f "$r2/etc/aodv2.d/50-local.yaml"

if [ "$tap_failed" -ne 0 ]; then
	diag "$(cat "$r.log" "$r2.log")"
fi
done_testing
