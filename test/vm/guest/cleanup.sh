#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Between two scenarios of one boot: end what a scenario left running (aodv2
# processes, I/O loops), unmount cifs, drop netem and unload cifs so that the
# next scenario starts from a VM with no cifs module, as after boot.
. /run/aodvm/out/job.env

own_pids() { # processes running a program from the build root (one exec: forks are slow under TCG)
	find /proc -mindepth 2 -maxdepth 2 -name exe -lname "$AOD_BUILD_ROOT/*" 2>/dev/null |
		sed 's|^/proc/\([0-9]*\)/exe$|\1|'
}

pids=$(own_pids)
if [ -n "$pids" ]; then
	echo "cleanup: stopping leftover processes: $pids"
	kill -TERM $pids 2>/dev/null
	for _ in $(seq 50); do
		[ -z "$(own_pids)" ] && break
		sleep 0.1
	done
	pids=$(own_pids)
	[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
fi
tc qdisc del dev lo root 2>/dev/null
for m in $(awk '$3 == "cifs" { print $2 }' /proc/mounts | sort -r); do
	umount -f "$m" || umount -l "$m"
done
if grep -q '^cifs ' /proc/modules; then
	for _ in $(seq 20); do
		rmmod cifs 2>/dev/null && break
		sleep 0.5
	done
	grep -q '^cifs ' /proc/modules && echo "cleanup: cifs stays loaded"
fi
exit 0
