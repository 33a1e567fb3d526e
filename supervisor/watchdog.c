// SPDX-License-Identifier: GPL-2.0-only
#include "watchdog.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>

#include "children.h"
#include "clock.h"
#include "log.h"
#include "sup.h"

/* Sends w its next PING (again, when its socket was full last time). */
static void watchdog_ping(struct worker *w, uint64_t now)
{
	struct worker_ping *p = &w->ping;

	if (!p->sent_ns) {
		p->seq++;
		p->sent_ns = now;
	}
	int rc = worker_send(w, PROTO_PING, &p->seq, sizeof(p->seq));
	p->unsent = rc == -EAGAIN;
	/* another failure: the worker's death is on its way (logged) */
	if (rc == 0)
		/* fresh counts, so a death loses at most one interval's
		 * (stats_carry.h); the reply may come with any status round */
		worker_send(w, PROTO_STATS_REQ, NULL, 0);
}

static void watchdog_check(struct worker *w, uint64_t now)
{
	const struct watchdog *wd = &w->sup->watchdog;
	char why[96];

	if (w->state == WS_STARTING) {
		if (now - w->started_ns >= (uint64_t)wd->timeout_ms * 1000000u) {
			snprintf(why, sizeof(why), "did not report ready within %u s", wd->timeout_ms / 1000u);
			worker_fail(w, why);
		}
		return;
	}
	if ((w->state != WS_RUNNING && w->state != WS_NOT_ANSWERING) || w->sock < 0 ||
	    w->shutdown_sent)
		return;
	if (!w->ping.sent_ns || w->ping.unsent) {
		watchdog_ping(w, now);
		if (!w->ping.unsent)
			return;
	}
	uint64_t waited_ms = (now - w->ping.sent_ns) / 1000000u;
	if (waited_ms >= wd->timeout_ms) {
		snprintf(why, sizeof(why), "not answering for %llu s", (unsigned long long)waited_ms / 1000u);
		worker_fail(w, why);
	} else if (waited_ms >= wd->timeout_ms / 4u && w->state == WS_RUNNING) {
		w->state = WS_NOT_ANSWERING;
		log_warn("%s (pid %d) has not answered for %llu.%03llu s; killing it if it does not "
			 "answer within %u s", w->name, (int)w->pid, (unsigned long long)waited_ms / 1000u,
			 (unsigned long long)waited_ms % 1000u, wd->timeout_ms / 1000u);
	}
}

static void watchdog_on_tick(struct loop_watch *lw, uint32_t events)
{
	struct sup *s = lw->obj;
	(void)events;

	timer_ack(s->watchdog.watch.fd);
	if (s->phase != PHASE_RUNNING)
		return;
	uint64_t now = clock_mono_ns();
	for (int i = 0; i < W_NR; i++)
		watchdog_check(&s->workers[i], now);
}

bool watchdog_pong(struct worker *w, const void *body)
{
	uint64_t seq;

	memcpy(&seq, body, sizeof(seq));
	if (!w->ping.sent_ns || w->ping.unsent || seq != w->ping.seq)
		return false;
	uint64_t waited_ms = (clock_mono_ns() - w->ping.sent_ns) / 1000000u;
	w->ping.sent_ns = 0;
	if (w->state == WS_NOT_ANSWERING) {
		w->state = WS_RUNNING;
		log_info("%s (pid %d) answers again, after %llu.%03llu s", w->name, (int)w->pid,
			 (unsigned long long)waited_ms / 1000u, (unsigned long long)waited_ms % 1000u);
	}
	return true;
}

int watchdog_init(struct sup *s, uint32_t timeout_sec)
{
	struct watchdog *wd = &s->watchdog;

	wd->timeout_ms = timeout_sec * 1000u;
	uint32_t ms = WATCHDOG_INTERVAL_MS(wd->timeout_ms);
	struct itimerspec its = {
		.it_value = { .tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L },
	};
	its.it_interval = its.it_value;
	int rc = loop_add_timer(s->loop, &wd->watch, watchdog_on_tick, s);
	if (rc < 0)
		return rc;
	if (timerfd_settime(wd->watch.fd, 0, &its, NULL) < 0) {
		rc = -errno;
		loop_del_close(s->loop, &wd->watch);
		return rc;
	}
	return 0;
}

void watchdog_close(struct sup *s)
{
	if (s->loop)
		loop_del_close(s->loop, &s->watchdog.watch);
}
