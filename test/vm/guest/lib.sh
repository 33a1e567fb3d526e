# SPDX-License-Identifier: GPL-2.0-only
# Sourced by every scenario (test/vm/scenarios/*.sh) inside the VM: TAP-like
# assertions, waiting, the Samba server and cifs mount, netem, and starting
# and querying aodv2. ART is the scenario's artefact directory (host-visible).
set -u
. /run/aodvm/out/job.env
: "${ART:?ART must name the artefact directory}"

SHARE=/srv/share          # what smbd exports as [share]
MNT=/srv/mnt              # where cifs mounts it
AOD_DIR=/run/aodv2-test   # config, drop-ins, socket, collections of this scenario
SUP=$AOD_BUILD_ROOT/supervisor/aodv2-supervisor
AODCTL=$AOD_BUILD_ROOT/supervisor/aodctl

_n=0
_failed=0
read -r _t0 _ < /proc/uptime

now() { local u; read -r u _ < /proc/uptime; echo "$u"; }
elapsed() { awk -v a="$_t0" -v b="$(now)" 'BEGIN { printf "%6.1f", b - a }'; }
step() { echo "# [$(elapsed)s] $*"; }
note() { echo "#   $*"; }

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); _failed=$((_failed + 1)); echo "not ok $_n - $*"; }
# check DESCRIPTION COMMAND...: one assertion, its outcome printed.
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
# Fatal: the scenario cannot go on.
bail() { not_ok "$*"; echo "Bail out! $*"; finish; }
finish() {
	echo "1..$_n"
	echo "# $((_n - _failed))/$_n assertions passed in $(elapsed)s"
	collect_artefacts
	[ "$_failed" -eq 0 ] && exit 0
	exit 1
}

# wait_until SECONDS COMMAND...: polls every 0.2 s; 0 once true, 1 on timeout.
wait_until() {
	local limit=$1 end
	shift
	end=$(awk -v a="$(now)" -v l="$limit" 'BEGIN { print a + l }')
	while :; do
		"$@" && return 0
		awk -v a="$(now)" -v e="$end" 'BEGIN { exit !(a >= e) }' && return 1
		sleep 0.2
	done
}

# ms_since T: milliseconds since uptime T.
ms_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%d", (b - a) * 1000 }'; }

# --- Samba and cifs ------------------------------------------------------------
smb_listening() { ss -Hltn 'sport = :445' | grep -q .; }

# A guest share bound to lo: the guest account (nobody) may write the share
# root but not read private/, which gives EACCES on demand.
smb_start() {
	mkdir -p "$SHARE/private" "$MNT"
	chmod 0777 "$SHARE"
	chmod 0700 "$SHARE/private"
	echo secret > "$SHARE/private/secret.txt"
	cat > /etc/samba/smb.conf <<-'EOF'
	[global]
	   server role = standalone server
	   interfaces = lo
	   bind interfaces only = yes
	   smb ports = 445
	   disable netbios = yes
	   map to guest = Bad User
	   guest account = nobody
	   server min protocol = SMB2_10
	   load printers = no
	   printing = bsd
	   printcap name = /dev/null
	   disable spoolss = yes
	   log file = /var/log/samba/log.%m
	   log level = 1
	[share]
	   path = /srv/share
	   guest ok = yes
	   guest only = yes
	   read only = no
	   create mask = 0666
	EOF
	if ! smb_listening; then
		smbd -D || bail "smbd did not start"
		wait_until 20 smb_listening || bail "smbd does not listen on 445"
	fi
}

# cifs_mount [extra options]: loads cifs and mounts the share on $MNT.
cifs_mount() {
	local opts="guest,vers=3.1.1,cache=none,actimeo=0${1:+,$1}"
	modprobe cifs || bail "modprobe cifs failed"
	mount -t cifs //127.0.0.1/share "$MNT" -o "$opts" || bail "mount -t cifs ($opts) failed"
}

netem_delay() { # ms
	modprobe sch_netem
	tc qdisc replace dev lo root netem delay "${1}ms"
}
netem_off() { tc qdisc del dev lo root 2>/dev/null || true; }

# One round of SMB traffic on the mount: create, write, read back, stat,
# list, delete. Each step is at least one request that waits on the server.
smb_io_round() { # tag
	local f=$MNT/io-$1
	dd if=/dev/zero of="$f" bs=64k count=2 conv=fsync status=none || return 1
	dd if="$f" of=/dev/null bs=64k status=none || return 1
	stat "$f" > /dev/null || return 1
	ls "$MNT" > /dev/null || return 1
	rm -f "$f"
}

# Copies what a failure needs into the artefact directory.
collect_artefacts() {
	{
		echo "--- mounts"; grep -E 'cifs|tmpfs|9p' /proc/mounts
		echo "--- modules"; grep -E '^(cifs|sch_netem) ' /proc/modules
		echo "--- qdisc"; tc qdisc show dev lo
		echo "--- processes"; ps -eo pid,ppid,user,stat,etime,args 2>/dev/null
	} > "$ART/state.txt" 2>&1
	dmesg > "$ART/dmesg.txt" 2>&1
	[ -d /var/log/samba ] && cat /var/log/samba/log.* > "$ART/samba.log" 2>/dev/null
	[ -f /proc/fs/cifs/DebugData ] && cat /proc/fs/cifs/DebugData > "$ART/cifs-debugdata.txt" 2>/dev/null
	true
}
