// SPDX-License-Identifier: GPL-2.0-only
/* Symlink-free directory walks for the root supervisor (safedir.h). */
#include "safedir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SAFEDIR_OPEN (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* Why at could not be opened as a directory: a symlink, something else, or err. */
static int safedir_why(int at, const char *name, int err)
{
	struct stat st;

	if (err != ELOOP && err != ENOTDIR)
		return -err;
	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return -err;
	return S_ISLNK(st.st_mode) ? -ELOOP : -ENOTDIR;
}

/* Opens (or makes, then opens) one component below at. */
static int safedir_step(int at, const char *name, bool create, mode_t mode, bool *made)
{
	*made = false;
	int fd = openat(at, name, SAFEDIR_OPEN);
	if (fd >= 0 || errno != ENOENT || !create)
		return fd >= 0 ? fd : safedir_why(at, name, errno);
	if (mkdirat(at, name, mode) != 0 && errno != EEXIST)
		return -errno;
	*made = errno != EEXIST;
	fd = openat(at, name, SAFEDIR_OPEN);
	if (fd < 0)
		return safedir_why(at, name, errno);
	/* mkdirat's mode went through the umask; the caller asked for mode. */
	if (*made && fchmod(fd, mode) != 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int safedir_open(const char *path, bool create, mode_t mode, bool *created, char *bad,
		 size_t bad_len)
{
	char buf[4096];
	bool made = false;

	snprintf(bad, bad_len, "%s", path);
	if (path[0] != '/')
		return -EINVAL;
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	int fd = open("/", SAFEDIR_OPEN);
	if (fd < 0)
		return -errno;
	char *save = NULL;
	for (char *name = strtok_r(buf + 1, "/", &save); name; name = strtok_r(NULL, "/", &save)) {
		bool last = save == NULL || strspn(save, "/") == strlen(save);
		int next = safedir_step(fd, name, create, last ? mode : 0755, &made);
		close(fd);
		if (next < 0) {
			/* name ends where the walk stopped: that prefix is the culprit */
			snprintf(bad, bad_len, "%.*s", (int)(name - buf + strlen(name)), path);
			return next;
		}
		fd = next;
	}
	if (created)
		*created = made;
	return fd;
}

void safedir_explain(int err, const char *bad, char *buf, size_t len)
{
	if (err == -ELOOP)
		snprintf(buf, len, "%s is a symbolic link (a directory the supervisor changes as root "
			 "is never reached through one: name the real directory)", bad);
	else if (err == -ENOTDIR)
		snprintf(buf, len, "%s is not a directory", bad);
	else if (err == -EINVAL)
		snprintf(buf, len, "%s is not an absolute path", bad);
	else
		snprintf(buf, len, "%s: %s", bad, strerror(-err));
}
