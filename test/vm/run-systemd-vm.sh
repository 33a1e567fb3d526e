#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The VM boot with systemd as PID 1 (issue 21):
#
#   run-systemd-vm.sh --version VERSION --build-root DIR --name NAME [--timeout SEC] SCENARIO...
#
# Builds the Debian package as `meson compile deb` does (etc/deb/build-deb,
# its own release build under DIR/deb/) into DIR/test/vm/systemd/, then boots
# through run-vm.sh with systemd/overlay-init.sh as the guest's first
# program: the host's read-only root with a tmpfs overlay, systemd as
# /sbin/init, and the scenarios run by aodvm-test.service
# (systemd/run-scenarios.sh). The scenarios find the package at
# $AOD_BUILD_ROOT/test/vm/systemd/aodv2_*.deb.
#
# Exit status and environment as run-vm.sh's. A failure ends with the
# scenarios' failed assertions.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source_root=$(cd "$here/../.." && pwd)
version=
args=()
scenarios=()
while [ $# -gt 0 ]; do
	case "$1" in
	--version) version=$2; shift 2 ;;
	--build-root) build_root=$(cd "$2" && pwd); args+=("$1" "$build_root"); shift 2 ;;
	--name | --timeout) args+=("$1" "$2"); shift 2 ;;
	-*) echo "usage: $0 --version VERSION --build-root DIR --name NAME [--timeout SEC] SCENARIO..." >&2; exit 2 ;;
	*) scenarios+=("$1"); shift ;;
	esac
done
[ -n "$version" ] && [ -n "${build_root:-}" ] || { echo "run-systemd-vm: --version and --build-root are needed" >&2; exit 2; }

pkgdir=$build_root/test/vm/systemd
mkdir -p "$pkgdir"
rm -f "$pkgdir"/aodv2_*.deb
deb=$pkgdir/aodv2_${version}_$(dpkg --print-architecture).deb
t0=$(date +%s)
if ! "$source_root/etc/deb/build-deb" "$source_root" "$build_root" "$version" "$deb" > "$pkgdir/build-deb.log" 2>&1; then
	tail -n 40 "$pkgdir/build-deb.log"
	echo "run-systemd-vm: building the package failed (log: $pkgdir/build-deb.log)"
	exit 1
fi
echo "run-systemd-vm: $deb built in $(($(date +%s) - t0)) s"

# run-vm.sh's output ends with the failed assertions (failed-assertions.sh);
# nothing is printed after it.
AOD_VM_INIT=$here/systemd/overlay-init.sh AOD_VM_MEM_MB=${AOD_VM_MEM_MB:-2048} \
	exec "$here/run-vm.sh" "${args[@]}" "${scenarios[@]}"
