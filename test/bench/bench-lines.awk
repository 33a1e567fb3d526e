# SPDX-License-Identifier: GPL-2.0-only
# Turns benchmark output into BENCH lines (benchenv.h):
#   BENCH <id> <value> <unit> <target> | <figure> | <how measured>
# BENCH lines pass through; the ring, detectord and collectord benchmarks
# (test/ipc, test/detectord, test/collectord) print sentences, matched here.
# A sentence that changes shape drops its row, and the table then reports
# that figure as missing.
function out(id, v, unit, target, fig, how) {
	printf "BENCH %s %s %s %s | %s | %s\n", id, v, unit, target, fig, how
}
# The number right after the text `after` in $0.
function num_after(after,   s) {
	s = $0
	if (!index(s, after))
		return ""
	s = substr(s, index(s, after) + length(after))
	sub(/^[ \t]+/, "", s)
	match(s, /^-?[0-9.]+/)
	return RSTART ? substr(s, 1, RLENGTH) : ""
}
{ sub(/\r$/, "") }
/BENCH / { print substr($0, index($0, "BENCH ")); next }
/^ring: 2 processes, / {
	v = $0; sub(/ M events\/s.*/, "", v); sub(/.*, /, "", v)
	n = num_after("-byte events,")
	out("ring.events_per_s", v, "M/s", ">=20", "shared ring, 2 processes, 64-byte events: events/s",
	    "wall-clock, test/ipc bench_ring: " n " events, batches of 256, one core each")
	next
}
/^latency handler with summary, 1% violations:/ {
	out("detect.latency_events_per_s", num_after("violations:"), "M/s", ">=200",
	    "detectord judging, latency handler with summary, one core (issue 9: >=50, issue 5: >=200)",
	    "thread CPU time of detect_judge, test/detectord bench_detect, best pass " num_after("best pass"))
	next
}
/^error handler, error events, 30% tracked errnos:/ {
	out("detect.error_events_per_s", num_after("errnos:"), "M/s", ">=50",
	    "detectord judging, error handler, one core",
	    "thread CPU time of detect_judge, test/detectord bench_detect, best pass " num_after("best pass"))
	next
}
/^aodv2-detectord process, default anomalies:/ {
	out("detect.process_events_per_s", num_after("anomalies:"), "M/s", "-",
	    "aodv2-detectord process fed through the ring (2 processes)",
	    "wall-clock, 20 M events, test/detectord bench_detect")
	next
}
/^peak RSS \(VmHWM\) of aodv2-detectord:/ {
	out("detect.rss", num_after("aodv2-detectord:"), "MiB", "-", "aodv2-detectord peak RSS while judging",
	    "VmHWM after 20 M events (includes the 4 MiB ring it shares)")
	next
}
/^anomaly received -> first action forked \(collectord\)/ {
	out("collectord.first_action_p99", num_after("p99"), "ms", "<5",
	    "collectord: anomaly received -> first action forked, p99",
	    "wall-clock, collectord's own clock (manifest), p50 " num_after("p50") " ms, test/collectord")
	next
}
/^collectord peak RSS \(VmHWM\) collecting all 8 actions:/ {
	out("collectord.peak_rss", num_after("= "), "MiB", "<8",
	    "collectord peak RSS collecting all 8 actions", "VmHWM, large outputs, 4 at once, zstd 3, test/collectord")
	next
}
