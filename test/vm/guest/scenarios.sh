# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the guest's first programs (guest/boot.sh, systemd/run-scenarios.sh)
# once job.env is loaded: run_scenarios OUT runs each scenario named in
# AODVM_SCENARIOS as its own bash process with ART=OUT/<scenario>, writes
# "<scenario> PASS|FAIL <seconds> <exit status>" lines to OUT/verdicts and
# cleans up after each (guest/cleanup.sh).
run_scenarios() { # out
	local out=$1 s art t0 t1 rc secs v
	for s in $AODVM_SCENARIOS; do
		art=$out/$s
		mkdir -p "$art"
		echo "aodvm: scenario $s starting" > /dev/console
		read -r t0 _ < /proc/uptime
		# A scenario is its own process group so that the cleanup below can end
		# whatever it left behind.
		ART=$art timeout -k 5 "${AODVM_SCENARIO_TIMEOUT:-400}" \
			setsid bash "$AODVM_HERE/scenarios/$s.sh" > "$art/scenario.log" 2>&1 < /dev/null
		rc=$?
		read -r t1 _ < /proc/uptime
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
		if [ $rc -eq 0 ]; then v=PASS; else v=FAIL; fi
		[ $rc -eq 124 ] && echo "# the scenario hit its timeout" >> "$art/scenario.log"
		echo "$s $v $secs $rc" >> "$out/verdicts"
		echo "aodvm: scenario $s $v in $secs s" > /dev/console
		bash "$AODVM_HERE/guest/cleanup.sh" >> "$art/cleanup.log" 2>&1
	done
}
