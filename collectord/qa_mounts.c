// SPDX-License-Identifier: GPL-2.0-only
/* mounts: the cifs and smb3 lines of /proc/mounts, and the same mounts'
 * lines of /proc/self/mountinfo (mount ids, propagation, the superblock
 * options). Also the mount list smbinfo walks. */
#include "qa.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool qa_fstype_is_smb(const char *fstype, size_t len)
{
	return (len == 4 && memcmp(fstype, "cifs", 4) == 0) ||
	       (len == 4 && memcmp(fstype, "smb3", 4) == 0);
}

/* The n-th (0-based) space-separated field of line; its length in *len. */
static const char *qa_field(const char *line, unsigned n, size_t *len)
{
	const char *p = line;
	for (unsigned i = 0;; i++) {
		p += strspn(p, " ");
		size_t l = strcspn(p, " \n");
		if (l == 0)
			return NULL;
		if (i == n) {
			*len = l;
			return p;
		}
		p += l;
	}
}

bool qa_mounts_line_is_smb(const char *line)
{
	size_t len;
	const char *fstype = qa_field(line, 2, &len);
	return fstype && qa_fstype_is_smb(fstype, len);
}

bool qa_mountinfo_line_is_smb(const char *line)
{
	const char *sep = strstr(line, " - ");
	size_t len;
	const char *fstype = sep ? qa_field(sep + 3, 0, &len) : NULL;
	return fstype && qa_fstype_is_smb(fstype, len);
}

/* /proc/mounts escapes space, tab, newline and backslash as \ooo. */
static void qa_unescape_octal(char *s)
{
	char *w = s;
	for (char *r = s; *r;) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

int qa_smb_mount_points(const char *proc_mounts, void (*fn)(void *arg, const char *mnt),
			void *arg)
{
	FILE *f = fopen(proc_mounts, "re");
	if (!f)
		return -errno;
	char *line = NULL;
	size_t cap = 0;
	int count = 0;
	while (getline(&line, &cap, f) > 0) {
		size_t len;
		const char *mnt = qa_field(line, 1, &len);
		if (!mnt || !qa_mounts_line_is_smb(line))
			continue;
		char *copy = strndup(mnt, len);
		if (!copy)
			break;
		qa_unescape_octal(copy);
		fn(arg, copy);
		free(copy);
		count++;
	}
	free(line);
	fclose(f);
	return count;
}

static int qa_filter_file(const char *path, bool (*keep)(const char *line), int out)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		int err = -errno;
		dprintf(STDERR_FILENO, "%s: %s\n", path, strerror(errno));
		return err;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	while (rc == 0 && (n = getline(&line, &cap, f)) > 0)
		if (keep(line))
			rc = writeall_fd(out, line, (size_t)n);
	free(line);
	fclose(f);
	return rc;
}

static int qa_mounts_run(const struct qa_plan *plan, int out)
{
	int rc = qa_write_str(out, "==> /proc/mounts (cifs, smb3) <==\n");
	if (rc == 0)
		rc = qa_filter_file(plan->inputs[0], qa_mounts_line_is_smb, out);
	if (rc == 0)
		rc = qa_write_str(out, "\n==> /proc/self/mountinfo (cifs, smb3) <==\n");
	if (rc == 0)
		rc = qa_filter_file(plan->inputs[1], qa_mountinfo_line_is_smb, out);
	return rc;
}

static void qa_mounts_plan(const struct qa_env *env, const struct qa_params *params,
			   struct qa_plan *plan)
{
	(void)params;
	char *mounts = qa_rooted(plan, env, "/proc/mounts");
	char *mountinfo = qa_rooted(plan, env, "/proc/self/mountinfo");
	if (!qa_file_exists(mounts) || !qa_file_exists(mountinfo)) {
		qa_unavailable(plan, "not available: %s or %s does not exist (no /proc)", mounts,
			       mountinfo);
		return;
	}
	plan->kind = QA_BUILTIN;
	plan->run = qa_mounts_run;
	qa_input(plan, mounts);
	qa_input(plan, mountinfo);
	qa_arg(plan, "cifs and smb3 lines of %s", mounts);
	qa_arg(plan, "cifs and smb3 lines of %s", mountinfo);
}

const struct quickaction qa_mounts = { .name = "mounts", .ext = "txt", .plan = qa_mounts_plan };
