/* SPDX-License-Identifier: GPL-2.0-only
 *
 * A worker's confinement, in the spirit of OpenBSD's pledge and unveil: each
 * worker describes what it needs in its own folder (a struct sandbox_policy)
 * and the worker skeleton (wproc.h) installs it once.
 *
 * What the module promises:
 *  - sandbox_seccomp: a seccomp filter (libseccomp) allowing the base set
 *    every worker needs (reading and writing open fds, its event loop,
 *    memory, time, its own signals, logging to syslog) plus the policy's own
 *    syscalls; any other syscall kills the whole process (SIGSYS), which the
 *    supervisor sees as a death, logs and restarts. Argument filters:
 *    socket() only in the policy's address families (AF_UNIX always, for
 *    syslog); open()/openat() read-only unless the policy allows writes;
 *    kill()/tgkill() only at the worker itself unless the policy allows
 *    signalling others. The filter is inherited by whatever the worker
 *    forks and execs. What was installed is logged once, before it applies.
 *  - sandbox_landlock: Landlock rules (best effort, as far as the kernel's
 *    ABI goes): the file rights the policy handles are denied everywhere
 *    except beneath the paths its paths hook names for the applied config;
 *    for every worker, TCP bind and connect denied (ABI 4) and signals and
 *    abstract unix sockets kept inside its domain (ABI 6: it and what it
 *    forks). The ABI and what applied are logged once. A kernel without
 *    Landlock is logged once and is not an error.
 * Both return 0 or -errno (logged here).
 */
#ifndef AOD_SANDBOX_H
#define AOD_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct aod_config;

#define SANDBOX_MAX_PATHS 12

/* what a policy allows beyond the base set */
enum {
	SANDBOX_OPEN_WRITE = 1u << 0,    /* open()/openat() with any flags */
	/* kill()/tgkill() at any pid: of the worker's own PID namespace,
	 * where the supervisor starts it as init */
	SANDBOX_SIGNAL_OTHERS = 1u << 1,
};

struct sandbox_path {
	const char *path;
	uint64_t access; /* LANDLOCK_ACCESS_FS_* beneath it */
};

struct sandbox_policy {
	const int *syscalls; /* SCMP_SYS() numbers beyond the base set */
	size_t nsyscalls;
	const int *families; /* socket() domains beyond AF_UNIX */
	size_t nfamilies;
	unsigned flags;      /* SANDBOX_* */
	/* Landlock: the LANDLOCK_ACCESS_FS_* rights denied outside paths() */
	uint64_t fs_handled;
	/* Fills out[] with the paths the rights are granted beneath for cfg;
	 * returns how many. NULL: none. */
	size_t (*paths)(const struct aod_config *cfg, struct sandbox_path out[SANDBOX_MAX_PATHS]);
};

int sandbox_seccomp(const char *name, const struct sandbox_policy *p);
int sandbox_landlock(const char *name, const struct sandbox_policy *p,
		     const struct aod_config *cfg);
/* True when the file rules for a and b name different paths. */
bool sandbox_paths_differ(const struct sandbox_policy *p, const struct aod_config *a,
			  const struct aod_config *b);
/* True once sandbox_seccomp installed this process's filter (the skeleton
 * confined it): its file rules follow at the first config. A worker run
 * in-process by a test gets neither, whatever filter its runner has. */
bool sandbox_confined(void);

#endif
