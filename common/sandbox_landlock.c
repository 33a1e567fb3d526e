// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Landlock half of a worker's confinement (sandbox.h). glibc has no
 * wrappers: the three syscalls go through syscall(2). Only the rights of
 * Landlock ABI 1 and 2 are used (Debian 12's kernel and headers); a newer
 * kernel enforces the same.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

#define SANDBOX_FS_ABI1 ((LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1)
#define SANDBOX_FS_FILE \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE)

/* The rights this kernel knows, 0 without Landlock. */
static uint64_t sandbox_fs_supported(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

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

int sandbox_landlock(const char *name, const struct sandbox_policy *p,
		     const struct aod_config *cfg)
{
	uint64_t handled = p->fs_handled & sandbox_fs_supported();

	if (!handled) {
		log_warn("landlock: not available on this kernel; %s runs without file-system rules",
			 name);
		return 0;
	}
	struct landlock_ruleset_attr ra = { .handled_access_fs = handled };
	int ruleset = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	if (ruleset < 0) {
		int rc = -errno;
		log_error("landlock: %s: cannot create a ruleset: %s", name, strerror(-rc));
		return rc;
	}
	int rc = sandbox_add_paths(ruleset, name, p, cfg, handled);
	if (rc >= 0) {
		log_info("landlock: %s: file rights 0x%llx denied outside %d paths", name,
			 (unsigned long long)handled, rc);
		rc = syscall(SYS_landlock_restrict_self, ruleset, 0) < 0 ? -errno : 0;
		if (rc < 0)
			log_error("landlock: %s: cannot restrict itself: %s", name, strerror(-rc));
	}
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
