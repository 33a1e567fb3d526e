#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The test bed itself, so that a failing product scenario is never a broken
# VM in disguise: a VM booted without cifs, Samba on lo, a cifs mount that
# round-trips data, netem that slows every request, and the two failures the
# error scenarios provoke (a missing file, a path the guest cannot read).
. "$AODVM_HERE/guest/lib.sh"

step "VM: $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { print $2 / 1024 " MB" }' /proc/meminfo)"
check "cifs is not loaded after boot" bash -c '! grep -q "^cifs " /proc/modules'
check "the cifs module has BTF" test -n "$(modinfo -F filename cifs)"
smb_start
check "smbd listens on 127.0.0.1:445" smb_listening
cifs_mount
check "cifs is mounted on $MNT" grep -q " $MNT cifs " /proc/mounts

echo "hello over smb" > "$MNT/hello.txt"
check "a file written through cifs lands on the share" grep -qx "hello over smb" "$SHARE/hello.txt"

# Each stat is of a name never looked up before, so no cached dentry,
# attributes or lease of a just-written file (deferred close keeps its
# handle) can answer it: every one is a round trip to smbd.
stat_ms() { # tag; median of 7 stats (no fork: bash's test), in ms
	local i t0 t1
	for i in 1 2 3 4 5 6 7; do
		t0=$EPOCHREALTIME
		[ ! -e "$MNT/never-$1-$i" ] || echo 99999
		t1=$EPOCHREALTIME
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d\n", (b - a) * 1000 }'
	done | sort -n | sed -n 4p
}
base=$(stat_ms base)
netem_delay 30
slow=$(stat_ms slow)
netem_off
after=$(stat_ms after)
note "stat over cifs: ${base} ms, ${slow} ms with netem 30 ms, ${after} ms after"
check "netem delay 30ms slows a stat by at least 30 ms (${base} -> ${slow} ms)" test "$slow" -ge $((base + 30))
check "removing netem brings it back (${after} ms)" test "$after" -lt $((slow - 20))

err=$(cat "$MNT/no-such-file" 2>&1)
check "opening a missing file fails with ENOENT ($err)" bash -c "[[ '$err' == *'No such file or directory'* ]]"
err=$(cat "$MNT/private/secret.txt" 2>&1)
check "reading private/ as the guest fails with EACCES ($err)" bash -c "[[ '$err' == *'Permission denied'* ]]"
finish
