#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# PID 1 of the test VM, started by the initramfs on the host's read-only root.
# Makes the writable places a scenario needs (tmpfs), mounts the run's 9p
# share, then runs each scenario named in job.env as its own bash process,
# writes "<scenario> PASS|FAIL <seconds> <exit status>" lines to verdicts and
# powers off. PID 1 must never exit: every path ends in a sysrq power-off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LANG=C.UTF-8 HOME=/root TERM=dumb
umask 022

poweroff_now() {
	sync
	umount /run/aodvm/out 2>/dev/null
	echo o > /proc/sysrq-trigger
	sleep 30
}
trap poweroff_now EXIT

fatal() {
	echo "aodvm: FATAL: $*"
	[ -d /run/aodvm/out ] && echo "aodvm: FATAL: $*" >> /run/aodvm/out/boot.log
	poweroff_now
}

mount -t proc proc /proc || fatal "mount /proc"
mount -t sysfs sysfs /sys || fatal "mount /sys"
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=0755 tmpfs /run || fatal "tmpfs on /run"
mkdir -p /run/aodvm/out /run/aodvm/hold /run/lock
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 aodout /run/aodvm/out ||
	fatal "cannot mount the run share (aodout)"
out=/run/aodvm/out
exec >> "$out/boot.log" 2>&1
# shellcheck source=/dev/null
. "$out/job.env" || fatal "no job.env in the run share"

# Host directories under the places that get a tmpfs (the build root may be
# in /tmp): hold them with a bind mount and put them back at the same path.
overlaid="/tmp /var/tmp /var/log /var/lib/samba /var/cache/samba /etc/samba /srv"
held=()
for p in "$AOD_BUILD_ROOT" "$AOD_SOURCE_ROOT"; do
	for o in $overlaid; do
		case "$p/" in
		"$o"/*)
			h=/run/aodvm/hold/${#held[@]}
			mkdir -p "$h"
			mount --bind "$p" "$h" || fatal "bind $p"
			held+=("$p")
			;;
		esac
	done
done
for o in $overlaid; do
	mount -t tmpfs -o mode=0755 tmpfs "$o" || fatal "tmpfs on $o"
done
chmod 1777 /tmp /var/tmp
for i in "${!held[@]}"; do
	mkdir -p "${held[$i]}"
	mount --move "/run/aodvm/hold/$i" "${held[$i]}" || fatal "move ${held[$i]} back"
done
mkdir -p /var/lib/samba/private /var/cache/samba /var/log/samba /run/samba

# A kernel fetched into the build dir (run-vm.sh --kernel): its modules at
# /lib/modules/<release>, where modprobe looks (the host root is read-only).
if [ -n "${AODVM_MODULES:-}" ]; then
	mount -t tmpfs -o mode=0755 tmpfs /lib/modules || fatal "tmpfs on /lib/modules"
	mkdir -p "/lib/modules/$AODVM_KERNEL"
	mount --bind "$AODVM_MODULES/lib/modules/$AODVM_KERNEL" "/lib/modules/$AODVM_KERNEL" ||
		fatal "bind the modules of $AODVM_KERNEL from $AODVM_MODULES"
fi

mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
hostname aodvm
ip link set lo up || fatal "lo up"

# The service user aodv2 runs as: added to private copies of passwd and group
# when the host has none (the host root is read-only).
if ! getent passwd aodv2 > /dev/null; then
	cp /etc/passwd /run/aodvm/passwd
	cp /etc/group /run/aodvm/group
	echo 'aodv2:x:990:' >> /run/aodvm/group
	echo 'aodv2:x:990:990:aodv2 service:/nonexistent:/usr/sbin/nologin' >> /run/aodvm/passwd
	mount --bind /run/aodvm/passwd /etc/passwd
	mount --bind /run/aodvm/group /etc/group
fi

read -r up _ < /proc/uptime
echo "aodvm: booted in $up s (kernel $(uname -r), $(nproc) CPUs)" | tee /dev/console
echo "aodvm: $(cat /proc/version)"

. "$AODVM_HERE/guest/scenarios.sh"
run_scenarios "$out"
sync
