#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# man.sh BUILD_ROOT PAGE...
# The man pages render without a groff warning, and each program's page
# names every option its --help lists (when the program is built).
set -uo pipefail
. "$(dirname "$0")/tap.sh"
build=$1
shift
command -v groff >/dev/null || skip_all "groff is not installed (package groff-base)"

for page in "$@"; do
	name=${page##*/}
	out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1)
	ok "$name renders without warnings" test -z "$out"
	[ -n "$out" ] && diag "$out"
	ok "$name has NAME, SYNOPSIS, DESCRIPTION, SEE ALSO" bash -c \
		'for s in NAME SYNOPSIS DESCRIPTION "SEE ALSO"; do grep -q "^\.SH $s\$" "$1" || exit 1; done' _ "$page"
	ok "$name: no unsubstituted @variable@" bash -c '! grep -n "@[a-z_]*@" "$1"' _ "$page"
done

# options PROGRAM: every --long option its --help mentions
options() { "$1" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]+' | sort -u; }
check_options() { # PROGRAM PAGE
	local prog=$1 page=$2 opt
	if [ ! -x "$prog" ]; then
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # SKIP ${prog##*/} is not built"
		return
	fi
	local opts
	opts=$(options "$prog")
	ok "${prog##*/} --help lists options" test -n "$opts"
	for opt in $opts; do
		# roff writes a hyphen in an option as \-
		ok "${page##*/} documents $opt" grep -qF -- "${opt//-/\\-}" "$page"
	done
}
for page in "$@"; do
	case ${page##*/} in
	aodv2-supervisor.8) check_options "$build/supervisor/aodv2-supervisor" "$page" ;;
	aodctl.8) check_options "$build/supervisor/aodctl" "$page" ;;
	esac
done
done_testing
