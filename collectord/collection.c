// SPDX-License-Identifier: GPL-2.0-only
#include "collection.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "manifest.h"
#include "summary.h"

/* How many timestamps after the anomaly's to try when the name is taken. */
#define COLLECTION_NAME_TRIES 64

struct collection *collection_new(const struct proto_anomaly *a, char *const *actions,
				  unsigned n, uint64_t received_ns)
{
	struct collection *col = calloc(1, sizeof(*col) + n * sizeof(col->res[0]));
	if (!col)
		return NULL;
	col->anomaly = *a;
	col->outfd = col->dirfd = col->manifest_fd = -1;
	col->received_ns = received_ns;
	col->n = n;
	snprintf(col->name, sizeof(col->name), "aod_%" PRIu64, a->timestamp_ns);
	for (unsigned i = 0; i < n; i++) {
		struct action_result *r = &col->res[i];
		r->qa = qa_find(actions[i]);
		r->name = r->qa ? r->qa->name : "unknown";
		r->exit_code = -1;
		r->input_fd = -1;
		if (!r->qa)
			snprintf(r->error, sizeof(r->error), "unknown action '%.200s'", actions[i]);
	}
	return col;
}

void collection_free(struct collection *col)
{
	if (!col)
		return;
	for (unsigned i = 0; i < col->n; i++) {
		free(col->res[i].plan);
		if (col->res[i].input_fd >= 0)
			close(col->res[i].input_fd);
	}
	if (col->manifest_fd >= 0)
		close(col->manifest_fd);
	if (col->dirfd >= 0)
		close(col->dirfd);
	if (col->outfd >= 0)
		close(col->outfd);
	free((char *)col->params.blocked_text);
	free(col);
}

void collection_error(struct collection *col, int err, const char *fmt, ...)
{
	if (col->status)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(col->error, sizeof(col->error), fmt, ap);
	va_end(ap);
	col->status = err < 0 ? err : -EIO;
}

/* mkdir -p for the output directory (the supervisor normally makes it). */
static int collection_mkdirs(const char *path)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0750) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0750) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int collection_open_outdir(struct collection *col, const char *output_dir)
{
	col->outfd = open(output_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (col->outfd < 0 && errno == ENOENT) {
		int rc = collection_mkdirs(output_dir);
		if (rc < 0) {
			collection_error(col, rc, "cannot create %s: %s", output_dir, strerror(-rc));
			return rc;
		}
		col->outfd = open(output_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (col->outfd < 0) {
		int rc = -errno;
		collection_error(col, rc, "cannot open %s: %s", output_dir, strerror(errno));
		return rc;
	}
	return 0;
}

/* Room for the manifest before anything else is written: without it a full
 * disk would leave a folder no one can tell failed. When even that does not
 * fit, the empty folder goes and the collection fails as never made. */
static int collection_reserve(struct collection *col, const char *output_dir)
{
	col->manifest_fd = manifest_reserve(col, col->dirfd);
	if (col->manifest_fd >= 0)
		return 0;
	int rc = col->manifest_fd;
	collection_error(col, rc, "no room for a manifest in %s: %s", output_dir, strerror(-rc));
	close(col->dirfd);
	col->dirfd = -1;
	unlinkat(col->outfd, col->tmpname, AT_REMOVEDIR);
	return rc;
}

int collection_open(struct collection *col, const char *output_dir)
{
	int rc = collection_open_outdir(col, output_dir);
	if (rc < 0)
		return rc;
	for (uint64_t k = 0; k < COLLECTION_NAME_TRIES; k++) {
		uint64_t ts = col->anomaly.timestamp_ns + k;
		struct stat st;
		snprintf(col->name, sizeof(col->name), "aod_%" PRIu64, ts);
		snprintf(col->tmpname, sizeof(col->tmpname), ".aod_%" PRIu64 ".partial", ts);
		if (fstatat(col->outfd, col->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		char failed[sizeof(col->name) + 8];
		snprintf(failed, sizeof(failed), "%s.failed", col->name);
		if (fstatat(col->outfd, failed, &st, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		if (mkdirat(col->outfd, col->tmpname, 0750) != 0) {
			if (errno == EEXIST)
				continue;
			rc = -errno;
			collection_error(col, rc, "cannot create %s/%s: %s", output_dir, col->tmpname,
					 strerror(errno));
			return rc;
		}
		col->dirfd = openat(col->outfd, col->tmpname,
				    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (col->dirfd < 0) {
			rc = -errno;
			collection_error(col, rc, "cannot open %s/%s: %s", output_dir, col->tmpname,
					 strerror(errno));
			return rc;
		}
		return collection_reserve(col, output_dir);
	}
	collection_error(col, -EEXIST, "%s: %d names after aod_%" PRIu64 " are all taken",
			 output_dir, COLLECTION_NAME_TRIES, col->anomaly.timestamp_ns);
	return -EEXIST;
}

int collection_finish(struct collection *col)
{
	if (col->dirfd < 0)
		return col->status;
	/* The summary first: manifest.json, the record of last resort, then
	 * also tells when the summary could not be written. */
	int rc = summary_write(col, col->dirfd);
	if (rc < 0)
		collection_error(col, rc, "cannot write summary.txt: %s", strerror(-rc));
	rc = manifest_write(col, col->dirfd, col->manifest_fd);
	if (rc == MANIFEST_SHORT)
		collection_error(col, -ENOSPC, "no room for the whole manifest.json: %s",
				 strerror(ENOSPC));
	else if (rc < 0)
		collection_error(col, rc, "cannot write manifest.json: %s", strerror(-rc));
	if (col->manifest_fd >= 0)
		close(col->manifest_fd);
	close(col->dirfd);
	col->manifest_fd = col->dirfd = -1;
	/* Renamed even when it failed: finished collections are what the
	 * sweeper may delete, and a full disk needs exactly that; the name
	 * says it failed. */
	char final[sizeof(col->name) + 8];
	snprintf(final, sizeof(final), "%s%s", col->name, col->status ? ".failed" : "");
	if (renameat2(col->outfd, col->tmpname, col->outfd, final, RENAME_NOREPLACE) != 0) {
		rc = -errno;
		collection_error(col, rc, "cannot rename %s to %s: %s", col->tmpname, final,
				 strerror(errno));
		log_error("collection %s: cannot rename %s to %s: %s", col->name, col->tmpname,
			  final, strerror(errno));
		return rc;
	}
	return col->status;
}

const char *result_state_name(enum result_state s)
{
	switch (s) {
	case RES_PENDING: return "pending";
	case RES_RUNNING: return "running";
	case RES_OK: return "ok";
	case RES_FAILED: return "failed";
	case RES_TIMED_OUT: return "timed out";
	case RES_NOT_AVAILABLE: return "not available";
	case RES_NOT_RUN: return "not run";
	}
	return "unknown";
}
