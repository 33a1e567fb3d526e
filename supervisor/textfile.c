// SPDX-License-Identifier: GPL-2.0-only
#include "textfile.h"
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int textfile_replace(const char *path, const char *text, size_t len)
{
	char dir[PATH_MAX];
	const char *base = strrchr(path, '/');

	if (!base || !base[1] || (size_t)(base - path) >= sizeof(dir))
		return -EINVAL;
	memcpy(dir, path, (size_t)(base - path));
	dir[base - path] = '\0';
	int dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	/* 0644 whatever the umask: node_exporter reads it */
	int rc = atomic_file_write(dfd, base + 1, text, len, 0644);
	close(dfd);
	return rc;
}
