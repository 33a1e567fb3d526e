// SPDX-License-Identifier: GPL-2.0-only
#include "sup_audit.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "proto.h"
#include "sha256.h"
#include "strbuf.h"
#include "sup.h"

#define SUP_AUDIT_MAX_FILES 64

static const char *sup_audit_command(uint16_t type)
{
	switch (type) {
	case PROTO_CTL_STATUS: return "status";
	case PROTO_CTL_RELOAD: return "reload";
	case PROTO_CTL_COLLECT: return "collect";
	case PROTO_CTL_CHECK_CONFIG: return "check-config";
	}
	return "unknown";
}

static const char *sup_audit_outcome(int status)
{
	switch (status) {
	case CTL_OK: return "ok";
	case CTL_DENIED: return "denied";
	case CTL_USAGE: return "refused";
	case CTL_CONFIG: return "invalid-config";
	}
	return "failed";
}

void sup_audit_control(const struct ctl_client *c, int status)
{
	char uid[16], pid[16];

	if (!audit_enabled())
		return;
	snprintf(uid, sizeof(uid), "%u", (unsigned)c->uid);
	snprintf(pid, sizeof(pid), "%d", (int)c->pid);
	const char *cmd = sup_audit_command(c->req_type), *out = sup_audit_outcome(status);
	struct journal_field f[] = {
		{ "AOD_PEER_UID", uid }, { "AOD_PEER_PID", pid },
		{ "AOD_COMMAND", cmd }, { "AOD_OUTCOME", out },
	};
	audit_record(AUDIT_CONTROL, f, 4, "control request %s from uid %s pid %s: %s", cmd, uid, pid,
		     out);
}

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
	struct strbuf names, sums;

	if (!audit_enabled())
		return;
	if (cfg)
		for (; n < cfg->n_files && n < SUP_AUDIT_MAX_FILES; n++)
			files[n] = strdup(cfg->files[n]);
	else
		n = sup_audit_files(s, files, SUP_AUDIT_MAX_FILES);
	strbuf_init(&names);
	strbuf_init(&sums);
	for (unsigned i = 0; i < n; i++) {
		char hex[65] = "unreadable";
		if (!files[i])
			continue;
		sha256_file(files[i], hex);
		strbuf_printf(&names, "%s%s", names.len ? " " : "", files[i]);
		strbuf_printf(&sums, "%s%s", sums.len ? " " : "", hex);
		free(files[i]);
	}
	const char *out = rc == 0 ? "accepted" : "refused";
	char why[64];
	snprintf(why, sizeof(why), "%s", rc == 0 ? "" : rc == -EINVAL ? "invalid" : strerror(-rc));
	struct journal_field f[] = {
		{ "AOD_OUTCOME", out }, { "AOD_FILES", names.buf ? names.buf : "" },
		{ "AOD_SHA256", sums.buf ? sums.buf : "" }, { "AOD_REASON", why },
		{ "AOD_REQUESTER", who },
	};
	audit_record(AUDIT_RELOAD, f, 5, "reload by %s %s%s%s: %s", who, out, rc ? ": " : "", why,
		     names.buf ? names.buf : "");
	strbuf_free(&names);
	strbuf_free(&sums);
}
