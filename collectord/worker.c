// SPDX-License-Identifier: GPL-2.0-only
#include "worker.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "collector.h"
#include "config.h"
#include "log.h"
#include "proto.h"

struct collectord {
	struct wproc *p;
	const struct qa_env *env;
	struct collector col;
	bool col_ready;              /* collector_init succeeded */
	struct loop_watch deadline;  /* .fd: the shutdown deadline's timerfd */
	bool shutting_down;
	bool reply_drained;          /* the supervisor asked (not a signal) */
};

static void collectord_begin_shutdown(struct collectord *c, uint32_t deadline_ms, bool reply)
{
	if (c->shutting_down)
		return;
	c->shutting_down = true;
	c->reply_drained = reply;
	log_info("shutting down: %s, finishing collections within %u ms",
		 collector_idle(&c->col) ? "nothing running" : "collections running", deadline_ms);
	struct itimerspec its = {
		.it_value = { .tv_sec = deadline_ms / 1000, .tv_nsec = (long)(deadline_ms % 1000) * 1000000L },
	};
	if (deadline_ms == 0)
		its.it_value.tv_nsec = 1; /* at once, through the loop */
	if (timerfd_settime(c->deadline.fd, 0, &its, NULL) != 0) {
		log_error("cannot arm the shutdown deadline: %s; stopping now", strerror(errno));
		collector_stop(&c->col);
		collector_kill_all(&c->col);
	}
}

static void collectord_on_deadline(struct loop_watch *w, uint32_t events)
{
	struct collectord *c = w->obj;
	uint64_t ticks;
	(void)events;
	if (read(c->deadline.fd, &ticks, sizeof(ticks)) < 0)
		return;
	if (!collector_idle(&c->col))
		log_warn("shutdown deadline reached: killing the running actions");
	collector_stop(&c->col);
	collector_kill_all(&c->col);
}

static void collectord_on_done(void *arg, const struct collection *col)
{
	struct collectord *c = arg;
	struct proto_collection_done d = { .status = col->status };
	snprintf(d.dir, sizeof(d.dir), "%s", col->name);
	for (unsigned i = 0; i < col->n; i++) {
		enum result_state s = col->res[i].state;
		if (s == RES_OK)
			d.actions_ok++;
		else if (s != RES_NOT_AVAILABLE)
			d.actions_failed++;
	}
	wproc_send(c->p, PROTO_COLLECTION_DONE, &d, sizeof(d));
}

/* The collector and the shutdown deadline. */
static int collectord_start(struct wproc *p)
{
	struct collectord *c = p->ctx;
	struct collector_hooks hooks = { .done = collectord_on_done, .arg = c };

	c->p = p;
	int rc = loop_add_timer(p->loop, &c->deadline, collectord_on_deadline, c);
	if (rc == 0)
		rc = collector_init(&c->col, p->loop, c->env, &hooks);
	c->col_ready = rc == 0;
	return rc;
}

/* Between two messages no collection is half-planned: the swap is atomic for
 * the collector, and running collections keep their own copy of the values. */
static int collectord_configure(struct wproc *p, const struct aod_config *cfg, bool first,
				char *reason, size_t cap)
{
	struct collectord *c = p->ctx;
	int rc = collector_check_config(cfg, reason, cap);

	(void)first;
	if (rc == 0)
		collector_set_config(&c->col, cfg);
	return rc;
}

static void collectord_applied(struct wproc *p, bool first)
{
	if (first)
		log_info("ready: %u actions configured, at most %u at once, output in %s",
			 p->cfg->n_actions, p->cfg->max_concurrent_tasks, p->cfg->output_dir);
	else
		log_info("configuration reloaded");
}

static void collectord_stats(struct wproc *p)
{
	struct collectord *c = p->ctx;
	struct proto_stats_collector st;

	collector_stats(&c->col, &st);
	wproc_send(p, PROTO_STATS_COLLECTOR, &st, sizeof(st));
}

static void collectord_shutdown(struct wproc *p, uint32_t deadline_ms)
{
	collectord_begin_shutdown(p->ctx, deadline_ms, true);
}

static void collectord_message(struct wproc *p, const struct msg *m)
{
	struct collectord *c = p->ctx;

	if (m->type == PROTO_RECORDER_INPUT) {
		/* with its fd (proto_recv checked), the collector's from now on */
		struct proto_recorder_input in;
		memcpy(&in, m->body, sizeof(in));
		collector_recorder_input(&c->col, &in, m->fd);
		return;
	}
	if (m->type == PROTO_BLOCKED_TASKS) {
		uint64_t ts;
		memcpy(&ts, m->body, sizeof(ts));
		if (blocked_store_put(&c->col.blocked, ts, (const char *)m->body + sizeof(ts),
				      m->len - sizeof(ts)) < 0)
			log_warn("no memory for the blocked_tasks snapshot of aod_%llu",
				 (unsigned long long)ts);
		return;
	}
	struct proto_anomaly a;
	memcpy(&a, m->body, sizeof(a)); /* PROTO_ANOMALY, the one other type */
	collector_submit(&c->col, &a);
}

static void collectord_signal(struct wproc *p, int signo)
{
	log_info("signal %d: shutting down", signo);
	collectord_begin_shutdown(p->ctx, p->cfg->shutdown_timeout_sec * 1000u, false);
}

/* A drain ends once no collection runs. */
static int collectord_prepare(struct wproc *p)
{
	struct collectord *c = p->ctx;

	if (c->shutting_down && collector_idle(&c->col)) {
		if (c->reply_drained) {
			wproc_drained(p);
		} else {
			log_info("drained: exiting");
			wproc_exit(p, 0);
		}
	}
	return -1;
}

static void collectord_release(struct wproc *p)
{
	struct collectord *c = p->ctx;

	if (c->col_ready)
		collector_fini(&c->col);
	loop_del_close(p->loop, &c->deadline);
}

/* batch 1: a task's callback may free another task and its watches */
const struct wproc_desc collectord_proc = {
	.name = "collectord", .batch = 1, .sandbox = &collectord_sandbox,
	.accepts = PROTO_BIT(PROTO_ANOMALY) | PROTO_BIT(PROTO_RECORDER_INPUT) | PROTO_BIT(PROTO_BLOCKED_TASKS),
	.purpose = "Runs aodv2's QuickActions for each anomaly.",
	.caps_use = "capabilities to keep for the actions",
	.start = collectord_start, .configure = collectord_configure,
	.applied = collectord_applied, .stats = collectord_stats,
	.shutdown = collectord_shutdown, .message = collectord_message,
	.signal = collectord_signal, .prepare = collectord_prepare,
	.release = collectord_release,
};

int collectord_run(int sock, const struct qa_env *env)
{
	struct collectord c = { .env = env, .deadline = { .fd = -1 } };

	return wproc_run(&collectord_proc, &c, sock);
}
