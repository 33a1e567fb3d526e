#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# meson install script: install-config.sh DIR FILE...
# Puts each FILE into DIR (under $DESTDIR) unless a file of that name is
# already there: an administrator's edited /etc/aodv2/aodv2.yaml is never
# overwritten by a later `meson install`. The shipped default is also
# installed unconditionally under share/aodv2 for comparison.
set -eu
dir=${DESTDIR:-}$1
shift
if [ -n "${MESON_INSTALL_DRY_RUN:-}" ]; then
	echo "Would install $* to $dir unless present"
	exit 0
fi
mkdir -p "$dir"
for f in "$@"; do
	target=$dir/${f##*/}
	if [ -e "$target" ] || [ -L "$target" ]; then
		echo "Keeping existing $target"
	else
		echo "Installing $f to $dir"
		# temporary name + rename: an interrupted install leaves no half file
		cp "$f" "$target.aodv2-new"
		chmod 0644 "$target.aodv2-new"
		mv "$target.aodv2-new" "$target"
	fi
done
