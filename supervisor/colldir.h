/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading the collections in an output directory, for aodctl list and show,
 * with the rights of whoever runs aodctl (root or group aodv2: the output
 * directory is 0750 aodv2:aodv2, its files 0640).
 *
 * Promise: only names aodv2 makes are looked at (aod_<digits>, aod_<digits>.failed and
 * .aod_<digits>.partial); nothing below the output directory is followed
 * through a symlink (every open is openat with O_NOFOLLOW, and a symlinked
 * entry is skipped); what is read is bounded (COLLDIR_MAX_ENTRIES entries,
 * COLLDIR_MAX_FILE bytes of a manifest or summary), and a malformed
 * manifest makes a collection "failed (unreadable manifest)", never an
 * error of the listing.
 */
#ifndef AOD_COLLDIR_H
#define AOD_COLLDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COLLDIR_MAX_ENTRIES 100000
#define COLLDIR_MAX_FILE (1u << 20)

enum colldir_state {
	COLLDIR_COMPLETE,   /* renamed complete, manifest says complete */
	COLLDIR_FAILED,     /* manifest says incomplete, or none could be read */
	COLLDIR_PARTIAL,    /* .aod_<ts>.partial: being collected, or left by a crash */
};

struct colldir_entry {
	char name[80];          /* directory name as on disk */
	uint64_t ts_ns;         /* from the name */
	enum colldir_state state;
	char anomaly[64];       /* "" when unknown (partial, no manifest) */
	char type[16];
	char why[160];          /* failed: the manifest's error, or why it is unreadable */
	uint64_t bytes;         /* regular files directly inside */
};

/* True when name is one aodv2 makes (see above); ts_ns and partial filled. */
bool colldir_name_valid(const char *name, uint64_t *ts_ns, bool *partial);
/* Reads every collection in dir, newest first. *out is malloc'd (free it);
 * Returns the count or -errno (opening dir failed). *truncated tells when
 * there were more than COLLDIR_MAX_ENTRIES. */
int colldir_scan(const char *dir, struct colldir_entry **out, bool *truncated);
/* Reads entry name fully (state, anomaly, size). 0 or -errno (-ENOENT: no
 * such collection; -EINVAL: not a name aodv2 makes). */
int colldir_stat(const char *dir, const char *name, struct colldir_entry *e);
/* Opens file (no symlinks) in collection name under dir and reads at most
 * COLLDIR_MAX_FILE bytes into a malloc'd, NUL-terminated *text. 0 or -errno. */
int colldir_read(const char *dir, const char *name, const char *file, char **text, size_t *len);

#endif
