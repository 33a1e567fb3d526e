# SPDX-License-Identifier: GPL-2.0-only
# Sourced after lib.sh by the metrics scenario: Debian's
# prometheus-node-exporter with only its textfile collector, and a prometheus
# server scraping it every second, both on loopback, their data in tmpfs;
# prom_query asks the server's HTTP API. Both are stopped at the scenario's
# end (cleanup.sh only ends aodv2's own processes).
PROM_DIR=/run/aodvm-prom
PROM_TEXTFILE_DIR=$PROM_DIR/textfile
NE_ADDR=127.0.0.1:19100
PROM_ADDR=127.0.0.1:19090
_prom_pids=()

prom_stop() {
	[ ${#_prom_pids[@]} -gt 0 ] || return 0
	kill -TERM "${_prom_pids[@]}" 2> /dev/null
	wait "${_prom_pids[@]}" 2> /dev/null
	_prom_pids=()
}

# prom_start: node_exporter reading $PROM_TEXTFILE_DIR, prometheus scraping it.
prom_start() {
	mkdir -p "$PROM_TEXTFILE_DIR" "$PROM_DIR/tsdb"
	prometheus-node-exporter --web.listen-address="$NE_ADDR" --collector.disable-defaults \
		--collector.textfile --collector.textfile.directory="$PROM_TEXTFILE_DIR" \
		> "$ART/node-exporter.log" 2>&1 < /dev/null &
	_prom_pids+=($!)
	cat > "$PROM_DIR/prometheus.yml" <<-EOF
	global:
	  scrape_interval: 1s
	  scrape_timeout: 1s
	  evaluation_interval: 1s
	scrape_configs:
	  - job_name: node
	    static_configs:
	      - targets: ['$NE_ADDR']
	EOF
	prometheus --config.file="$PROM_DIR/prometheus.yml" --storage.tsdb.path="$PROM_DIR/tsdb" \
		--web.listen-address="$PROM_ADDR" > "$ART/prometheus.log" 2>&1 < /dev/null &
	_prom_pids+=($!)
	wait_until 120 _prom_target_up || bail "prometheus does not scrape node_exporter (up == 1) within 120 s"
}
_prom_target_up() { test "$(prom_query 'up{job="node"}' | jq -r '.data.result[0].value[1]' 2> /dev/null)" = 1; }

# prom_query PROMQL: the JSON answer of the instant query endpoint (three
# tries: on a loaded host an answer can take longer than curl's 5 s).
prom_query() {
	local try
	for try in 1 2 3; do
		curl -sf --max-time 5 "http://$PROM_ADDR/api/v1/query" --data-urlencode "query=$1" && return 0
		[ "$try" = 3 ] || sleep 1
	done
	return 1
}
# prom_last SELECTOR: the JSON answer for the selector's latest samples of
# the last minute. A scrape that times out (1 s, easily missed on a loaded
# host) marks every series stale, and an instant query of the bare selector
# then finds nothing until the next scrape succeeds; last_over_time does not
# see staleness markers.
prom_last() { prom_query "last_over_time($1[1m])"; }

# prom_hist SHARE_REGEX COMMAND BOUND: "COUNT ABOVE" of the latency histogram
# of that share and command as prometheus has it now: all requests, and those
# above the bucket bound BOUND (seconds, within 1% of an le); "0 0" before it
# has the series. Buckets are compared by value, not by the le string.
prom_hist() {
	prom_last "aodv2_smb_request_duration_seconds_bucket{share=~\"$1\",command=\"$2\"}" |
		jq -r --argjson b "$3" '[.data.result[] | {le: (.metric.le | tonumber? // infinite), v: (.value[1] | tonumber)}] |
			(map(select(.le == infinite)) | map(.v) | add // 0) as $count |
			(map(select(.le > $b * 0.99 and .le < $b * 1.01)) | map(.v) | add // 0) as $below |
			"\($count) \($count - $below)"'
}
