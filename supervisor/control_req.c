// SPDX-License-Identifier: GPL-2.0-only
#include "control_req.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "manual.h"
#include "metrics.h"
#include "proto.h"
#include "reload.h"
#include "status.h"
#include "sup.h"

static struct sup *sup_of(const struct ctl_client *c)
{
	return c->ctl->owner;
}

static void reply_text(struct ctl_client *c, int status, const char *text)
{
	control_reply(c, status, text, strlen(text));
}

/* Replies with what was written to f (an open_memstream over *buf). */
static void reply_stream(struct ctl_client *c, int status, FILE *f, char **buf, size_t *len)
{
	bool failed = ferror(f);

	if (fclose(f) != 0 || failed)
		reply_text(c, CTL_FAILED, "out of memory\n");
	else
		control_reply(c, status, *buf, *len);
	free(*buf);
}

static void req_denied(struct ctl_client *c, const char *what, bool change)
{
	char text[200];

	sup_of(c)->ctl.rejected++;
	log_warn("control client (pid %d, uid %u) may not %s", (int)c->pid, (unsigned)c->uid, what);
	snprintf(text, sizeof(text), "permission denied: %s needs %s\n", what,
		 change ? "root" : "root or membership in group " CONTROL_GROUP);
	reply_text(c, CTL_DENIED, text);
}

static void req_status(struct ctl_client *c, const struct msg *m)
{
	if (m->len != 1 || m->body[0] > 1) {
		sup_of(c)->ctl.rejected++;
		reply_text(c, CTL_USAGE, "malformed status request\n");
		return;
	}
	c->status_json = m->body[0] == 1;
	c->waiting_status = true;
	status_gather_start(sup_of(c));
}

/* The exposition whole or an error: a truncated one would mislead a scraper. */
static void reply_metrics(struct ctl_client *c)
{
	char msg[200];
	char *text = NULL;
	size_t len = 0;
	int rc = metrics_exposition(sup_of(c), &text, &len);

	if (rc) {
		snprintf(msg, sizeof(msg), "cannot read the metrics: %s\n", strerror(-rc));
		reply_text(c, CTL_FAILED, msg);
	} else if (len > CONTROL_REPLY_MAX) {
		snprintf(msg, sizeof(msg), "the exposition (%zu bytes) exceeds a control reply (%zu bytes): "
			 "read metrics.textfile instead\n", len, (size_t)CONTROL_REPLY_MAX);
		reply_text(c, CTL_FAILED, msg);
	} else {
		control_reply(c, CTL_OK, text, len);
	}
	free(text);
}

static void req_metrics(struct ctl_client *c)
{
	c->metrics = true;
	c->waiting_status = true;
	status_gather_start(sup_of(c));
}

void control_status_ready(struct sup *s)
{
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct ctl_client *c = &s->ctl.clients[i];
		if (c->fd < 0 || !c->waiting_status)
			continue;
		char *text = NULL;
		size_t len = 0;
		c->waiting_status = false;
		if (c->metrics) {
			c->metrics = false;
			reply_metrics(c);
			continue;
		}
		if (status_render(s, c->status_json, &text, &len) < 0)
			reply_text(c, CTL_FAILED, "out of memory\n");
		else
			control_reply(c, CTL_OK, text, len);
		free(text);
	}
}

static void req_reload(struct ctl_client *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		reply_text(c, CTL_FAILED, "out of memory\n");
		return;
	}
	log_info("reload requested by control client (pid %d, uid %u)", (int)c->pid, (unsigned)c->uid);
	int rc = reload_config(sup_of(c), f);
	if (rc == 0) {
		fprintf(f, "configuration reloaded and pushed to the workers\n");
		reply_stream(c, CTL_OK, f, &buf, &len);
	} else {
		if (rc != -EINVAL)
			fprintf(f, "reload failed: %s\n", strerror(-rc));
		fprintf(f, "the running configuration is unchanged\n");
		reply_stream(c, rc == -EINVAL ? CTL_CONFIG : CTL_FAILED, f, &buf, &len);
	}
}

/* An anomaly name from the wire: printable, short, NUL-free. */
static bool req_name_valid(const struct msg *m)
{
	if (m->len >= PROTO_NAME_LEN)
		return false;
	for (uint32_t i = 0; i < m->len; i++)
		if (!isprint(m->body[i]))
			return false;
	return true;
}

static void req_collect(struct ctl_client *c, const struct msg *m)
{
	struct sup *s = sup_of(c);
	char text[200];

	if (!req_name_valid(m)) {
		s->ctl.rejected++;
		reply_text(c, CTL_USAGE, "malformed collect request\n");
		return;
	}
	if (s->phase != PHASE_RUNNING) {
		reply_text(c, CTL_FAILED, "the supervisor is stopping\n");
		return;
	}
	char name[PROTO_NAME_LEN] = "", who[64];
	memcpy(name, m->body, m->len);
	if (m->len && !config_anomaly(s->cfg, name)) {
		snprintf(text, sizeof(text), "no anomaly named '%s' in the configuration\n", name);
		reply_text(c, CTL_USAGE, text);
		return;
	}
	snprintf(who, sizeof(who), "control client (pid %d, uid %u)", (int)c->pid, (unsigned)c->uid);
	uint64_t ts = manual_collect(s, name, who);
	enum worker_state st = s->workers[W_COLLECTOR].state;
	snprintf(text, sizeof(text), "collection aod_%llu requested (%s)%s\n",
		 (unsigned long long)ts, m->len ? name : MANUAL_LABEL_DEFAULT,
		 st == WS_RUNNING ? "" : st == WS_NOT_ANSWERING ?
		 "; collectord is not answering: queued until it answers again or is restarted" :
		 "; queued until collectord is ready");
	reply_text(c, CTL_OK, text);
}

static void req_check_config(struct ctl_client *c)
{
	struct sup *s = sup_of(c);
	struct aod_config *cfg = NULL;
	struct config_errors errs = { 0 };
	int rc = config_load(s->args.config_path, s->args.dropin_dir, &cfg, &errs);

	if (rc == 0) {
		char *yaml = config_dump(cfg);
		config_free(cfg);
		if (yaml)
			control_reply(c, CTL_OK, yaml, strlen(yaml));
		else
			reply_text(c, CTL_FAILED, "out of memory\n");
		free(yaml);
		return;
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f) {
		config_errors_free(&errs);
		reply_text(c, CTL_FAILED, "out of memory\n");
		return;
	}
	for (unsigned i = 0; i < errs.n; i++)
		fprintf(f, "%s\n", errs.lines[i]);
	if (!errs.n)
		fprintf(f, "%s: %s\n", s->args.config_path, strerror(-rc));
	config_errors_free(&errs);
	reply_stream(c, CTL_CONFIG, f, &buf, &len);
}

void control_request(struct ctl_client *c, const struct msg *m)
{
	c->req_type = m->type;
	switch (m->type) {
	case PROTO_CTL_STATUS:
		if (!c->may_read)
			req_denied(c, "status", false);
		else
			req_status(c, m);
		return;
	case PROTO_CTL_CHECK_CONFIG:
		if (!c->may_read)
			req_denied(c, "check-config", false);
		else if (!m->len)
			req_check_config(c);
		else
			break;
		return;
	case PROTO_CTL_METRICS:
		if (!c->may_read)
			req_denied(c, "metrics", false);
		else if (!m->len)
			req_metrics(c);
		else
			break;
		return;
	case PROTO_CTL_RELOAD:
		if (!c->may_change)
			req_denied(c, "reload", true);
		else if (!m->len)
			req_reload(c);
		else
			break;
		return;
	case PROTO_CTL_COLLECT:
		if (!c->may_change)
			req_denied(c, "collect", true);
		else
			req_collect(c, m);
		return;
	default:
		break;
	}
	sup_of(c)->ctl.rejected++;
	log_warn("control client (pid %d, uid %u) sent an unknown or malformed request (type %u, "
		 "%u bytes)", (int)c->pid, (unsigned)c->uid, m->type, m->len);
	reply_text(c, CTL_USAGE, "unknown or malformed request\n");
}
