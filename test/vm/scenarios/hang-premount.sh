#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Issue 16: a share mounted before the supervisor starts is named from
# /proc/fs/cifs/DebugData: kill -STOP of its smbd while a reader waits is an
# anomaly naming \\127.0.0.1\share, its server and address, raised while the
# reader is still blocked.
. "$AODVM_HERE/guest/lib.sh"
. "$AODVM_HERE/guest/anomaly.sh"
. "$AODVM_HERE/guest/hang.sh"

hang_setup_premounted
step "kill -STOP the first smbd (mounted before the supervisor); a read waits"
hang_read "$MNT" $(smb1_pids)
check_hang hang 127.0.0.1 '\\127.0.0.1\share' 1
kill -CONT $(smb1_pids)
wait_until 30 bash -c "! kill -0 $READER 2> /dev/null" || bail "the second read did not finish"
wait "$READER"

aod_stop_checked
finish
