#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# aodvm-test.service in the systemd VM (overlay-init.sh writes the unit): the
# counterpart of guest/boot.sh once systemd is PID 1 and the root is
# writable. Mounts the run's 9p share where guest/lib.sh expects it, runs
# each scenario named in job.env (guest/scenarios.sh), saves this boot's
# journal into the share and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LANG=C.UTF-8 HOME=/root TERM=dumb
out=/run/aodvm/out

poweroff_now() {
	sync
	umount "$out" 2> /dev/null
	echo o > /proc/sysrq-trigger
	sleep 30
}
trap poweroff_now EXIT

mkdir -p "$out"
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 aodout "$out"; then
	echo "aodvm: FATAL: cannot mount the run share (aodout)" > /dev/console
	exit 1
fi
exec >> "$out/boot.log" 2>&1
# shellcheck source=/dev/null
. "$out/job.env"
read -r up _ < /proc/uptime
echo "aodvm: booted in $up s (kernel $(uname -r), $(nproc) CPUs, $(systemctl --version | head -1))" |
	tee /dev/console
. "$AODVM_HERE/guest/scenarios.sh"
run_scenarios "$out"
journalctl -b --no-pager -o short-monotonic > "$out/journal.txt" 2>&1
