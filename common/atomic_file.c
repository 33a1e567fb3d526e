// SPDX-License-Identifier: GPL-2.0-only
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "writeall.h"

static int atomic_file_fill(int fd, const char *buf, size_t len)
{
	int rc = writeall_fd(fd, buf, len);
	if (rc < 0)
		return rc;
	return fsync(fd) == 0 ? 0 : -errno;
}

int atomic_file_write(int dirfd, const char *name, const void *buf, size_t len, mode_t mode)
{
	char tmp[256];

	if (snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	unlinkat(dirfd, tmp, 0); /* a leftover of a crashed writer */
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	int rc = fchmod(fd, mode) == 0 ? atomic_file_fill(fd, buf, len) : -errno;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && renameat(dirfd, tmp, dirfd, name) != 0)
		rc = -errno;
	if (rc < 0)
		unlinkat(dirfd, tmp, 0);
	return rc;
}
