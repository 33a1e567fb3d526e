// SPDX-License-Identifier: GPL-2.0-only
#include "tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool tree_dot(const char *name)
{
	return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

/* Opens name in parent as a directory stream, refusing symlinks. */
static DIR *tree_opendir(int parent, const char *name)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	DIR *d = fdopendir(fd);
	if (!d) {
		int err = errno;
		close(fd);
		errno = err;
	}
	return d;
}

static int tree_size_at(int parent, const char *name, unsigned depth, uint64_t *bytes)
{
	struct stat st;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -errno; /* gone meanwhile: nothing to count */
	*bytes += (uint64_t)st.st_blocks * 512u;
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (depth >= TREE_MAX_DEPTH)
		return -ELOOP;
	DIR *d = tree_opendir(parent, name);
	if (!d)
		return -errno;
	int first = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (tree_dot(de->d_name))
			continue;
		int rc = tree_size_at(dirfd(d), de->d_name, depth + 1, bytes);
		if (rc < 0 && !first)
			first = rc;
	}
	closedir(d);
	return first;
}

int tree_size(int parent, const char *name, uint64_t *bytes)
{
	*bytes = 0;
	return tree_size_at(parent, name, 0, bytes);
}

/* Removes the entries of the open directory d; true when a pass removed
 * something (readdir may skip entries while the directory shrinks, so the
 * caller repeats until a pass removes nothing). */
static bool tree_empty_pass(DIR *d, unsigned depth, int *first);

static int tree_remove_at(int parent, const char *name, unsigned depth)
{
	struct stat st;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(parent, name, 0) == 0 || errno == ENOENT ? 0 : -errno;
	if (depth >= TREE_MAX_DEPTH)
		return -ELOOP;
	DIR *d = tree_opendir(parent, name);
	if (!d)
		return -errno;
	int first = 0;
	while (tree_empty_pass(d, depth, &first))
		rewinddir(d);
	closedir(d);
	if (unlinkat(parent, name, AT_REMOVEDIR) != 0 && errno != ENOENT && !first)
		first = -errno;
	return first;
}

static bool tree_empty_pass(DIR *d, unsigned depth, int *first)
{
	bool removed = false;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (tree_dot(de->d_name))
			continue;
		int rc = tree_remove_at(dirfd(d), de->d_name, depth + 1);
		if (rc == 0)
			removed = true;
		else if (!*first)
			*first = rc;
	}
	return removed;
}

int tree_remove(int parent, const char *name)
{
	return tree_remove_at(parent, name, 0);
}
