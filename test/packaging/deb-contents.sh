#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# deb-contents.sh BUILD_DEB SOURCE_ROOT BUILD_ROOT VERSION
# `meson compile -C BUILD_ROOT deb` leaves BUILD_ROOT/aodv2_VERSION_ARCH.deb;
# what that package holds: its control fields (Depends exactly the `run`
# lines of etc/dependencies.txt, covering every shared library the
# executables load), the file list, conffiles, and sane maintainer scripts.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
src=$2 build=$3 version=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
deb=$build/aodv2_${version}_$(dpkg --print-architecture).deb
touch "$tmp/before"
# the documented command itself (meson test's MESON_* would mislead it)
env -u MESON_SOURCE_ROOT -u MESON_BUILD_ROOT -u MESON_SUBDIR \
	meson compile -C "$build" deb >"$tmp/compile.log" 2>&1 || {
	diag "$(tail -n 40 "$tmp/compile.log")"
	bail "meson compile -C $build deb failed"
}
ok "meson compile deb made ${deb##*/} in the build dir" test -f "$deb" -a "$deb" -nt "$tmp/before"
ok "and printed its path" grep -qxF "$deb" "$tmp/compile.log"
dpkg-deb -R "$deb" "$tmp/pkg" || bail "dpkg-deb -R $deb failed"
field() { dpkg-deb -f "$deb" "$1"; }
list=$(dpkg-deb -c "$deb") || bail "dpkg-deb -c failed"
paths=$(awk '{ print $6 }' <<<"$list" | sed 's|^\./|/|; s|/$||')

ok "Package: aodv2" test "$(field Package)" = aodv2
ok "Version: $version" test "$(field Version)" = "$version"
ok "Architecture: $(dpkg --print-architecture)" test "$(field Architecture)" = "$(dpkg --print-architecture)"
want=$(awk '$1 == "run" { printf "%s%s", sep, $2; sep = ", " }' "$src/etc/dependencies.txt")
ok "Depends: the run lines of etc/dependencies.txt" test "$(field Depends)" = "$want"
want=$(awk '$1 == "recommends" { printf "%s%s", sep, $2; sep = ", " }' "$src/etc/dependencies.txt")
ok "Recommends: the recommends lines of etc/dependencies.txt ($want)" test "$(field Recommends)" = "$want"
ok "Depends names no -dev package" bash -c '! grep -q -- "-dev\b" <<<"$1"' _ "$(field Depends)"

has() { grep -qxF "$1" <<<"$paths"; }
# aodctl is for members of the aodv2 group too: /usr/bin is where their PATH
# finds it.
aodctl=/usr/bin/aodctl
for p in /usr/sbin/aodv2-supervisor $aodctl \
	/usr/libexec/aodv2/aodv2-detectord /usr/libexec/aodv2/aodv2-collectord \
	/usr/libexec/aodv2/aodv2-sweeperd \
	/etc/aodv2/aodv2.yaml /etc/aodv2.d/10-example.yaml \
	/usr/lib/systemd/system/aodv2-supervisor.service \
	/usr/lib/sysusers.d/aodv2.conf /usr/lib/tmpfiles.d/aodv2.conf \
	/usr/share/aodv2/aodv2.yaml /usr/share/doc/aodv2/copyright \
	/usr/share/man/man8/aodv2-supervisor.8.gz /usr/share/man/man8/aodctl.8.gz \
	/usr/share/man/man5/aodv2.yaml.5.gz; do
	ok "ships $p" has "$p"
done
ok "ships nothing under /var or /run (tmpfiles.d creates them)" bash -c '! grep -qE "^/(var|run)(/|$)" <<<"$1"' _ "$paths"
ok "ships nothing under /usr/local or the build tree" bash -c '! grep -qE "^/(usr/local|tmp|work)(/|$)" <<<"$1"' _ "$paths"
ok "every file owned by root:root" bash -c '! awk "\$2 != \"root/root\"" <<<"$1" | grep -q .' _ "$list"
ok "no file writable by group or others" bash -c '! awk "\$1 !~ /^l/ && (substr(\$1, 6, 1) == \"w\" || substr(\$1, 9, 1) == \"w\")" <<<"$1" | grep -q .' _ "$list"
for x in /usr/sbin/aodv2-supervisor $aodctl /usr/libexec/aodv2/aodv2-detectord; do
	ok "$x is executable" test -x "$tmp/pkg$x"
done
ok "shipped aodv2.yaml is etc/aodv2.yaml" cmp -s "$tmp/pkg/etc/aodv2/aodv2.yaml" "$src/etc/aodv2.yaml"
ok "shipped example is etc/aodv2.d/10-example.yaml" cmp -s "$tmp/pkg/etc/aodv2.d/10-example.yaml" "$src/etc/aodv2.d/10-example.yaml"

# Every shared library an executable loads comes from a package in Depends
# (libc6 is required on every Debian system).
depends=" $(field Depends | tr -d ',') libc6 "
for x in $(find "$tmp/pkg/usr" -type f -perm -u+x); do
	for lib in $(objdump -p "$x" 2>/dev/null | awk '$1 == "NEEDED" { print $2 }'); do
		path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
		pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n1 | cut -d: -f1)
		[ -n "$pkg" ] || pkg=$(dpkg -S "$path" 2>/dev/null | head -n1 | cut -d: -f1)
		ok "${x#"$tmp/pkg"} needs $lib: package ${pkg:-?} is in Depends" \
			bash -c '[[ -n "$2" && "$1" == *" $2 "* ]]' _ "$depends" "$pkg"
	done
done

ok "conffiles: exactly the two config files" test "$(cat "$tmp/pkg/DEBIAN/conffiles")" = \
	"$(printf '/etc/aodv2.d/10-example.yaml\n/etc/aodv2/aodv2.yaml')"
for s in postinst prerm postrm; do
	ok "$s is executable" test -x "$tmp/pkg/DEBIAN/$s"
	ok "$s parses (sh -n)" sh -n "$tmp/pkg/DEBIAN/$s"
done
unitfile=$tmp/pkg/usr/lib/systemd/system/aodv2-supervisor.service
exec_bin=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unitfile")
ok "the unit's ExecStart ($exec_bin) is a shipped executable" test -x "$tmp/pkg$exec_bin"
ok "the unit reads /etc/aodv2/aodv2.yaml and /etc/aodv2.d" \
	grep -qxF "ExecStart=/usr/sbin/aodv2-supervisor -c /etc/aodv2/aodv2.yaml -d /etc/aodv2.d" "$unitfile"
done_testing
