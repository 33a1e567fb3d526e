// SPDX-License-Identifier: GPL-2.0-only
#include "status.h"

#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "children.h"
#include "log.h"
#include "sup.h"
#include "clock.h"

static void status_on_timeout(struct loop_watch *lw, uint32_t events)
{
	struct sup *s = lw->obj;
	(void)events;

	timer_ack(s->gather.tfd);
	if (!s->gather.active)
		return;
	for (int i = 0; i < W_NR; i++) {
		struct worker *w = &s->workers[i];
		if (w->stats_asked)
			log_debug("%s did not answer the stats request in time", w->name);
		w->stats_asked = false; /* a late reply still updates its figures */
	}
}

int status_init(struct sup *s)
{
	s->gather.tfd = timer_new();
	if (s->gather.tfd < 0)
		return s->gather.tfd;
	return loop_add(s->loop, &s->gather.watch, s->gather.tfd, EPOLLIN, status_on_timeout, s);
}

void status_gather_start(struct sup *s)
{
	if (s->gather.active)
		return;
	s->gather.active = true;
	for (int i = 0; i < W_NR; i++) {
		struct worker *w = &s->workers[i];
		w->stats_asked = false;
		if (w->state != WS_RUNNING || w->shutdown_sent)
			continue;
		if (worker_send(w, PROTO_STATS_REQ, NULL, 0) == 0)
			w->stats_asked = true;
	}
	timer_arm_ms(s->gather.tfd, STATUS_GATHER_MS);
}

bool status_gather_settle(struct sup *s)
{
	if (!s->gather.active)
		return false;
	for (int i = 0; i < W_NR; i++)
		if (s->workers[i].stats_asked)
			return false;
	s->gather.active = false;
	timer_arm_ms(s->gather.tfd, 0);
	return true;
}

/* The service user's name is known (it was resolved at start); another uid
 * is a worker about to be killed for it, the only case worth a lookup. */
const char *status_uid_name(const struct sup *s, uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];

	if (uid == s->svc_uid)
		return s->svc_user;
	if (uid == (uid_t)-1 || getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) != 0 || !res)
		return "";
	snprintf(buf, len, "%s", pw.pw_name);
	return buf;
}

uint64_t status_uptime_ms(const struct worker *w, uint64_t now)
{
	if (w->pid <= 0 || !w->started_ns || now < w->started_ns)
		return 0;
	return (now - w->started_ns) / 1000000u;
}

uint64_t status_suppressed_total(const struct sup *s)
{
	const struct worker *d = &s->workers[W_DETECTOR];
	uint64_t n = 0;
	if (d->stats_valid)
		for (unsigned i = 0; i < d->stats.det.n_anomalies; i++)
			n += d->stats.det.anomalies[i].suppressed;
	return n;
}

int status_render(struct sup *s, bool json, char **text, size_t *len)
{
	return json ? status_json(s, text, len) : status_text(s, text, len);
}
