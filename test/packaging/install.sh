#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# install.sh BUILD_ROOT SOURCE_ROOT
# `meson install` of this build dir into a DESTDIR, as configured (the
# directories come from etc/meson.build through the environment: AOD_SBINDIR,
# AOD_BINDIR, AOD_LIBEXECDIR, AOD_CONFIGDIR, AOD_DROPINDIR, AOD_UNITDIR,
# AOD_SYSUSERSDIR, AOD_TMPFILESDIR, AOD_DATADIR, AOD_MANDIR): every file lands
# where the issue and the unit expect it; the sysusers.d and tmpfiles.d
# entries create the aodv2 user and group and /run/aodv2 and /var/log/aodv2
# with their owners and modes (applied to a throwaway root); and a second
# install keeps an edited /etc/aodv2/aodv2.yaml and example fragment.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
d=$tmp/dest

# install_into DIR: meson install with DESTDIR; the output goes to DIR.log.
install_into() {
	# MESON_* from `meson test` would point the install scripts elsewhere
	env -u MESON_SOURCE_ROOT -u MESON_BUILD_ROOT -u MESON_SUBDIR DESTDIR="$1" \
		meson install -C "$build" --no-rebuild >"$1.log" 2>&1
}
install_into "$d" || { diag "$(tail -n 30 "$d.log")"; bail "meson install into DESTDIR failed"; }

# 1. the layout
exe() { test -f "$d$1" -a -x "$d$1"; }
ok "aodv2-supervisor in sbin ($AOD_SBINDIR)" exe "$AOD_SBINDIR/aodv2-supervisor"
ok "aodctl in bin ($AOD_BINDIR), where the aodv2 group's PATH finds it" exe "$AOD_BINDIR/aodctl"
for w in detectord collectord sweeperd; do
	ok "aodv2-$w in libexec ($AOD_LIBEXECDIR)" exe "$AOD_LIBEXECDIR/aodv2-$w"
done
ok "the workers' directory is the one the supervisor looks in" \
	grep -qF "$AOD_LIBEXECDIR" "$d$AOD_SBINDIR/aodv2-supervisor"
# The supervisor and aodctl read their defaults from there, whatever the prefix.
help=$("$build/supervisor/aodv2-supervisor" --help 2>&1)
ok "the config is where the supervisor looks by default" \
	grep -qF "base config (default $AOD_CONFIGDIR/aodv2.yaml)" <<<"$help"
ok "the drop-in dir is where the supervisor looks by default" \
	grep -qF "drop-in directory (default $AOD_DROPINDIR;" <<<"$help"
ok "config at $AOD_CONFIGDIR/aodv2.yaml is etc/aodv2.yaml" cmp -s "$d$AOD_CONFIGDIR/aodv2.yaml" "$src/etc/aodv2.yaml"
ok "config readable by all, writable by root only (0644)" test "$(stat -c %a "$d$AOD_CONFIGDIR/aodv2.yaml")" = 644
ok "the shipped default also in $AOD_DATADIR/aodv2" cmp -s "$d$AOD_DATADIR/aodv2/aodv2.yaml" "$src/etc/aodv2.yaml"
ok "drop-in dir holds only the example fragment" test "$(ls -A "$d$AOD_DROPINDIR")" = 10-example.yaml
ok "the example fragment is all comments (it changes nothing)" \
	bash -c '! grep -vqE "^[[:space:]]*(#|$)" "$1"' _ "$d$AOD_DROPINDIR/10-example.yaml"
# and it is an example that works once uncommented
mkdir -p "$tmp/frag"
sed -E 's/^# ?//' "$d$AOD_DROPINDIR/10-example.yaml" | sed -n '/^guardian:/,$p' >"$tmp/frag/10-example.yaml"
ok "the example has a YAML part" grep -q '^guardian:' "$tmp/frag/10-example.yaml"
quiet() { "$@" >"$tmp/quiet.log" 2>&1 || { diag "$(cat "$tmp/quiet.log")"; return 1; }; }
ok "the example, uncommented, is a valid fragment" quiet \
	"$build/supervisor/aodv2-supervisor" --check-config -c "$src/etc/aodv2.yaml" -d "$tmp/frag"
# a typo'd key in a fragment: refused with exit 78, naming the fragment and the line
mkdir -p "$tmp/typo"
printf 'guardian:\n  anomalies:\n    latency:\n      acceptable_cont: 5\n' >"$tmp/typo/50-typo.yaml"
rc=0
"$build/supervisor/aodv2-supervisor" --check-config -c "$src/etc/aodv2.yaml" -d "$tmp/typo" \
	>"$tmp/typo.out" 2>&1 || rc=$?
ok "--check-config refuses a fragment with a typo'd key with exit 78 (got $rc)" test "$rc" = 78
ok "... saying file:line: unknown key" \
	grep -qF "$tmp/typo/50-typo.yaml:4: unknown key 'acceptable_cont'" "$tmp/typo.out"
ok "... and prints no effective config" bash -c '! grep -q "^watch_interval_sec:" "$1"' _ "$tmp/typo.out"
unit=$d$AOD_UNITDIR/aodv2-supervisor.service
ok "unit in $AOD_UNITDIR" test -f "$unit"
exec_bin=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
ok "the unit's ExecStart ($exec_bin) is the installed supervisor" test "$exec_bin" = "$AOD_SBINDIR/aodv2-supervisor"
ok "the unit reads the installed config and drop-in dir" \
	grep -qxF "ExecStart=$AOD_SBINDIR/aodv2-supervisor -c $AOD_CONFIGDIR/aodv2.yaml -d $AOD_DROPINDIR" "$unit"
ok "sysusers.d entry in $AOD_SYSUSERSDIR" test -f "$d$AOD_SYSUSERSDIR/aodv2.conf"
ok "tmpfiles.d entry in $AOD_TMPFILESDIR" test -f "$d$AOD_TMPFILESDIR/aodv2.conf"
for page in man8/aodv2-supervisor.8 man8/aodctl.8 man5/aodv2.yaml.5; do
	ok "man page $AOD_MANDIR/$page" test -s "$d$AOD_MANDIR/$page"
done
ok "man pages name the installed paths" grep -qF "$AOD_CONFIGDIR/aodv2.yaml" "$d$AOD_MANDIR/man8/aodv2-supervisor.8"
ok "nothing installed under /var or /run (tmpfiles.d creates them)" test ! -e "$d/var" -a ! -e "$d/run"

# 2. the sysusers.d and tmpfiles.d entries, applied to an empty root
if command -v systemd-sysusers >/dev/null && command -v systemd-tmpfiles >/dev/null; then
	r=$tmp/sysroot
	mkdir -p "$r/etc"
	printf 'root:x:0:0:root:/root:/bin/bash\n' >"$r/etc/passwd"
	printf 'root:x:0:\n' >"$r/etc/group"
	systemd-sysusers --root="$r" "$d$AOD_SYSUSERSDIR/aodv2.conf" >"$tmp/sysusers.log" 2>&1
	ok "systemd-sysusers accepts the entry" test $? -eq 0
	uid=$(awk -F: '$1 == "aodv2" { print $3 }' "$r/etc/passwd")
	gid=$(awk -F: '$1 == "aodv2" { print $3 }' "$r/etc/group")
	ok "it creates the system user aodv2 (uid $uid)" test -n "$uid" -a "${uid:-1000}" -lt 1000
	ok "and the group aodv2 (gid $gid), its primary group" \
		test -n "$gid" -a "$(awk -F: '$1 == "aodv2" { print $4 }' "$r/etc/passwd")" = "$gid"
	ok "aodv2 cannot log in" test "$(awk -F: '$1 == "aodv2" { print $7 }' "$r/etc/passwd")" = /usr/sbin/nologin
	systemd-tmpfiles --root="$r" --create "$d$AOD_TMPFILESDIR/aodv2.conf" >"$tmp/tmpfiles.log" 2>&1
	ok "systemd-tmpfiles accepts the entry" test $? -eq 0
	diag "$(cat "$tmp/sysusers.log" "$tmp/tmpfiles.log")"
	ok "/run/aodv2 is root:aodv2 0750 (only the group reaches the socket)" \
		test "$(stat -c '%u:%g %a' "$r/run/aodv2" 2>/dev/null)" = "0:$gid 750"
	ok "/var/log/aodv2 is aodv2:aodv2 0750" \
		test "$(stat -c '%u:%g %a' "$r/var/log/aodv2" 2>/dev/null)" = "$uid:$gid 750"
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP systemd-sysusers/systemd-tmpfiles not installed (package systemd)"
fi

# 3. a second install never overwrites what the administrator edited
echo "watch_interval_sec: 0.5 # edited" >>"$d$AOD_CONFIGDIR/aodv2.yaml"
echo "# my note" >>"$d$AOD_DROPINDIR/10-example.yaml"
echo "watch_interval_sec: 2" >"$d$AOD_DROPINDIR/50-local.yaml"
config_sum=$(sha256sum <"$d$AOD_CONFIGDIR/aodv2.yaml")
example_sum=$(sha256sum <"$d$AOD_DROPINDIR/10-example.yaml")
echo "stale" >"$d$AOD_DATADIR/aodv2/aodv2.yaml"
rm "$d$AOD_SBINDIR/aodv2-supervisor"
install_into "$d" || { diag "$(tail -n 30 "$d.log")"; bail "second meson install failed"; }
ok "second install: edited aodv2.yaml kept" test "$(sha256sum <"$d$AOD_CONFIGDIR/aodv2.yaml")" = "$config_sum"
ok "second install: edited example fragment kept" test "$(sha256sum <"$d$AOD_DROPINDIR/10-example.yaml")" = "$example_sum"
ok "second install: the administrator's fragment kept" test -f "$d$AOD_DROPINDIR/50-local.yaml"
ok "second install: no temporary file left" bash -c '! ls -A "$1" "$2" | grep -q aodv2-new' _ \
	"$d$AOD_CONFIGDIR" "$d$AOD_DROPINDIR"
ok "second install: the reference copy is current" cmp -s "$d$AOD_DATADIR/aodv2/aodv2.yaml" "$src/etc/aodv2.yaml"
ok "second install: executables are installed again" exe "$AOD_SBINDIR/aodv2-supervisor"

# a config replaced by a symlink (say, to a config management checkout) stays
mv "$d$AOD_CONFIGDIR/aodv2.yaml" "$tmp/managed.yaml"
ln -s "$tmp/managed.yaml" "$d$AOD_CONFIGDIR/aodv2.yaml"
install_into "$d" || bail "third meson install failed"
ok "a symlinked config is left alone" test "$(readlink "$d$AOD_CONFIGDIR/aodv2.yaml")" = "$tmp/managed.yaml"
# a deleted one comes back with the default
rm "$d$AOD_CONFIGDIR/aodv2.yaml"
install_into "$d" || bail "fourth meson install failed"
ok "a deleted config is installed again" cmp -s "$d$AOD_CONFIGDIR/aodv2.yaml" "$src/etc/aodv2.yaml"
done_testing
