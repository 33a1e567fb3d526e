# SPDX-License-Identifier: GPL-2.0-only
# BENCH lines (the latest one per id wins) -> a Markdown table in a fixed
# row order; ids not listed in `order` follow at the end; a listed figure
# with no line (or no number) is shown as missing.
function met(v, t,   op, n) {
	if (t == "-" || t == "")
		return "-"
	match(t, /^[<>]=?/)
	op = substr(t, 1, RLENGTH)
	n = substr(t, RLENGTH + 1) + 0
	v += 0
	if (op == ">=") return v >= n ? "yes" : "**no**"
	if (op == "<=") return v <= n ? "yes" : "**no**"
	if (op == ">") return v > n ? "yes" : "**no**"
	if (op == "<") return v < n ? "yes" : "**no**"
	return "?"
}
BEGIN {
	FS = " \\| "
	norder = split("ring.events_per_s ring.instr_event detect.latency_events_per_s " \
		"detect.error_events_per_s detect.instr_latency detect.instr_error " \
		"detect.process_events_per_s detect.rss pipeline.max_events_per_s pipeline.cpu_capacity " \
		"pipeline.emergency_p50 pipeline.emergency_p99 pipeline.emergency_missed collectord.first_action_p99 " \
		"collectord.peak_rss idle.cpu_seconds idle.rss_total idle.pss_total " \
		"vm.smb_ops_ratio vm.bpf_ns_per_event probes.ns_request_metrics_off probes.ns_request_metrics_on " \
		"live.cpu_ns_1m live.detectord_ns_1m live.loss_1m live.cpu_ns_max live.detectord_ns_max " \
		"live.loss_max live.max_judged_per_s live.cpu_capacity live.emit_ns " \
		"vm.recorder_idle_cpu vm.recorder_idle_guest_cpu " \
		"vm.recorder_smb_ops_ratio vm.recorder_guest_us_per_request vm.recorder_aod_us_per_request " \
		"vm.recorder_trace_events_per_request pipeline.growth_1x pipeline.rss_after_1x " \
		"pipeline.growth_4x pipeline.rss_after_4x pipeline.growth_16x pipeline.rss_after_16x " \
		"pipeline.peak_rss", order, " ")
}
/^BENCH / {
	split($1, f, " ")
	id = f[2]
	if (f[3] !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/ || f[5] == "")
		next # no number: the figure stays missing
	if (!(id in val))
		seen[++nseen] = id
	val[id] = f[3]; unit[id] = f[4]; target[id] = f[5]; fig[id] = $2; how[id] = $3
}
function row(id) {
	if (!(id in val)) {
		printf "| %s | missing | | | | the benchmark did not report it (see bench-output.log) |\n", id
		return
	}
	printf "| %s | %s %s | %s | %s | %s |\n", fig[id], val[id], unit[id],
		target[id] == "-" ? "-" : target[id] " " unit[id], met(val[id], target[id]), how[id]
	done[id] = 1
}
END {
	print "| figure | value | target | met? | how measured |"
	print "| --- | --- | --- | --- | --- |"
	for (i = 1; i <= norder; i++)
		row(order[i])
	for (i = 1; i <= nseen; i++)
		if (!(seen[i] in done))
			row(seen[i])
}
