// SPDX-License-Identifier: GPL-2.0-only
#include "outdir.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "safedir.h"

int outdir_prepare(const char *dir, uid_t uid, gid_t gid, const char *user)
{
	char bad[4096], why[4400];
	bool created = false;
	int fd = safedir_open(dir, true, 0750, &created, bad, sizeof(bad));
	if (fd < 0) {
		safedir_explain(fd, bad, why, sizeof(why));
		log_error("cannot prepare output directory %s: %s", dir, why);
		return fd;
	}
	/* On the fd the walk opened without following a symlink. Under the
	 * unit, systemd-tmpfiles has already made it the service user's: then
	 * no chown, which would need CAP_CHOWN even to keep the same owner. */
	int rc = 0;
	struct stat st;
	if (geteuid() == 0) {
		if (fstat(fd, &st) != 0) {
			rc = -errno;
			log_error("cannot stat output directory %s: %s", dir, strerror(errno));
		} else if ((st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid) != 0) {
			rc = -errno;
			log_error("cannot hand output directory %s to %s: %s", dir, user, strerror(errno));
		}
	}
	close(fd);
	return rc;
}
