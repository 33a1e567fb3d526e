/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading the collections in an output directory, for aodctl list and show,
 * with the rights of whoever runs aodctl (root or group aodv2: the output
 * directory is 0750 aodv2:aodv2, its files 0640).
 *
 * Promise: only names aodv2 makes are looked at (aod_<digits> and
 * .aod_<digits>.partial); nothing below the output directory is followed
 * through a symlink (every open is openat with O_NOFOLLOW, and a symlinked
 * entry is skipped); what is read is bounded (OUTDIR_MAX_ENTRIES entries,
 * OUTDIR_MAX_FILE bytes of a manifest or summary), and a malformed
 * manifest makes a collection "failed (unreadable manifest)", never an
 * error of the listing.
 */
#ifndef AOD_OUTDIR_H
#define AOD_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OUTDIR_MAX_ENTRIES 100000
#define OUTDIR_MAX_FILE (1u << 20)

enum outdir_state {
	OUTDIR_COMPLETE,   /* renamed complete, manifest says complete */
	OUTDIR_FAILED,     /* manifest says incomplete, or none could be read */
	OUTDIR_PARTIAL,    /* .aod_<ts>.partial: being collected, or left by a crash */
};

struct outdir_entry {
	char name[80];          /* directory name as on disk */
	uint64_t ts_ns;         /* from the name */
	enum outdir_state state;
	char anomaly[64];       /* "" when unknown (partial, no manifest) */
	char type[16];
	char why[160];          /* failed: the manifest's error, or why it is unreadable */
	uint64_t bytes;         /* regular files directly inside */
};

/* True when name is one aodv2 makes (see above); ts_ns and partial filled. */
bool outdir_name_valid(const char *name, uint64_t *ts_ns, bool *partial);
/* Reads every collection in dir, newest first. *out is malloc'd (free it);
 * Returns the count or -errno (opening dir failed). *truncated tells when
 * there were more than OUTDIR_MAX_ENTRIES. */
int outdir_scan(const char *dir, struct outdir_entry **out, bool *truncated);
/* Reads entry name fully (state, anomaly, size). 0 or -errno (-ENOENT: no
 * such collection; -EINVAL: not a name aodv2 makes). */
int outdir_stat(const char *dir, const char *name, struct outdir_entry *e);
/* Opens file (no symlinks) in collection name under dir and reads at most
 * OUTDIR_MAX_FILE bytes into a malloc'd, NUL-terminated *text. 0 or -errno. */
int outdir_read(const char *dir, const char *name, const char *file, char **text, size_t *len);

#endif
