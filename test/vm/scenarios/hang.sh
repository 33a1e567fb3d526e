#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Issue 16, a request that never returns, on two servers: //127.0.0.1/share
# is mounted before the supervisor starts (named from DebugData), a second
# smbd on 127.0.0.2 serves //127.0.0.2/other, mounted while it runs (named
# from the tree connect). kill -STOP of the second smbd while a reader waits
# is an anomaly within the emergency bound plus 2 s, while the reader is
# still blocked, naming the waiting command, server and share; after
# kill -CONT the read completes and raises nothing more. (hang-premount
# stops the first one.)
. "$AODVM_HERE/guest/lib.sh"
. "$AODVM_HERE/guest/anomaly.sh"
. "$AODVM_HERE/guest/hang.sh"

hang_setup_premounted
smb2_start
mount_retry //127.0.0.2/other "$MNT2"
aod_wait_log 10 'share \\\\127\.0\.0\.2\\other .*tree connect' ||
	not_ok "the supervisor did not log the tree connect of //127.0.0.2/other"
check "aodctl status names both shares with their addresses" \
	test "$(aod_json '[.probes.shares[] | select((.share == "\\\\127.0.0.1\\share" and .address == "127.0.0.1") or
		(.share == "\\\\127.0.0.2\\other" and .address == "127.0.0.2"))] | length')" = 2

step "kill -STOP the second smbd; a read waits"
hang_read "$MNT2" $(smb2_pids)
check_hang hang 127.0.0.2 '\\127.0.0.2\other' 1
kill -CONT $(smb2_pids)
wait_until 30 bash -c "! kill -0 $READER 2> /dev/null" || bail "the read did not finish after kill -CONT"
wait "$READER"
check "the read completes after kill -CONT (exit $?)" test $? -eq 0
sleep 3 # two intervals and their grace: the completion is judged
wait_until 60 aod_idle || not_ok "collections still running 60 s after kill -CONT"
# Other requests hung as well (cifs's SMB2_ECHO every 60 s, by a kworker, on
# no share) and are anomalies of their own; the reader's READ is in exactly
# one, the one raised while it waited.
reader_in=$(for d in $(aod_complete); do
	jq -r --arg pid "$READER" '.anomaly.summary.worst[] | select(.comm == "aodhang" and (.pid | tostring) == $pid) |
		"\(.in_flight // false)"' "$AOD_OUT/$d/manifest.json"
done | sort | uniq -c | xargs)
check "the reader's READ is in one anomaly, raised while it waited; its completion raised none ($reader_in)" \
	test "$reader_in" = "1 true"

aod_save hang-end
aod_stop_checked
aod_check_log_clean
finish
