#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Instructions per event under callgrind (exact and repeatable, unlike the
# wall clock on a shared machine): runs bench_instr (bench_instr.c) for each
# piece of work with collection switched on only inside the function that
# does it, and divides the instructions counted there by the events.
#   callgrind.sh BENCH_INSTR
set -euo pipefail
exe=$1
if ! command -v valgrind > /dev/null; then
	echo "callgrind.sh: valgrind is not installed (etc/bootstrap bench installs it)" >&2
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# count WORK PASSES FUNCTION: prints "<instructions> <events>"
count() {
	local out=$tmp/$1.out events ir
	events=$(valgrind --tool=callgrind --callgrind-out-file="$out" \
		--toggle-collect="$3" "$exe" "$1" "$2" 2> "$tmp/$1.log" | awk '$1 == "events" { print $2 }')
	ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$out")
	if [ -z "$events" ] || [ -z "$ir" ]; then
		echo "callgrind.sh: no count for $1" >&2
		cat "$tmp/$1.log" >&2
		exit 1
	fi
	echo "$ir $events"
}

report() { # id figure work passes function
	local ir events
	read -r ir events < <(count "$3" "$4" "$5")
	awk -v id="$1" -v fig="$2" -v ir="$ir" -v ev="$events" -v fn="$5" 'BEGIN {
		printf "BENCH %s %.2f instr/event - | %s | callgrind instructions in %s() over %d events\n",
			id, ir / ev, fig, fn, ev }'
}

report detect.instr_latency "detectord judging, latency handler with summary (1% violations)" latency 20 detect_judge
report detect.instr_error "detectord judging, error handler (30% tracked errnos)" error 20 detect_judge
report ring.instr_event "shared ring, produce + consume one event (one process, batches of 256)" ring 20 "ring_pass*"
