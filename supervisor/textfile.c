// SPDX-License-Identifier: GPL-2.0-only
#include "textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int textfile_replace(const char *path, const char *text, size_t len)
{
	char dir[PATH_MAX], tmp[NAME_MAX + 1];
	const char *base = strrchr(path, '/');
	int dfd, fd, rc;

	if (!base || !base[1] || (size_t)(base - path) >= sizeof(dir))
		return -EINVAL;
	memcpy(dir, path, (size_t)(base - path));
	dir[base - path] = '\0';
	base++;
	if (snprintf(tmp, sizeof(tmp), ".%s.%d.tmp", base, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	unlinkat(dfd, tmp, 0); /* a leftover of a crashed round */
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		close(dfd);
		return rc;
	}
	rc = write_all(fd, text, len);
	if (!rc && fchmod(fd, 0644) != 0) /* whatever the umask: node_exporter reads it */
		rc = -errno;
	if (close(fd) != 0 && !rc)
		rc = -errno;
	if (!rc && renameat(dfd, tmp, dfd, base) != 0)
		rc = -errno;
	if (rc)
		unlinkat(dfd, tmp, 0);
	close(dfd);
	return rc;
}
