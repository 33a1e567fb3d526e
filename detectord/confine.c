// SPDX-License-Identifier: GPL-2.0-only
/*
 * What detectord may do once it runs (sandbox.h): judge the ring it was
 * handed and talk to the supervisor. No syscall beyond the workers' base
 * set: no file opened for writing, no socket but syslog's AF_UNIX one, no
 * signal but to itself, no fork or exec. Its file rules: nothing writable or
 * executable anywhere; reading only beneath /etc and /usr (time zone and
 * locale data), so not the collections.
 */
#include <linux/landlock.h>

#include "config.h"
#include "detectord.h"
#include "sandbox.h"

#define DETECTORD_FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)

static size_t detectord_paths(const struct aod_config *cfg, struct sandbox_path out[SANDBOX_MAX_PATHS])
{
	(void)cfg;
	out[0] = (struct sandbox_path){ "/etc", DETECTORD_FS_READ };
	out[1] = (struct sandbox_path){ "/usr", DETECTORD_FS_READ };
	return 2;
}

const struct sandbox_policy detectord_sandbox = {
	.fs_handled = ~0ull,
	.paths = detectord_paths,
};
