// SPDX-License-Identifier: GPL-2.0-only
#include "outdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static int mkdir_p(const char *dir, mode_t mode)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, mode) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int outdir_prepare(const char *dir, uid_t uid, gid_t gid, const char *user)
{
	int rc = mkdir_p(dir, 0750);
	if (rc < 0) {
		log_error("cannot create output directory %s: %s", dir, strerror(-rc));
		return rc;
	}
	if (geteuid() != 0)
		return 0;
	/* Through an fd that did not follow a symlink. Under the unit,
	 * systemd-tmpfiles has already made it the service user's: then no
	 * chown, which would need CAP_CHOWN even to keep the same owner. */
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = -errno;
		log_error("cannot open output directory %s: %s", dir, strerror(errno));
	} else if ((st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid) != 0) {
		rc = -errno;
		log_error("cannot hand output directory %s to %s: %s", dir, user, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return rc;
}
