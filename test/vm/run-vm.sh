#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs VM end-to-end scenarios against a real cifs client and Samba server:
#
#   run-vm.sh --build-root DIR --name NAME [--timeout SEC] [--kernel SUITE]
#             [--expect KEY=VALUE]... SCENARIO...
#
# Boots Debian's kernel in QEMU (the host's installed one, or with --kernel
# the linux-image-amd64 of another Debian suite, fetched by fetch-kernel.sh
# into the build dir with a private apt configuration; its modules are
# bound over the guest's /lib/modules) with the host's / shared read-only over
# virtio-9p, a busybox initramfs (mkinitramfs.sh, cached in the build dir) and
# test/vm/guest/boot.sh as PID 1, which runs each test/vm/scenarios/<name>.sh
# in turn and writes its verdicts and artefacts to a writable 9p share: the
# host directory <build>/test/vm/runs/NAME (kept after the run). Each
# --expect KEY=VALUE reaches the scenarios as AODVM_EXPECT_KEY (what this
# kernel should show). A boot that ran the kernel scenario leaves its row of
# the README's kernel table in <build>/test/vm/kernel-table/NAME.md
# (kernel-table.sh joins them).
#
# KVM is tried first when /dev/kvm opens; if the guest has not reached its
# init within AOD_VM_KVM_PROBE_SEC (nested KVM can hang at boot) QEMU is
# killed and the run starts again with TCG; the verdict is cached in the
# build dir so later runs go straight to what works.
#
# On failure the output ends with each failed scenario's "not ok" lines
# (failed-assertions.sh), after the logs and diagnostics.
# Exit: 0 every scenario passed, 1 a scenario failed, the VM did not finish or
# the --kernel could not be fetched (with the reason), 77 (skip) only when
# qemu or, without --kernel, an installed kernel image with cifs is unavailable.
# Environment: AOD_VM_KERNEL (a vmlinuz path), AOD_VM_ACCEL (kvm|tcg),
# AOD_VM_SMP, AOD_VM_MEM_MB, AODVM_SCENARIO_TIMEOUT (seconds per scenario),
# AOD_BENCH_ROUNDS, AOD_BENCH_SECS, AOD_BENCH_IDLE_SECS (the VM benchmarks),
# AOD_VM_INIT (the guest's first program on the host root instead of
# guest/boot.sh: run-systemd-vm.sh boots systemd).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source_root=$(cd "$here/../.." && pwd)
build_root=
name=
timeout_sec=540
suite=
expects=()
scenarios=()

usage() { echo "usage: $0 --build-root DIR --name NAME [--timeout SEC] [--kernel SUITE] SCENARIO..." >&2; exit 2; }
skip() { echo "SKIP: $*"; exit 77; }
die() { echo "run-vm: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case "$1" in
	--build-root) build_root=$(cd "$2" && pwd); shift 2 ;;
	--name) name=$2; shift 2 ;;
	--timeout) timeout_sec=$2; shift 2 ;;
	--kernel) suite=$2; shift 2 ;;
	--expect) [[ "$2" =~ ^[A-Z_]+=[A-Za-z0-9_.]*$ ]] || usage; expects+=("$2"); shift 2 ;;
	-h|--help) usage ;;
	-*) usage ;;
	*) scenarios+=("$1"); shift ;;
	esac
done
[ -n "$build_root" ] && [ -n "$name" ] && [ ${#scenarios[@]} -gt 0 ] || usage
for s in "${scenarios[@]}"; do
	[ -f "$here/scenarios/$s.sh" ] || die "no scenario $here/scenarios/$s.sh"
done

# --- what the VM needs from the host -----------------------------------------
qemu=$(command -v qemu-system-x86_64 || true)
[ -n "$qemu" ] || skip "qemu-system-x86_64 not found (install qemu-system-x86)"

find_kernel() {
	local k v
	if [ -n "${AOD_VM_KERNEL:-}" ]; then
		echo "$AOD_VM_KERNEL"
		return
	fi
	for k in $(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V -r); do
		v=${k#/boot/vmlinuz-}
		if [ -r "$k" ] && [ -f "/lib/modules/$v/modules.dep" ] &&
			grep -qE '/cifs\.ko(\.(xz|zst|gz))?:' "/lib/modules/$v/modules.dep"; then
			echo "$k"
			return
		fi
	done
}
modtree=
if [ -n "$suite" ]; then
	# Not a skip: a kernel this suite must prove and cannot get is a failure.
	fetched=$("$here/fetch-kernel.sh" --build-root "$build_root" "$suite") ||
		die "the $suite kernel could not be fetched (reason above)"
	read -r kernel modtree kver pkgver <<< "$fetched"
	moddir=$modtree/lib/modules/$kver
	echo "run-vm: kernel $kver, Debian package version $pkgver from $suite"
else
	kernel=$(find_kernel)
	[ -n "$kernel" ] || skip "no /boot/vmlinuz-* with a cifs module in /lib/modules (install linux-image-amd64)"
	[ -r "$kernel" ] || skip "kernel image $kernel is not readable"
	kver=${kernel##*/vmlinuz-}
	moddir=/lib/modules/$kver
	[ -f "$moddir/modules.dep" ] || skip "no $moddir for $kernel"
	pkgver=$(dpkg-query -W -f='${Version}' "linux-image-$kver" 2> /dev/null || echo unknown)
	echo "run-vm: kernel $kver, Debian package version $pkgver (installed on the host)"
fi

# --- the initramfs, built once per kernel and harness version ----------------
state=$build_root/test/vm/state
mkdir -p "$state"
initrd=$state/initramfs-$kver.cpio.gz
(
	flock 9
	if [ ! -f "$initrd" ] || [ "$here/mkinitramfs.sh" -nt "$initrd" ] || [ "$moddir/modules.dep" -nt "$initrd" ] ||
		[ "$here/initramfs-init" -nt "$initrd" ]; then
		"$here/mkinitramfs.sh" "$initrd" "$kver" "$moddir"
	fi
) 9> "$state/initramfs.lock"

# --- the run directory: the guest's writable share ---------------------------
run=$build_root/test/vm/runs/$name
rm -rf "$run"
mkdir -p "$run"
# Paths the guest must see at the same place as on the host although it mounts
# tmpfs over /tmp and /run: the binaries know their build root.
cat > "$run/job.env" <<EOF
export AODVM_NAME='$name'
export AODVM_SCENARIOS='${scenarios[*]}'
export AOD_BUILD_ROOT='$build_root'
export AOD_SOURCE_ROOT='$source_root'
export AODVM_HERE='$here'
export AODVM_KERNEL='$kver'
export AODVM_MODULES='$modtree'
EOF
# each scenario's limit in the guest (boot.sh; 400 s unless set)
[ -n "${AODVM_SCENARIO_TIMEOUT:-}" ] && echo "export AODVM_SCENARIO_TIMEOUT='$AODVM_SCENARIO_TIMEOUT'" >> "$run/job.env"
# the VM benchmarks' lengths (bench-probes, bench-recorder), digits only
for v in AOD_BENCH_ROUNDS AOD_BENCH_SECS AOD_BENCH_IDLE_SECS; do
	[[ "${!v:-}" =~ ^[0-9]+$ ]] && echo "export $v='${!v}'" >> "$run/job.env"
done
for e in "${expects[@]}"; do
	echo "export AODVM_EXPECT_${e%%=*}='${e#*=}'" >> "$run/job.env"
done

smp=${AOD_VM_SMP:-2}
mem=${AOD_VM_MEM_MB:-1536}
console=$run/console.log

qemu_args() { # accel
	local cpu=max
	[ "$1" = kvm ] && cpu=host
	printf '%s\n' -machine "q35,accel=$1" -cpu "$cpu" -smp "$smp" -m "$mem" \
		-display none -monitor none -serial "file:$console" -no-reboot -nic none \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 quiet loglevel=4 panic=-1 no_timer_check aodvm.init=${AOD_VM_INIT:-$here/guest/boot.sh}" \
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=$run,mount_tag=aodout,security_model=none"
}

booted() { grep -q 'aodvm-initramfs: root mounted' "$console" 2>/dev/null; }

kvm_usable() {
	[ "${AOD_VM_ACCEL:-}" = tcg ] && return 1
	[ "${AOD_VM_ACCEL:-}" = kvm ] && return 0
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	[ "$(cat "$state/kvm-verdict" 2>/dev/null)" != broken ] || return 1
	return 0
}

# Starts QEMU in the background with an overall deadline; sets qemu_pid.
start_qemu() { # accel
	local args
	mapfile -t args < <(qemu_args "$1")
	: > "$console"
	# In a subshell: a QEMU that aborts is reported through run/qemu.log,
	# not as a job-control message.
	(timeout --kill-after=10 "$timeout_sec" "$qemu" "${args[@]}" > "$run/qemu.log" 2>&1) &
	qemu_pid=$!
}

kill_qemu() {
	kill "$qemu_pid" 2>/dev/null || true
	wait "$qemu_pid" 2>/dev/null || true
}

accel=tcg
t0=$(date +%s.%N)
if kvm_usable; then
	probe=${AOD_VM_KVM_PROBE_SEC:-10}
	start_qemu kvm
	for _ in $(seq $((probe * 4))); do
		booted && break
		kill -0 "$qemu_pid" 2>/dev/null || break
		sleep 0.25
	done
	if booted; then
		accel=kvm
		echo ok > "$state/kvm-verdict"
	else
		echo "run-vm: KVM did not reach the guest init within ${probe}s; using TCG" \
			"($(tail -c 300 "$run/qemu.log" | tr '\n' ' '))"
		kill_qemu
		echo broken > "$state/kvm-verdict"
		t0=$(date +%s.%N)
	fi
fi
[ "$accel" = kvm ] || start_qemu tcg
echo "run-vm: $name: booting $kernel ($accel, $smp vCPUs, $mem MB) for: ${scenarios[*]}"
echo "run-vm: artefacts in $run"
qemu_rc=0
wait "$qemu_pid" || qemu_rc=$?
t1=$(date +%s.%N)

# --- verdicts ------------------------------------------------------------------
elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
boot=$(sed -n 's/^aodvm: booted in \([0-9.]*\) s.*/\1/p' "$console" | head -1)
echo "run-vm: VM ran ${elapsed}s (guest boot to scenarios: ${boot:-?}s), qemu exit $qemu_rc"
echo "run-vm: guest: $(sed -n 's/^aodvm: \(Linux version .*\)/\1/p' "$run/boot.log" 2> /dev/null | head -1)"
[ "$qemu_rc" -eq 124 ] && echo "run-vm: the VM hit the overall timeout of ${timeout_sec}s"

rc=0
failed=()
unfinished=()
for s in "${scenarios[@]}"; do
	log=$run/$s/scenario.log
	echo
	echo "=============== scenario $s ==============="
	if [ -f "$log" ]; then
		cat "$log"
	else
		echo "(no log: the scenario did not run)"
	fi
	verdict= secs= status=
	read -r verdict secs status < <(awk -v s="$s" '$1 == s { print $2, $3, $4 }' "$run/verdicts" 2>/dev/null) || true
	case "${verdict:-}" in
	PASS) echo "=== $s: PASS in ${secs}s" ;;
	FAIL) echo "=== $s: FAIL in ${secs}s (exit status $status)"
		failed+=("$s")
		rc=1
		;;
	*)
		echo "=== $s: FAIL (no verdict: the VM stopped before the scenario ended)"
		failed+=("$s")
		unfinished+=("$s")
		rc=1
		;;
	esac
done

# The README's kernel table: one row per boot that ran the kernel scenario.
if [ -f "$run/kernel/kernel.txt" ]; then
	row() { sed -n "s/^$1=//p" "$run/kernel/kernel.txt"; }
	passed=()
	for s in "${scenarios[@]}"; do
		[[ " ${failed[*]} " == *" $s "* ]] || passed+=("$s")
	done
	att=$(row attached)
	mkdir -p "$build_root/test/vm/kernel-table"
	printf '| %s (%s, %s) | %s | %s: %s | %s | %s of %s: %s%s |\n' "$kver" "$pkgver" "${suite:-installed}" \
		"$(row variant)" "$(wc -w <<< "$att")" "$att" "$(row absent)" "${#passed[@]}" "${#scenarios[@]}" \
		"${passed[*]:-none}" "${failed[*]:+; failed: ${failed[*]}}${unfinished[*]:+ (${unfinished[*]}: no verdict, the VM stopped first)}" \
		> "$build_root/test/vm/kernel-table/$name.md"
fi

if [ $rc -ne 0 ]; then
	echo
	echo "=============== diagnostics ==============="
	echo "--- artefacts (in $run)"
	(cd "$run" && find . -path ./console.log -prune -o -type f -printf '%s\t%p\n' | sort -k2 | head -200)
	for s in "${failed[@]}"; do
		for f in "$run/$s"/*.log "$run/$s"/*.json "$run/$s"/*.txt; do
			[ -f "$f" ] && [ "$f" != "$run/$s/scenario.log" ] || continue
			echo "--- $f (last 80 lines)"
			tail -n 80 "$f"
		done
	done
	echo "--- qemu stderr"
	cat "$run/qemu.log"
	echo "--- console (last 150 lines)"
	tail -n 150 "$console" | tr -d '\r'
	# Last, so that the end of the output (all meson shows) is what failed.
	"$here/failed-assertions.sh" "$run" "${scenarios[@]}"
fi
exit $rc
