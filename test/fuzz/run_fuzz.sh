#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs a libFuzzer target for a fixed time from a fresh working corpus made
# of the committed seeds (and extra seed files), so the source tree is never
# written to. Exits non-zero on any crash, leak, UB or failed invariant.
#   run_fuzz.sh FUZZER SECONDS WORKDIR SEED_DIR [SEED_FILE...] [-- LIBFUZZER_OPTION...]
set -eu
fuzzer=$1 secs=$2 work=$3 seeds=$4
shift 4
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
cp "$seeds"/* "$work/corpus/"
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	cp "$1" "$work/corpus/"
	shift
done
[ $# -gt 0 ] && shift
exec "$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$work/artifacts/" -print_final_stats=1 "$@" "$work/corpus"
