// SPDX-License-Identifier: GPL-2.0-only
#include "sup_audit.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "sha256.h"
#include "sup.h"

#define SUP_AUDIT_MAX_FILES 64

static int sup_audit_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files a refused reload read: the base, then the drop-ins in order. */
static unsigned sup_audit_files(const struct sup *s, char **out, unsigned cap)
{
	unsigned n = 0;
	out[n++] = strdup(s->args.config_path);
	DIR *d = s->args.dropin_dir ? opendir(s->args.dropin_dir) : NULL;
	struct dirent *de;
	unsigned first = n;
	while (d && n < cap && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", s->args.dropin_dir, de->d_name);
		out[n++] = strdup(path);
	}
	if (d)
		closedir(d);
	qsort(out + first, n - first, sizeof(out[0]), sup_audit_cmp);
	return n;
}

void sup_audit_reload(const struct sup *s, const struct aod_config *cfg, int rc, const char *who)
{
	char *files[SUP_AUDIT_MAX_FILES];
	unsigned n = 0;
	char *names = NULL, *sums = NULL;
	size_t names_len = 0, sums_len = 0;

	if (!audit_enabled())
		return;
	if (cfg)
		for (; n < cfg->n_files && n < SUP_AUDIT_MAX_FILES; n++)
			files[n] = strdup(cfg->files[n]);
	else
		n = sup_audit_files(s, files, SUP_AUDIT_MAX_FILES);
	FILE *fn = open_memstream(&names, &names_len);
	FILE *fs = open_memstream(&sums, &sums_len);
	for (unsigned i = 0; i < n; i++) {
		char hex[65] = "unreadable";
		if (!files[i])
			continue;
		sha256_file(files[i], hex);
		if (fn && fs) {
			fprintf(fn, "%s%s", ftell(fn) ? " " : "", files[i]);
			fprintf(fs, "%s%s", ftell(fs) ? " " : "", hex);
		}
		free(files[i]);
	}
	/* A stream that could not be made or flushed leaves its field empty:
	 * the record still says who reloaded and with what outcome. */
	if (fn)
		fclose(fn);
	if (fs)
		fclose(fs);
	const char *out = rc == 0 ? "accepted" : "refused";
	char why[64];
	snprintf(why, sizeof(why), "%s", rc == 0 ? "" : rc == -EINVAL ? "invalid" : strerror(-rc));
	struct journal_field f[] = {
		{ "AOD_OUTCOME", out }, { "AOD_FILES", names ? names : "" },
		{ "AOD_SHA256", sums ? sums : "" }, { "AOD_REASON", why },
		{ "AOD_REQUESTER", who },
	};
	audit_record(AUDIT_RELOAD, f, 5, "reload by %s %s%s%s: %s", who, out, rc ? ": " : "", why,
		     names ? names : "");
	free(names);
	free(sums);
}
