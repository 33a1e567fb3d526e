/* SPDX-License-Identifier: GPL-2.0-only */
/* aodctl's exit statuses (documented in --help and aodctl(8)). */
#ifndef AODCTL_EXIT_H
#define AODCTL_EXIT_H

enum {
	AODCTL_OK = 0,
	AODCTL_FAILED = 1,
	AODCTL_USAGE = 2,
	AODCTL_UNREACHABLE = 3,
	AODCTL_DENIED = 4,
	AODCTL_PROTOCOL = 5,
	AODCTL_CONFIG = 78,
};

#endif
