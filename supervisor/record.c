// SPDX-License-Identifier: GPL-2.0-only
#include "record.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "recording.h"

struct recorder {
	struct recording_writer *w;
	char path[256];
	uint64_t written;
	bool failed;
};

int recorder_open(const char *path, struct recorder **out)
{
	struct recorder *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	snprintf(r->path, sizeof(r->path), "%s", path);
	int rc = recording_create(path, &r->w);
	if (rc < 0) {
		log_error("cannot create recording %s: %s", path,
			  rc == -ELOOP ? "it is a symbolic link (not followed as root)" : strerror(-rc));
		free(r);
		return rc;
	}
	log_info("recording the probes' events to %s", path);
	*out = r;
	return 0;
}

void recorder_write(struct recorder *r, const struct aod_event *ev, size_t n)
{
	if (r->failed)
		return;
	int rc = recording_write(r->w, ev, n);
	if (rc < 0) {
		log_error("recording %s: write failed after %" PRIu64 " events: %s; recording stopped",
			  r->path, r->written, strerror(-rc));
		r->failed = true;
		return;
	}
	r->written += n;
}

void recorder_close(struct recorder *r)
{
	if (!r)
		return;
	int rc = recording_finish(r->w);
	if (rc < 0)
		log_error("recording %s: %s", r->path, strerror(-rc));
	else
		log_info("recording %s: %" PRIu64 " events written", r->path, r->written);
	free(r);
}
