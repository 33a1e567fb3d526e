# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the packaging tests: a few TAP helpers (meson counts each check).
tap_n=0
tap_failed=0
# ok DESCRIPTION COMMAND...: runs COMMAND; its exit status decides.
ok() {
	local desc=$1
	shift
	tap_n=$((tap_n + 1))
	if "$@"; then
		echo "ok $tap_n - $desc"
	else
		echo "not ok $tap_n - $desc"
		tap_failed=$((tap_failed + 1))
	fi
}
# skip_all REASON: the whole test is skipped (meson: SKIP).
skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
# bail REASON: a broken setup, not a failed check.
bail() {
	echo "Bail out! $*"
	exit 1
}
diag() {
	local line
	while IFS= read -r line; do echo "# $line"; done <<<"$*"
}
done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
# build_package BUILD_DEB SOURCE_ROOT BUILD_ROOT VERSION DIR: the package as
# `meson compile deb` builds it, written into DIR; sets $deb to its path.
build_package() {
	deb=$5/aodv2_$4_$(dpkg --print-architecture).deb
	"$1" "$2" "$3" "$4" "$deb" >"$5/build-deb.log" 2>&1 || {
		diag "$(tail -n 40 "$5/build-deb.log")"
		bail "building the package failed"
	}
}
