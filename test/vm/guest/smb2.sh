# SPDX-License-Identifier: GPL-2.0-only
# Sourced after lib.sh by scenarios with two servers (hang, hang-premount,
# metrics): a second smbd on 127.0.0.2 serving //127.0.0.2/other, and a
# mount that tries again while smbd starts up.
MNT2=/srv/mnt2
SHARE2=/srv/share2
SMB2_CONF=/run/smb2/smb.conf

# A second Samba server of its own (directories, pid file) on 127.0.0.2.
smb2_start() {
	ip addr add 127.0.0.2/8 dev lo 2> /dev/null
	mkdir -p "$SHARE2" "$MNT2" /run/smb2/{lock,state,cache,private,pid,ncalrpc} /var/log/samba2
	chmod 0777 "$SHARE2"
	sed -e 's/^   interfaces = .*/   interfaces = 127.0.0.2/' \
		-e '/^\[share\]/,$d' /etc/samba/smb.conf > "$SMB2_CONF"
	cat >> "$SMB2_CONF" <<-'EOF2'
	   pid directory = /run/smb2/pid
	   lock directory = /run/smb2/lock
	   state directory = /run/smb2/state
	   cache directory = /run/smb2/cache
	   private dir = /run/smb2/private
	   ncalrpc dir = /run/smb2/ncalrpc
	   log file = /var/log/samba2/log.%m
	[other]
	   path = /srv/share2
	   guest ok = yes
	   guest only = yes
	   read only = no
	EOF2
	# (a scenario before this one in the boot may have left it running)
	ss -Hltn 'sport = :445' | grep -q 127.0.0.2:445 && return 0
	smbd -D -s "$SMB2_CONF" || bail "the second smbd did not start"
	wait_until 20 bash -c "ss -Hltn 'sport = :445' | grep -q 127.0.0.2:445" ||
		bail "the second smbd does not listen on 127.0.0.2:445"
}
smb1_pids() { pgrep -x smbd | while read -r p; do grep -q smb2/smb.conf "/proc/$p/cmdline" || echo "$p"; done; }
smb2_pids() { pgrep -f "$SMB2_CONF"; }
# mount_retry UNC DIR: smbd may refuse the very first connection while it
# still starts up under TCG; a few tries, then a failure.
mount_retry() {
	local i
	modprobe cifs || bail "modprobe cifs failed"
	for i in 1 2 3 4 5; do
		mount -t cifs "$1" "$2" -o guest,vers=3.1.1,cache=none,actimeo=0 && return 0
		sleep 2
	done
	bail "cannot mount $1 on $2"
}

