#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# etc/bootstrap bench: runs the benchmarks of the suite 'bench' in a release
# build dir (all of them, or the named ones), keeps every figure they report
# in <build>/bench-results.txt (a rerun of one benchmark replaces only its
# figures) and prints the table, also written to <build>/bench-table.md.
#   run-bench.sh BUILD_DIR [BENCHMARK...]   (meson test --benchmark --list)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
shift
results=$build/bench-results.txt
log=$build/bench-output.log
touch "$results"

{
	echo "== $(date -u '+%Y-%m-%d %H:%M UTC') meson test --benchmark --suite bench $*"
	# Benchmarks run one at a time (meson does that for --benchmark). The
	# caller (etc/bootstrap bench) has just built the tree: no rebuild here.
	meson test -C "$build" --benchmark --suite bench --verbose --print-errorlogs --no-rebuild "$@" 2>&1
	echo "== meson test exit status $?"
} | tee -a "$log" | tee "$build/bench-last.log"

new=$(awk -f "$here/bench-lines.awk" "$build/bench-last.log")
if [ -n "$new" ]; then
	# Keep older figures whose id this run did not report.
	ids=$(awk '{ print $2 }' <<< "$new" | sort -u)
	grep -v -F -w -f <(sed 's/^/BENCH /' <<< "$ids") "$results" > "$results.tmp" || true
	printf '%s\n' "$new" >> "$results.tmp"
	mv "$results.tmp" "$results"
fi

os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
load=$(cut -d' ' -f1-3 /proc/loadavg)
{
	echo "aodv2 benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -n): ${os:-Linux}, $(nproc) cores" \
		"(${cpu:-unknown CPU}), kernel $(uname -r), buildtype=release."
	echo "Load average when the table was written: $load. Wall-clock figures depend on what else"
	echo "the machine runs; the callgrind instruction counts do not. Each row is the latest run of its"
	echo "benchmark (bench-output.log in the build dir has every run with its time)."
	[ -n "${AOD_BENCH_NOTE:-}" ] && echo "$AOD_BENCH_NOTE"
	echo
	awk -f "$here/bench-table.awk" "$results"
} > "$build/bench-table.md"
echo
cat "$build/bench-table.md"
