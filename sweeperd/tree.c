// SPDX-License-Identifier: GPL-2.0-only
/*
 * The walk is iterative: a heap stack of directories, so any depth costs
 * heap, not C stack. Only the TREE_OPEN_DIRS deepest directories stay open;
 * an ancestor closed meanwhile is reopened through ".." of its child and
 * must be the same directory (device and inode) or the walk stops.
 */
#include "tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Open directories a walk holds at most (file descriptors are bounded). */
#define TREE_OPEN_DIRS 16

struct tree_frame {
	DIR *d;          /* NULL while closed to bound open fds */
	dev_t dev;
	ino_t ino;
	uint64_t seen;   /* entries handed out: where a reopened count resumes */
	bool removed;    /* remove: this pass over d removed something */
	char name[NAME_MAX + 1];
};

struct tree_walk {
	bool remove;
	int top_parent;  /* the caller's dirfd */
	uint64_t bytes;
	int first;       /* first error */
	struct tree_frame *v;
	size_t n, cap;
};

static bool tree_dot(const char *name)
{
	return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

static void tree_error(struct tree_walk *w, int err)
{
	if (!w->first)
		w->first = err;
}

static int tree_parent_fd(const struct tree_walk *w, size_t i)
{
	return i == 0 ? w->top_parent : dirfd(w->v[i - 1].d);
}

/* Opens dir name in parent, refusing symlinks. A directory of ours that
 * we may not enter (mode 000) or empty is given owner rwx first: the
 * sweeper runs without privileges as the owner, so nothing is reached that
 * its user could not change anyway. */
static int tree_open(const struct tree_walk *w, int parent, const char *name,
		     const struct stat *st)
{
	mode_t need = w->remove ? S_IRWXU : S_IRUSR | S_IXUSR;

	if ((st->st_mode & need) != need && st->st_uid == geteuid() &&
	    fchmodat(parent, name, (st->st_mode & 07777) | need, 0) != 0)
		return -errno;
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static DIR *tree_fdopendir(int fd, dev_t dev, ino_t ino, int *err)
{
	struct stat st;
	DIR *d = NULL;

	if (fstat(fd, &st) != 0)
		*err = -errno;
	else if (st.st_dev != dev || st.st_ino != ino)
		*err = -ESTALE; /* swapped while we looked: not ours to walk */
	else if (!(d = fdopendir(fd)))
		*err = -errno;
	if (!d)
		close(fd);
	return d;
}

static int tree_push(struct tree_walk *w, int parent, const char *name, const struct stat *st)
{
	int err = 0;

	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 32;
		struct tree_frame *v = realloc(w->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		w->v = v;
		w->cap = cap;
	}
	int fd = tree_open(w, parent, name, st);
	if (fd < 0)
		return fd;
	struct tree_frame *f = &w->v[w->n];
	*f = (struct tree_frame){ .dev = st->st_dev, .ino = st->st_ino };
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->d = tree_fdopendir(fd, st->st_dev, st->st_ino, &err);
	if (!f->d)
		return err;
	w->n++;
	/* Every frame below the TREE_OPEN_DIRS + 1 deepest is closed: this one
	 * may be open (reopened on the way up since) or closed already. */
	if (w->n > TREE_OPEN_DIRS + 1) {
		struct tree_frame *old = &w->v[w->n - 1 - TREE_OPEN_DIRS - 1];
		if (old->d)
			closedir(old->d);
		old->d = NULL;
	}
	return 0;
}

/* Reopens frame i (closed) through ".." of its open child i + 1. */
static int tree_reopen(struct tree_walk *w, size_t i)
{
	struct tree_frame *f = &w->v[i];
	int err = 0;
	int fd = openat(dirfd(w->v[i + 1].d), "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	f->d = tree_fdopendir(fd, f->dev, f->ino, &err);
	if (!f->d)
		return err;
	if (w->remove) { /* what was removed is gone: a new pass */
		f->seen = 0;
		return 0;
	}
	struct dirent *de;
	for (uint64_t skip = 0; skip < f->seen && (de = readdir(f->d));)
		skip += !tree_dot(de->d_name);
	return 0;
}

/* Leaves the top directory: removes it when removing. */
static void tree_pop(struct tree_walk *w)
{
	size_t i = w->n - 1;
	int rc = i > 0 && !w->v[i - 1].d ? tree_reopen(w, i - 1) : 0;

	closedir(w->v[i].d);
	w->n--;
	if (rc < 0) { /* the rest of the tree is out of reach */
		tree_error(w, rc);
		while (w->n > 0)
			if (w->v[--w->n].d)
				closedir(w->v[w->n].d);
		return;
	}
	if (!w->remove)
		return;
	if (unlinkat(tree_parent_fd(w, i), w->v[i].name, AT_REMOVEDIR) == 0 || errno == ENOENT) {
		if (i > 0)
			w->v[i - 1].removed = true;
	} else {
		tree_error(w, -errno);
	}
}

/* One entry of the top directory: counted, removed, or descended into. */
static void tree_entry(struct tree_walk *w, const char *name)
{
	struct tree_frame *f = &w->v[w->n - 1];
	int fd = dirfd(f->d);
	struct stat st;

	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT) /* gone meanwhile: nothing to count */
			tree_error(w, -errno);
		return;
	}
	w->bytes += (uint64_t)st.st_blocks * 512u;
	if (S_ISDIR(st.st_mode)) {
		int rc = tree_push(w, fd, name, &st);
		if (rc < 0)
			tree_error(w, rc);
	} else if (w->remove) {
		if (unlinkat(fd, name, 0) == 0 || errno == ENOENT)
			f->removed = true;
		else
			tree_error(w, -errno);
	}
}

/* readdir may skip entries while a directory shrinks: a removal repeats
 * passes over a directory until one removes nothing. */
static bool tree_next_pass(struct tree_walk *w)
{
	struct tree_frame *f = &w->v[w->n - 1];

	if (!w->remove || !f->removed)
		return false;
	f->removed = false;
	f->seen = 0;
	rewinddir(f->d);
	return true;
}

static int tree_walk(struct tree_walk *w, int parent, const char *name)
{
	struct stat st;

	w->top_parent = parent;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -errno;
	w->bytes += (uint64_t)st.st_blocks * 512u;
	if (!S_ISDIR(st.st_mode)) {
		if (w->remove && unlinkat(parent, name, 0) != 0 && errno != ENOENT)
			return -errno;
		return 0;
	}
	int rc = tree_push(w, parent, name, &st);
	if (rc < 0) {
		free(w->v);
		return rc;
	}
	while (w->n > 0) {
		struct tree_frame *f = &w->v[w->n - 1];
		errno = 0;
		struct dirent *de = readdir(f->d);
		if (!de && errno)
			tree_error(w, -errno);
		if (!de) {
			if (!tree_next_pass(w))
				tree_pop(w);
			continue;
		}
		if (tree_dot(de->d_name))
			continue;
		f->seen++;
		tree_entry(w, de->d_name);
	}
	free(w->v);
	return w->first;
}

int tree_size(int parent, const char *name, uint64_t *bytes)
{
	struct tree_walk w = { .remove = false };
	int rc = tree_walk(&w, parent, name);

	*bytes = w.bytes;
	return rc;
}

int tree_remove(int parent, const char *name)
{
	struct tree_walk w = { .remove = true };

	return tree_walk(&w, parent, name);
}
