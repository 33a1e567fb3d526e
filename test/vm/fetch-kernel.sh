#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Fetches one of Debian's kernels for the VM suite into the build directory:
#
#   fetch-kernel.sh --build-root DIR SUITE
#
# prints "<vmlinuz path> <module tree> <kernel release> <package version>"
# on stdout (the module tree holds lib/modules/<release>, depmod'ed).
#
# apt runs with a private configuration under DIR/test/vm/kernels/apt: its
# own sources.list naming SUITE on the mirror the host already uses, its own
# state, cache and (empty) dpkg status, so the host's /etc/apt, /var/lib/apt
# and /boot are never touched and the host's installed kernel does not win
# the version choice. The packages the suite's linux-image-amd64 depends on
# (linux-image-<ver>, or linux-binary/linux-modules/linux-base-<ver> where
# the kernel is split) are downloaded and unpacked with dpkg-deb -x into
# DIR/test/vm/kernels/<suite>/. A tree already unpacked for the same
# package versions is reused. Exit 0, or 1 with the reason on stderr (a
# kernel that cannot be fetched is a failure, not a skip).
set -euo pipefail

build_root=
suite=
die() { echo "fetch-kernel: ${suite:+$suite: }$*" >&2; exit 1; }
while [ $# -gt 0 ]; do
	case "$1" in
	--build-root) build_root=$(cd "$2" && pwd); shift 2 ;;
	-*) die "usage: $0 --build-root DIR SUITE" ;;
	*) suite=$1; shift ;;
	esac
done
[ -n "$build_root" ] && [ -n "$suite" ] || die "usage: $0 --build-root DIR SUITE"
[[ "$suite" =~ ^[a-z]+(-[a-z]+)?$ ]] || die "not a suite name: $suite"
for p in apt-get apt-cache dpkg-deb depmod; do
	command -v "$p" > /dev/null || die "$p not found"
done

top=$build_root/test/vm/kernels
aptdir=$top/apt/$suite
tree=$top/$suite
mkdir -p "$aptdir"/{etc/preferences.d,etc/sources.list.d,state/lists/partial,cache/archives/partial} "$top/debs"

# The mirror the host's apt uses for Debian (deb822 or one-line sources).
mirror() {
	local f u
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		u=$(sed -n -e 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' \
			-e 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\)[[:space:]].*/\2/p' "$f" |
			grep -E '/debian/?$' | head -1)
		[ -n "$u" ] && { echo "${u%/}"; return; }
	done
}
url=$(mirror)
[ -n "$url" ] || die "no Debian mirror (a URI ending in /debian) in /etc/apt/sources.list*"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || die "no $keyring (install debian-archive-keyring)"

echo "deb [signed-by=$keyring] $url $suite main" > "$aptdir/etc/sources.list"
: > "$aptdir/state/status"
apt_opts=(
	-o "Dir::Etc::SourceList=$aptdir/etc/sources.list"
	-o "Dir::Etc::SourceParts=$aptdir/etc/sources.list.d"
	-o "Dir::Etc::Preferences=$aptdir/etc/preferences"
	-o "Dir::Etc::PreferencesParts=$aptdir/etc/preferences.d"
	-o "Dir::State=$aptdir/state"
	-o "Dir::State::status=$aptdir/state/status"
	-o "Dir::Cache=$aptdir/cache"
	-o "APT::Get::List-Cleanup=false"
	# the private state may sit below a 0700 home (root's checkout): apt's
	# _apt sandbox user could not write there, and its warning fails the fetch
	-o "APT::Sandbox::User=root"
	-o "Acquire::Retries=3"
	-o "Debug::NoLocking=1"
)

log=$aptdir/update.log
# Several boots of one test run share a suite's index: updated once an hour.
# (apt dates the lists by the archive's Release: the log of the last update
# says when it ran)
if [ -n "$(find "$log" -mmin -60 2> /dev/null)" ] && ls "$aptdir/state/lists/"*_Packages > /dev/null 2>&1 &&
	! grep -qE '^(W|E): ' "$log"; then
	echo "fetch-kernel: $suite: the index from $url is under an hour old" >&2
else
	echo "fetch-kernel: $suite: apt-get update from $url (private state in $aptdir)" >&2
	update=1
fi
if [ -n "${update:-}" ] && ! apt-get "${apt_opts[@]}" -q update > "$log" 2>&1; then
	tail -n 20 "$log" >&2
	die "apt-get update of $url $suite failed (log: $log)"
fi
# a suite that the mirror does not have still "succeeds" with a warning
[ -n "${update:-}" ] && grep -qE '^(W|E): ' "$log" && { grep -E '^(W|E): ' "$log" >&2; die "apt-get update reported problems"; }

# The kernel packages linux-image-amd64 of this suite pulls in.
pkgs=$(apt-cache "${apt_opts[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts \
	--no-breaks --no-replaces --no-enhances linux-image-amd64 2> /dev/null |
	sed -n 's/^\(linux-\(image\|binary\|modules\|base\)-[0-9][^[:space:]]*\)$/\1/p' | sort -u)
[ -n "$pkgs" ] || die "$suite has no linux-image-amd64 with kernel packages it depends on"

debs=()
for p in $pkgs; do
	v=$(apt-cache "${apt_opts[@]}" show --no-all-versions "$p" 2> /dev/null | sed -n 's/^Version: //p' | head -1)
	[ -n "$v" ] || die "no version of $p in $suite"
	f=$(ls "$top/debs/${p}_${v//:/%3a}_"*.deb 2> /dev/null | head -1 || true)
	if [ -z "$f" ]; then
		echo "fetch-kernel: $suite: apt-get download $p=$v" >&2
		if ! (cd "$top/debs" && apt-get "${apt_opts[@]}" -q download "$p=$v" > "$aptdir/download.log" 2>&1); then
			tail -n 10 "$aptdir/download.log" >&2
			die "apt-get download $p=$v failed"
		fi
		f=$(ls "$top/debs/${p}_${v//:/%3a}_"*.deb 2> /dev/null | head -1 || true)
		[ -n "$f" ] || die "apt-get download $p=$v left no .deb in $top/debs"
	fi
	debs+=("$f")
done

stamp=$(printf '%s\n' "${debs[@]##*/}")
if [ ! -f "$tree/.unpacked" ] || [ "$(cat "$tree/.unpacked")" != "$stamp" ]; then
	rm -rf "$tree"
	mkdir -p "$tree"
	for f in "${debs[@]}"; do
		dpkg-deb -x "$f" "$tree" || die "dpkg-deb -x $f failed"
	done
	echo "$stamp" > "$tree/.unpacked"
	unpacked=1
fi

# Merged /usr or not: the modules are in lib/modules or usr/lib/modules.
moddir=
for d in "$tree"/lib/modules/* "$tree"/usr/lib/modules/*; do
	[ -d "$d/kernel" ] && { moddir=$d; break; }
done
[ -n "$moddir" ] || die "no lib/modules/<release>/kernel in the unpacked packages (${pkgs//$'\n'/ })"
kver=${moddir##*/}
vmlinuz=
for k in "$tree/boot/vmlinuz-$kver" "$moddir/vmlinuz"; do
	[ -f "$k" ] && { vmlinuz=$k; break; }
done
[ -n "$vmlinuz" ] || die "no vmlinuz for $kver in the unpacked packages"
grep -qs . "$moddir/modules.order" || die "no modules.order for $kver (package linux-base-$kver?)"
# depmod -b wants BASE/lib/modules/<release>: a usr-merged tree gets the link
if [ "$moddir" = "$tree/usr/lib/modules/$kver" ] && [ ! -e "$tree/lib" ]; then
	ln -s usr/lib "$tree/lib"
fi
if [ -n "${unpacked:-}" ] || [ ! -s "$tree/lib/modules/$kver/modules.dep" ]; then
	depmod -b "$tree" "$kver" || die "depmod -b $tree $kver failed"
fi
grep -qE '/cifs\.ko(\.(xz|zst|gz))?:' "$tree/lib/modules/$kver/modules.dep" || die "$kver has no cifs module"
version=$(for f in "${debs[@]##*/}"; do echo "$f"; done | sed -n 's/^linux-\(image\|binary\)-[^_]*_\([^_]*\)_.*/\2/p' | head -1)
echo "$vmlinuz $tree $kver ${version//%3a/:}"
