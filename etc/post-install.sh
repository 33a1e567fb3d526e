#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# meson install script, last step: on a live install (no DESTDIR, as root)
# create the aodv2 user and group and the runtime and output directories,
# and let systemd see the unit. Staged installs (DESTDIR, the .deb) leave
# this to the package's postinst.
set -eu
if [ -n "${DESTDIR:-}" ] || [ -n "${MESON_INSTALL_DRY_RUN:-}" ] || [ "$(id -u)" != 0 ]; then
	exit 0
fi
sysusers=$1 tmpfiles=$2 rundir=$3 outputdir=$4
if command -v systemd-sysusers >/dev/null 2>&1; then
	systemd-sysusers "$sysusers"
elif ! getent passwd aodv2 >/dev/null; then
	useradd --system --user-group --no-create-home --home-dir / \
		--shell /usr/sbin/nologin --comment "aodv2 SMB/CIFS diagnostics workers" aodv2
fi
if command -v systemd-tmpfiles >/dev/null 2>&1; then
	systemd-tmpfiles --create "$tmpfiles"
else
	install -d -m 0750 -o root -g aodv2 "$rundir"
	install -d -m 0750 -o aodv2 -g aodv2 "$outputdir"
fi
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
fi
