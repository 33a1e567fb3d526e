#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Prints what failed in a VM run, for the last lines of its output (meson
# shows only the end of a failed test's log):
#
#   failed-assertions.sh RUN_DIR SCENARIO...
#
# For each scenario without a PASS verdict in RUN_DIR/verdicts: its first
# "not ok" and "Bail out!" lines with two lines of context either side
# (at most 10 of them; the whole log is printed above and kept in
# RUN_DIR/<scenario>/scenario.log), or, when it failed without a failed
# assertion, its last lines; a scenario that never ended is named with the
# step it was in. Then the guest init's FATAL lines, if any.
set -uo pipefail

run=$1
shift
echo
echo "=============== failed assertions ==============="
for s in "$@"; do
	log=$run/$s/scenario.log
	verdict=$(awk -v s="$s" '$1 == s { print $2 }' "$run/verdicts" 2> /dev/null)
	[ "$verdict" = PASS ] && continue
	if [ -z "$verdict" ] && [ ! -f "$log" ]; then
		echo "--- $s: no verdict: the VM stopped before the scenario began"
	elif [ -z "$verdict" ]; then
		echo "--- $s: no verdict: the VM stopped during: $(grep '^# \[' "$log" | tail -1)"
	else
		echo "--- $s: $verdict"
	fi
	if grep -qE '^(not ok|Bail out)' "$log" 2> /dev/null; then
		grep -m 10 -B 2 -A 2 -E '^(not ok|Bail out)' "$log" | sed "s/^/$s: /"
	elif [ -f "$log" ]; then
		echo "$s: (no failed assertion; the scenario's last lines)"
		tail -n 8 "$log" | sed "s/^/$s: /"
	fi
done
grep -h 'FATAL' "$run/boot.log" 2> /dev/null || true
exit 0
