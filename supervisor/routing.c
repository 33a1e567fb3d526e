// SPDX-License-Identifier: GPL-2.0-only
#include "routing.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "flightrec.h"
#include "journal.h"
#include "log.h"
#include "msg.h"
#include "children.h"
#include "sup.h"
#include "watchdog.h"
#include "where.h"
#include "blocked.h"
#include "config.h"
#include "cooldown.h"

static void routing_config_ack(struct worker *w, const struct msg *m)
{
	const struct proto_config_ack *ack = (const void *)m->body;

	if (!w->config_pending) {
		worker_fail(w, "sent a CONFIG_ACK nobody asked for");
		return;
	}
	w->config_pending--;
	if (ack->status == 0 && !w->config_pending && w->kind->config_applied)
		w->kind->config_applied(w);
	if (ack->status == 0)
		log_debug("%s applied the configuration", w->name);
	else
		log_error("%s rejected the configuration (%s): %s; it keeps its previous one",
			  w->name, strerror(-ack->status), ack->reason);
}

static bool routing_stats(struct worker *w, const struct msg *m)
{
	if (m->type != w->kind->stats_type || m->len > sizeof(w->stats) ||
	    !w->kind->stats_valid(m->body, m->len))
		return false;
	worker_stats(w, m->body, m->len);
	return true;
}

bool routing_from_detector(struct worker *w, const struct msg *m)
{
	struct sup *s = w->sup;

	if (m->type != PROTO_ANOMALY || !proto_anomaly_valid(m->body, m->len))
		return false;
	s->anomalies_received++;
	const struct proto_anomaly *a = (const struct proto_anomaly *)m->body;
	const struct aod_anomaly_cfg *ac = config_anomaly(s->cfg, a->name);
	uint64_t cooldown_ns = ac ? (uint64_t)ac->cooldown_sec * 1000000000ull : 0;
	const char *key = cooldown_key_of(a);
	if (!cooldown_admit(&s->cooldowns, a->name, key, a->timestamp_ns, cooldown_ns)) {
		log_warn_rl("anomaly %s%s%s (aod_%llu) from detectord falls within the cooldown of the "
			    "last one collected (cooldown %u s; detectord was restarted?): not collected",
			    a->name, key[0] ? " on " : "", key, (unsigned long long)a->timestamp_ns,
			    ac->cooldown_sec);
		return true;
	}
	routing_anomaly(s, a);
	return true;
}

void routing_detector_cooldowns(struct worker *w)
{
	const struct cooldowns *cd = &w->sup->cooldowns;
	struct proto_cooldowns c;

	memset(&c, 0, sizeof(c));
	for (unsigned i = 0; i < cd->n; i++) {
		if (!cd->e[i].name[0])
			continue;
		unsigned j = 0; /* one entry per name: the latest of its keys */
		while (j < c.n && strncmp(c.e[j].name, cd->e[i].name, sizeof(c.e[j].name)) != 0)
			j++;
		if (j == c.n && c.n == PROTO_MAX_ANOMALIES)
			continue;
		if (j == c.n)
			memcpy(c.e[c.n++].name, cd->e[i].name, sizeof(c.e[j].name));
		if (cd->e[i].last_ns > c.e[j].last_ns)
			c.e[j].last_ns = cd->e[i].last_ns;
	}
	/* Not delivered: the supervisor's own check still holds the line. */
	if (c.n && worker_send(w, PROTO_COOLDOWNS, &c, sizeof(c)) == 0)
		log_info("handed detectord the cooldowns of %u anomalies", c.n);
}

bool routing_from_collector(struct worker *w, const struct msg *m)
{
	struct sup *s = w->sup;
	const struct proto_collection_done *d = (const void *)m->body;

	if (m->type != PROTO_COLLECTION_DONE || !proto_collection_done_valid(m->body, m->len))
		return false;
	if (s->in_flight)
		s->in_flight--;
	struct journal_field f[] = { { "AOD_COLLECTION", d->dir },
				     { "AOD_STATUS", d->status ? "failed" : "complete" } };
	if (d->status == 0) {
		s->collections_done++;
		journal_at(LOG_INFO, JOURNAL_MSGID_COLLECTION, f, 2, "collection %s complete (%u "
			   "actions ok, %u failed)", d->dir, d->actions_ok, d->actions_failed);
	} else {
		s->collections_failed++;
		journal_at(LOG_WARNING, JOURNAL_MSGID_COLLECTION, f, 2, "collection %s failed: %s (%u "
			   "actions ok, %u failed)", d->dir, strerror(-d->status), d->actions_ok,
			   d->actions_failed);
	}
	struct worker *sw = &s->workers[W_SWEEPER];
	if (sw->state == WS_RUNNING && !sw->shutdown_sent)
		worker_send(sw, PROTO_SWEEP_NOW, NULL, 0);
	return true;
}

void routing_collector_gone(struct worker *w)
{
	struct sup *s = w->sup;

	if (!s->in_flight)
		return;
	log_warn("collectord died with %u collection(s) unfinished; their folders stay partial",
		 s->in_flight);
	s->collections_failed += s->in_flight;
	s->in_flight = 0;
}

bool routing_collector_hold(struct worker *w)
{
	return w->state == WS_STARTING && w->sup->queue.count;
}

/* Returns false when the message is not acceptable from this worker. */
static bool routing_dispatch(struct worker *w, const struct msg *m)
{
	switch (m->type) {
	case PROTO_READY:
		if (m->len)
			return false;
		worker_ready(w);
		return true;
	case PROTO_CONFIG_ACK:
		if (!proto_config_ack_valid(m->body, m->len))
			return false;
		routing_config_ack(w, m);
		return true;
	case PROTO_PONG:
		return watchdog_pong(w, m->body);
	case PROTO_DRAINED:
		if (m->len || !w->shutdown_sent)
			return false;
		w->drained = true;
		log_info("%s drained", w->name);
		return true;
	default:
		if (m->type == w->kind->stats_type)
			return routing_stats(w, m);
		return w->kind->dispatch && w->kind->dispatch(w, m);
	}
}

static void routing_read(struct worker *w)
{
	struct sup *s = w->sup;

	/* Bounded per wakeup so one chatty worker cannot starve the others. */
	for (int i = 0; i < 64 && w->sock >= 0; i++) {
		char why[128];
		int rc = proto_recv(w->sock, s->msg, PROTO_FROM_WORKERS, why, sizeof(why));
		if (rc == -EAGAIN)
			return;
		if (rc == 0) {
			worker_lost(w, "closed its socket");
			return;
		}
		if (rc == -EBADMSG) {
			char sent[160];
			snprintf(sent, sizeof(sent), "sent %s", why);
			worker_fail(w, sent);
			return;
		}
		if (rc < 0) {
			worker_lost(w, why);
			return;
		}
		if (!routing_dispatch(w, s->msg)) {
			char why[96];
			snprintf(why, sizeof(why), "sent an invalid or unexpected message (type %u, %u bytes)",
				 s->msg->type, s->msg->len);
			worker_fail(w, why);
			return;
		}
	}
}

void routing_on_worker_io(struct loop_watch *lw, uint32_t events)
{
	struct worker *w = lw->obj;

	if (events & EPOLLOUT) {
		w->out_blocked = false;
		loop_mod(w->sup->loop, &w->sock_watch, EPOLLIN);
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		routing_read(w);
}

/* blocked_tasks, when the anomaly's actions have it: read now, while the
 * tasks still wait, and sent ahead of the anomaly (collectord keeps it for
 * the collection). Not queued: while collectord cannot take it, the action
 * records that no snapshot came. */
static void routing_blocked_tasks(struct sup *s, const struct proto_anomaly *a)
{
	const struct aod_anomaly_cfg *ac = config_anomaly(s->cfg, a->name);
	char *const *actions = ac ? ac->actions : s->cfg->actions;
	unsigned n = ac ? ac->n_actions : (a->type == PROTO_ANOMALY_MANUAL ? s->cfg->n_actions : 0);
	struct worker *c = &s->workers[W_COLLECTOR];
	bool want = false;
	char *body;

	if (!s->bpf)
		return; /* a replay: the tasks of this host are not the recording's */
	for (unsigned i = 0; i < n && !want; i++)
		want = strcmp(actions[i], "blocked_tasks") == 0;
	if (!want || c->state != WS_RUNNING || c->sock < 0 || c->out_blocked || c->shutdown_sent)
		return;
	body = malloc(sizeof(uint64_t) + BLOCKED_MAX_TEXT);
	if (!body)
		return;
	memcpy(body, &a->timestamp_ns, sizeof(uint64_t));
	uint64_t t0 = clock_mono_ns();
	size_t len = blocked_snapshot("/proc", a, body + sizeof(uint64_t), BLOCKED_MAX_TEXT);
	log_info("blocked_tasks for aod_%llu: %zu bytes read in %llu ms", (unsigned long long)a->timestamp_ns, len,
		 (unsigned long long)((clock_mono_ns() - t0) / 1000000u));
	if (worker_send(c, PROTO_BLOCKED_TASKS, body, sizeof(uint64_t) + len) < 0)
		log_warn("could not hand collectord the blocked_tasks snapshot of aod_%llu",
			 (unsigned long long)a->timestamp_ns);
	free(body);
}

void routing_anomaly(struct sup *s, const struct proto_anomaly *in)
{
	struct proto_anomaly stamped = *in;
	const struct proto_anomaly *a = &stamped;

	if (s->where)
		where_stamp(s->where, &stamped);
	routing_blocked_tasks(s, a);
	char coll[32];
	snprintf(coll, sizeof(coll), "aod_%llu", (unsigned long long)a->timestamp_ns);
	struct journal_field f[] = { { "AOD_ANOMALY", a->name }, { "AOD_TYPE", proto_anomaly_type_name(a->type) },
				     { "AOD_COLLECTION", coll },
				     { "AOD_SHARE", a->n_worst ? a->worst[0].share : "" } };
	journal_at(LOG_INFO, JOURNAL_MSGID_ANOMALY, f, 4, "anomaly %s%s: %llu violations of %llu "
		   "events judged (acceptable %u)%s%s%s; collecting into aod_%llu", a->name,
		   a->emergency ? " (emergency)" : "", (unsigned long long)a->violations,
		   (unsigned long long)a->events_judged, a->acceptable_count,
		   a->n_worst && a->worst[0].share[0] ? "; worst on " : "",
		   a->n_worst ? a->worst[0].share : "",
		   a->n_worst && a->worst[0].in_flight ? " (still waiting)" : "",
		   (unsigned long long)a->timestamp_ns);
	if (!queue_push(&s->queue, a))
		log_warn("anomaly queue for collectord is full (%u): dropped aod_%llu (%llu dropped so far)",
			 ANOMALY_QUEUE_CAP, (unsigned long long)a->timestamp_ns,
			 (unsigned long long)s->queue.dropped);
	routing_flush(s);
}

void routing_flush(struct sup *s)
{
	struct worker *c = &s->workers[W_COLLECTOR];
	const struct proto_anomaly *a;

	if (c->state != WS_RUNNING || c->sock < 0 || c->out_blocked || c->shutdown_sent)
		return;
	while ((a = queue_peek(&s->queue)) != NULL) {
		flightrec_send_inputs(s->flightrec, c, a);
		int rc = worker_send(c, PROTO_ANOMALY, a, sizeof(*a));
		if (rc == -EAGAIN) {
			c->out_blocked = true;
			loop_mod(s->loop, &c->sock_watch, EPOLLIN | EPOLLOUT);
			return;
		}
		if (rc < 0)
			return; /* the death path will restart collectord; the queue waits */
		queue_pop(&s->queue);
		s->anomalies_forwarded++;
		s->in_flight++;
	}
}
