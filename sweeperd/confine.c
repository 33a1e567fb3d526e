// SPDX-License-Identifier: GPL-2.0-only
/*
 * What sweeperd may do once it runs (sandbox.h): walk the output directory
 * and delete collections in it. Beyond the workers' base set: unlinkat and
 * fchmodat (a collection of mode 000 is made deletable first); files opened
 * read-only, no socket but syslog's, no signal but to itself, no fork or
 * exec. Its file rules: reading and removing beneath aod_output_dir only
 * (plus reading /etc and /usr: time zone and locale data); nothing created
 * or written anywhere.
 */
#include <linux/landlock.h>
#include <seccomp.h>

#include "config.h"
#include "sandbox.h"
#include "worker.h"

#define SWEEPERD_FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define SWEEPERD_FS_DELETE (LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR)

static const int sweeperd_syscalls[] = {
	SCMP_SYS(unlinkat), SCMP_SYS(fchmodat), SCMP_SYS(fchmod), SCMP_SYS(fstatfs),
	SCMP_SYS(statfs),
};

static size_t sweeperd_paths(const struct aod_config *cfg, struct sandbox_path out[SANDBOX_MAX_PATHS])
{
	out[0] = (struct sandbox_path){ "/etc", SWEEPERD_FS_READ };
	out[1] = (struct sandbox_path){ "/usr", SWEEPERD_FS_READ };
	out[2] = (struct sandbox_path){ cfg->output_dir, SWEEPERD_FS_READ | SWEEPERD_FS_DELETE };
	return 3;
}

const struct sandbox_policy sweeperd_sandbox = {
	.syscalls = sweeperd_syscalls,
	.nsyscalls = sizeof(sweeperd_syscalls) / sizeof(sweeperd_syscalls[0]),
	.fs_handled = ~0ull,
	.paths = sweeperd_paths,
};
