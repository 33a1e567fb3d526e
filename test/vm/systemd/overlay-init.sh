#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The first program of the systemd VM (run-systemd-vm.sh), PID 1 on the host's
# read-only 9p root, started by the initramfs through aodvm.init=: makes a
# writable root (overlayfs: the 9p root below, a tmpfs above), prepares it
# as a machine that boots straight into the test (aodvm.target: basic.target,
# journald, and aodvm-test.service, which runs run-scenarios.sh), then
# switch_root's into it with /sbin/init, which is systemd. Nothing it writes
# reaches the host: every change lands in the tmpfs.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
here=$(cd "$(dirname "$0")" && pwd)

fatal() {
	echo "aodvm-systemd: FATAL: $*" > /dev/console
	echo o > /proc/sysrq-trigger
	sleep 30
}

mount -t proc proc /proc || fatal "mount /proc"
mount -t sysfs sysfs /sys || fatal "mount /sys"
modprobe overlay || fatal "modprobe overlay"
rw=/mnt
mount -t tmpfs -o mode=0755 aodvm-rw "$rw" || fatal "tmpfs on $rw"
mkdir -p "$rw/upper" "$rw/work" "$rw/root"
mount -t overlay aodvm-root -o "lowerdir=/,upperdir=$rw/upper,workdir=$rw/work" "$rw/root" ||
	fatal "overlay over the 9p root"
r=$rw/root

# What the host's root holds that a booted test machine must not have: its
# fstab (an unconfigured one here), the container's policy-rc.d (exit 101:
# no service may start, which the package's postinst relies on), and a
# machine id shared with the host.
: > "$r/etc/fstab"
rm -f "$r/usr/sbin/policy-rc.d"
# The build machine is a container: its /.dockerenv would make systemd run
# as in a container (no udev, other defaults), not as on a real machine.
rm -f "$r/.dockerenv"
# Debian's tmp.conf empties /tmp at boot: here that is the host's /tmp, a
# long walk over 9p that would only hide it (and the build tree may be in it).
echo 'd /tmp 1777 root root -' > "$r/etc/tmpfiles.d/tmp.conf"
# dpkg's man-db trigger would rebuild the whole man database over 9p (minutes
# under TCG); what it indexes is no part of the test.
rm -f "$r/var/lib/man-db/auto-update"
: > "$r/etc/machine-id"
echo aodvm > "$r/etc/hostname"

# Boot straight to the test: basic.target (journald, udev, tmpfiles, dbus
# socket) and the test unit, no getty, no multi-user.target (the host's
# enabled services: samba, postgresql, ...).
u=$r/etc/systemd/system
cat > "$u/aodvm.target" <<EOF
[Unit]
Description=aodv2 systemd VM test
Requires=basic.target
After=basic.target
Wants=aodvm-test.service
AllowIsolate=yes
EOF
cat > "$u/aodvm-test.service" <<EOF
[Unit]
Description=aodv2 systemd VM test scenarios
After=basic.target systemd-journald.service
[Service]
Type=simple
# Below the boot's own limit (meson.build: vm-systemd) so that a scenario
# that hangs still leaves its verdict and journal.
Environment=AODVM_SCENARIO_TIMEOUT=2400
ExecStart=/bin/bash $here/run-scenarios.sh
StandardOutput=journal+console
StandardError=journal+console
EOF
ln -sfn aodvm.target "$u/default.target"

echo "aodvm-initramfs: overlay root ready, starting systemd" > /dev/console
exec switch_root "$r" /sbin/init
