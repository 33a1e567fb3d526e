// SPDX-License-Identifier: GPL-2.0-only
#include "aodctl_outdir.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aodctl_exit.h"
#include "colldir.h"


static const char *const colldir_state_names[] = { "complete", "failed", "partial" };

static void list_time(char *buf, size_t cap, uint64_t ts_ns)
{
	time_t secs = (time_t)(ts_ns / 1000000000u);
	struct tm tm;
	if (!localtime_r(&secs, &tm) || strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, cap, "%" PRIu64, ts_ns);
}

static void list_size(char *buf, size_t cap, uint64_t bytes)
{
	if (bytes < 1024)
		snprintf(buf, cap, "%" PRIu64 " B", bytes);
	else if (bytes < 1024 * 1024)
		snprintf(buf, cap, "%.1f KiB", (double)bytes / 1024.0);
	else
		snprintf(buf, cap, "%.1f MiB", (double)bytes / 1048576.0);
}

static int colldir_error(const char *dir, int rc)
{
	if (rc == -EACCES || rc == -EPERM) {
		fprintf(stderr, "aodctl: permission denied on %s: reading collections needs root or "
			"membership in group aodv2\n", dir);
		return AODCTL_DENIED;
	}
	fprintf(stderr, "aodctl: cannot read %s: %s\n", dir, strerror(-rc));
	return AODCTL_FAILED;
}

int aodctl_list(const char *dir)
{
	struct colldir_entry *v;
	bool truncated;
	int n = colldir_scan(dir, &v, &truncated);

	if (n < 0)
		return colldir_error(dir, n);
	printf("%-19s  %-16s  %-7s  %-8s  %9s  %s\n", "TIME", "ANOMALY", "TYPE", "STATUS", "SIZE",
	       "NAME");
	for (int i = 0; i < n; i++) {
		const struct colldir_entry *e = &v[i];
		char when[32], size[24];
		list_time(when, sizeof(when), e->ts_ns);
		list_size(size, sizeof(size), e->bytes);
		printf("%-19s  %-16s  %-7s  %-8s  %9s  %s\n", when, e->anomaly[0] ? e->anomaly : "-",
		       e->type[0] ? e->type : "-", colldir_state_names[e->state], size, e->name);
		if (e->state == COLLDIR_FAILED && e->why[0])
			printf("    failed: %s\n", e->why);
	}
	if (!n)
		printf("(no collections in %s)\n", dir);
	if (truncated)
		printf("(only the first %d entries of %s were read)\n", COLLDIR_MAX_ENTRIES, dir);
	free(v);
	return fflush(stdout) == 0 ? AODCTL_OK : AODCTL_FAILED;
}

int aodctl_show(const char *dir, const char *name)
{
	struct colldir_entry e;
	uint64_t ts;
	bool partial;
	char *text;
	size_t len;

	if (strlen(name) >= sizeof(e.name) || !colldir_name_valid(name, &ts, &partial)) {
		fprintf(stderr, "aodctl: '%s' is not a collection name (aod_<digits>, as aodctl list "
			"shows)\n", name);
		return AODCTL_USAGE;
	}
	int rc = colldir_stat(dir, name, &e);
	if (rc == -ENOENT) {
		fprintf(stderr, "aodctl: no collection %s in %s\n", name, dir);
		return AODCTL_FAILED;
	}
	if (rc < 0)
		return colldir_error(dir, rc);
	rc = colldir_read(dir, name, "summary.txt", &text, &len);
	if (rc == 0) {
		fwrite(text, 1, len, stdout);
		free(text);
		return fflush(stdout) == 0 ? AODCTL_OK : AODCTL_FAILED;
	}
	if (rc == -EACCES || rc == -EPERM)
		return colldir_error(dir, rc);
	if (e.state == COLLDIR_PARTIAL)
		fprintf(stderr, "aodctl: %s is partial: still being collected, or left by a collectord "
			"that was killed; it has no summary.txt\n", name);
	else
		fprintf(stderr, "aodctl: %s (%s%s%s) has no readable summary.txt (%s); see its "
			"manifest.json\n", name, colldir_state_names[e.state], e.why[0] ? ": " : "",
			e.why, strerror(-rc));
	return AODCTL_FAILED;
}
