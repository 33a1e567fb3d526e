# SPDX-License-Identifier: GPL-2.0-only
# Sourced after lib.sh by the VM benchmarks (bench-probes, bench-recorder):
# Samba, the share mounted on $MNT, and a supervisor config in $BD/conf.d
# under which no anomaly fires (they measure cost, not detection).
bench_setup() {
	smb_start
	# A first smbd connection can take longer than cifs waits when the host
	# is busy (TCG): try a few times before cifs_mount, which bails on failure.
	local try
	modprobe cifs
	for try in 1 2 3 4; do
		mount -t cifs //127.0.0.1/share "$MNT" -o guest,vers=3.1.1,cache=none,actimeo=0 2> /dev/null && break
		note "mount attempt $try failed; retrying"
		sleep 5
	done
	grep -q " $MNT cifs " /proc/mounts || cifs_mount
	check "cifs is mounted on $MNT" grep -q " $MNT cifs " /proc/mounts

	mkdir -p "$BD/conf.d" "$BD/out"
	chmod 0755 "$BD"
	cat > "$BD/conf.d/50-bench.yaml" <<YAML
aod_output_dir: $BD/out
control_socket: $BD/ctl.sock
service_user: nobody
guardian:
  anomalies:
    latency:
      acceptable_count: 1000000
      emergency_threshold_ms: 200000
    error:
      acceptable_count: 1000000
YAML
}
