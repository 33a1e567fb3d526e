#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Regenerates the committed probes/vmlinux/<arch>/vmlinux.h that builders
# without /sys/kernel/btf/vmlinux use (see probes/meson.build).
#
#   gen-vmlinux.sh [SOURCE [OUT]]
#
# SOURCE is a BTF blob or an ELF vmlinux with a .BTF section (default:
# /sys/kernel/btf/vmlinux), or a compressed boot image (vmlinuz, xz or
# zstd), from which the ELF vmlinux is extracted first. The committed copy
# was made from Debian 12's kernel:
#   probes/gen-vmlinux.sh /boot/vmlinuz-6.1.0-56-amd64
# The probes read no kernel structures (only tracepoint arguments), so any
# recent kernel's types serve; CO-RE covers the rest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${1:-/sys/kernel/btf/vmlinux}
out=${2:-$here/vmlinux/x86/vmlinux.h}
bpftool=$(command -v bpftool || echo /usr/sbin/bpftool)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

extract() { # image -> ELF vmlinux on stdout (the first stream that decompresses to ELF)
	local magic tool off
	for pair in 'fd377a585a00:xz' '28b52ffd:zstd'; do
		magic=${pair%%:*}; tool=${pair##*:}
		for off in $(od -An -v -tx1 -w1 "$1" | tr -d ' \n' | grep -ob "$magic" | cut -d: -f1); do
			off=$((off / 2))
			if tail -c +$((off + 1)) "$1" | $tool -dc 2>/dev/null > "$tmp/vmlinux" || true; then
				if [ "$(head -c 4 "$tmp/vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
					return 0
				fi
			fi
		done
	done
	echo "gen-vmlinux: no xz or zstd ELF payload in $1" >&2
	return 1
}

case "$(head -c 4 "$src" | od -An -tx1 | tr -d ' ')" in
7f454c46|9feb0100|eb9f0100) btf=$src ;;     # ELF, or raw BTF (either byte order)
*) extract "$src"; btf=$tmp/vmlinux ;;
esac

mkdir -p "$(dirname "$out")"
"$bpftool" btf dump file "$btf" format c > "$tmp/vmlinux.h"
mv "$tmp/vmlinux.h" "$out"
echo "gen-vmlinux: wrote $out from $src"
