// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Landlock half of a worker's confinement (sandbox.h). glibc has no
 * wrappers: the three syscalls go through syscall(2). File rights of ABI 1
 * and 2 (Debian 12's kernel and headers); on newer kernels also TCP (ABI 4)
 * and scoping (ABI 6), whose constants and ruleset fields Debian 12's
 * 6.1 headers lack, so they are defined here.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

#define SANDBOX_FS_ABI1 ((LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1)
#define SANDBOX_FS_FILE \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE)

/* uapi/linux/landlock.h of Linux 6.7 (ABI 4) and 6.12 (ABI 6) */
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif
#define SANDBOX_ABI_NET 4
#define SANDBOX_ABI_SCOPE 6

/* struct landlock_ruleset_attr as of ABI 6; the kernel is told how much of
 * it this kernel knows (older ones refuse a larger size with nonzero
 * fields: E2BIG). */
struct sandbox_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;             /* ABI 6 */
};

/* What every worker is denied on a kernel that can: no worker, and none of
 * collectord's actions, binds or connects a TCP port (their seccomp filter
 * already refuses IP sockets; this holds if a filter ever lets one
 * through); none signals a process outside its domain (its actions are
 * inside: they inherit it) nor connects to an abstract unix socket
 * (syslog's /dev/log is a pathname one). */
#define SANDBOX_NET (LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP)
#define SANDBOX_SCOPE (LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL)

static long sandbox_abi(void)
{
	return syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
}

/* The rights this kernel knows, 0 without Landlock. */
static uint64_t sandbox_fs_supported(long abi)
{
	if (abi < 1)
		return 0;
	return abi == 1 ? SANDBOX_FS_ABI1 : SANDBOX_FS_ABI1 | LANDLOCK_ACCESS_FS_REFER;
}

/* A path that does not exist grants nothing (logged by the caller). */
static int sandbox_add_path(int ruleset, const struct sandbox_path *sp, uint64_t handled)
{
	struct landlock_path_beneath_attr attr = { .allowed_access = sp->access & handled };
	struct stat st;
	int fd = open(sp->path, O_PATH | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		attr.allowed_access &= SANDBOX_FS_FILE;
	attr.parent_fd = fd;
	int rc = attr.allowed_access == 0 ? 0
		 : (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &attr, 0);
	if (rc < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int sandbox_add_paths(int ruleset, const char *name, const struct sandbox_policy *p,
			     const struct aod_config *cfg, uint64_t handled)
{
	struct sandbox_path paths[SANDBOX_MAX_PATHS];
	size_t n = p->paths ? p->paths(cfg, paths) : 0;

	for (size_t i = 0; i < n; i++) {
		int rc = sandbox_add_path(ruleset, &paths[i], handled);
		if (rc == -ENOENT) {
			log_debug("landlock: %s: %s does not exist, no rule for it", name, paths[i].path);
			continue;
		}
		if (rc < 0) {
			log_error("landlock: %s: cannot add a rule for %s: %s", name, paths[i].path,
				  strerror(-rc));
			return rc;
		}
	}
	return (int)n;
}

/* The ruleset for this kernel's ABI; its attr size, 0 without Landlock. */
static size_t sandbox_ruleset_attr(long abi, const struct sandbox_policy *p,
				   struct sandbox_ruleset_attr *ra)
{
	*ra = (struct sandbox_ruleset_attr){ .handled_access_fs = p->fs_handled &
								  sandbox_fs_supported(abi) };
	if (abi >= SANDBOX_ABI_SCOPE) {
		ra->handled_access_net = SANDBOX_NET;
		ra->scoped = SANDBOX_SCOPE;
		return sizeof(*ra);
	}
	if (abi >= SANDBOX_ABI_NET) {
		ra->handled_access_net = SANDBOX_NET;
		return offsetof(struct sandbox_ruleset_attr, scoped);
	}
	return ra->handled_access_fs ? offsetof(struct sandbox_ruleset_attr, handled_access_net) : 0;
}

static int sandbox_restrict(const char *name, long abi, const struct sandbox_ruleset_attr *ra,
			    int npaths, int ruleset)
{
	log_info("landlock: %s: ABI %ld: file rights 0x%llx denied outside %d paths; TCP bind "
		 "and connect %s; signals and abstract unix sockets %s",
		 name, abi, (unsigned long long)ra->handled_access_fs, npaths,
		 ra->handled_access_net ? "denied" : "not restricted (needs ABI 4)",
		 ra->scoped ? "kept inside its domain" : "not scoped (needs ABI 6)");
	int rc = syscall(SYS_landlock_restrict_self, ruleset, 0) < 0 ? -errno : 0;
	if (rc < 0)
		log_error("landlock: %s: cannot restrict itself: %s", name, strerror(-rc));
	return rc;
}

int sandbox_landlock(const char *name, const struct sandbox_policy *p,
		     const struct aod_config *cfg)
{
	struct sandbox_ruleset_attr ra;
	long abi = sandbox_abi();
	size_t size = sandbox_ruleset_attr(abi, p, &ra);

	if (!size) {
		log_warn("landlock: not available on this kernel; %s runs without file-system rules",
			 name);
		return 0;
	}
	int ruleset = (int)syscall(SYS_landlock_create_ruleset, &ra, size, 0);
	if (ruleset < 0) {
		int rc = -errno;
		log_error("landlock: %s: cannot create a ruleset: %s", name, strerror(-rc));
		return rc;
	}
	int rc = sandbox_add_paths(ruleset, name, p, cfg, ra.handled_access_fs);
	if (rc >= 0)
		rc = sandbox_restrict(name, abi, &ra, rc, ruleset);
	close(ruleset);
	return rc;
}

bool sandbox_paths_differ(const struct sandbox_policy *p, const struct aod_config *a,
			  const struct aod_config *b)
{
	struct sandbox_path pa[SANDBOX_MAX_PATHS], pb[SANDBOX_MAX_PATHS];
	size_t na = p->paths ? p->paths(a, pa) : 0;
	size_t nb = p->paths ? p->paths(b, pb) : 0;

	if (na != nb)
		return true;
	for (size_t i = 0; i < na; i++)
		if (strcmp(pa[i].path, pb[i].path) != 0 || pa[i].access != pb[i].access)
			return true;
	return false;
}
