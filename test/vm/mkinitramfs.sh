#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Builds the small initramfs the VM tests boot with:
#   mkinitramfs.sh OUTPUT KERNEL_VERSION [MODULE_DIR]
# (MODULE_DIR defaults to /lib/modules/KERNEL_VERSION; a kernel fetched into
# the build dir has its own)
# It holds busybox-static, the modules needed to mount the host's root over
# virtio-9p (with their dependencies, resolved from modules.dep, decompressed
# when shipped as .ko.xz/.ko.zst/.ko.gz) and test/vm/initramfs-init as /init.
# Everything else (cifs, sch_netem, samba, aodv2) comes from the host root.
set -euo pipefail

usage() { echo "usage: $0 OUTPUT KERNEL_VERSION [MODULE_DIR]" >&2; exit 2; }
[ $# -eq 2 ] || [ $# -eq 3 ] || usage
out=$1
kver=$2
here=$(cd "$(dirname "$0")" && pwd)
moddir=${3:-/lib/modules/$kver}
# What the 9p root needs; modules.dep adds netfs, fscache, virtio, ...
wanted="virtio_pci 9pnet_virtio 9p"

die() { echo "mkinitramfs: $*" >&2; exit 1; }

[ -f "$moddir/modules.dep" ] || die "no $moddir/modules.dep (is linux-image for $kver installed?)"
busybox=$(command -v busybox) || die "busybox not found (install busybox-static)"
case "$(ldd "$busybox" 2>&1 || true)" in
*'not a dynamic executable'* | *'statically linked'*) ;;
*)
	die "$busybox is not statically linked (install busybox-static)" ;;
esac

# modules.dep line "kernel/x/a.ko: kernel/y/b.ko ..." -> path of module name
mod_path() { # name -> relative path, or nothing
	local n=${1//-/_}
	awk -F: -v n="$n" '{
		p = $1; b = p; sub(/.*\//, "", b); sub(/\.ko(\.(xz|zst|gz))?$/, "", b); gsub(/-/, "_", b)
		if (b == n) { print p; exit }
	}' "$moddir/modules.dep"
}
mod_deps() { # relative path -> its dependencies (relative paths)
	awk -F: -v p="$1" '$1 == p { print $2; exit }' "$moddir/modules.dep"
}

order=()
visit() { # relative path: dependencies first (post-order), each once
	local p=$1 d seen
	for seen in "${order[@]}"; do [ "$seen" = "$p" ] && return 0; done
	for d in $(mod_deps "$p"); do visit "$d"; done
	order+=("$p")
}
for m in $wanted; do
	if grep -qE "/${m//_/[_-]}\.ko\$" "$moddir/modules.builtin" 2>/dev/null; then
		continue # built into this kernel
	fi
	p=$(mod_path "$m")
	[ -n "$p" ] || die "module $m not found in $moddir"
	visit "$p"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,newroot,modules}
cp "$busybox" "$work/bin/busybox"
ln -s busybox "$work/bin/sh"
install -m 0755 "$here/initramfs-init" "$work/init"

: > "$work/modules/order"
for p in "${order[@]}"; do
	name=$(basename "$p")
	case "$name" in
	*.ko.xz) xz -dc "$moddir/$p" > "$work/modules/${name%.xz}"; name=${name%.xz} ;;
	*.ko.zst) zstd -qdc "$moddir/$p" > "$work/modules/${name%.zst}"; name=${name%.zst} ;;
	*.ko.gz) gzip -dc "$moddir/$p" > "$work/modules/${name%.gz}"; name=${name%.gz} ;;
	*) cp "$moddir/$p" "$work/modules/$name" ;;
	esac
	echo "$name" >> "$work/modules/order"
done

tmp=$out.tmp.$$
(cd "$work" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) | gzip -1 > "$tmp"
mv -f "$tmp" "$out"
echo "mkinitramfs: $out for $kver with modules: $(tr '\n' ' ' < "$work/modules/order")"
