// SPDX-License-Identifier: GPL-2.0-only
#include "worker.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "collector.h"
#include "config.h"
#include "log.h"
#include "msg.h"
#include "proto.h"

struct cworker {
	int sock;
	struct evloop loop;
	struct collector col;
	struct aod_config *cfg;
	struct ev_source sock_src, sig_src, deadline_src;
	struct msg *m;
	bool shutting_down;
	bool reply_drained; /* the supervisor asked (not a signal) */
	bool done;
	int status;
};

#define worker_of(src, member) \
	((struct cworker *)((char *)(src) - offsetof(struct cworker, member)))

static void worker_exit(struct cworker *w, int status)
{
	w->done = true;
	w->status = status;
}

static void worker_send(struct cworker *w, uint16_t type, const void *body, size_t len)
{
	int rc = msg_send(w->sock, type, body, len, -1);
	if (rc < 0) {
		log_error("cannot send %s to the supervisor: %s", proto_type_name(type), strerror(-rc));
		worker_exit(w, 1);
	}
}

/* Parses and checks a config; reason says why it is unusable. */
static int worker_parse_config(const struct msg *m, struct aod_config **out, char *reason,
			       size_t cap)
{
	struct config_errors errs = { 0 };
	struct aod_config *cfg = NULL;
	int rc = config_load_text((const char *)m->body, m->len, "supervisor", &cfg, &errs);
	if (rc < 0) {
		snprintf(reason, cap, "%s", errs.n ? errs.lines[0] : strerror(-rc));
		config_errors_free(&errs);
		return rc;
	}
	config_errors_free(&errs);
	rc = collector_check_config(cfg, reason, cap);
	if (rc < 0) {
		config_free(cfg);
		return rc;
	}
	*out = cfg;
	return 0;
}

static void worker_reply_config(struct cworker *w, int status, const char *reason)
{
	struct proto_config_ack ack = { .status = status };
	snprintf(ack.reason, sizeof(ack.reason), "%s", reason);
	worker_send(w, PROTO_CONFIG_ACK, &ack, sizeof(ack));
}

/* Between two messages no collection is half-planned: the swap is atomic for
 * the collector, and running collections keep their own copy of the values. */
static void worker_reload(struct cworker *w)
{
	struct aod_config *cfg;
	char reason[200] = "";
	int rc = worker_parse_config(w->m, &cfg, reason, sizeof(reason));
	if (rc < 0) {
		log_error("new configuration refused, keeping the running one: %s", reason);
		worker_reply_config(w, rc, reason);
		return;
	}
	collector_set_config(&w->col, cfg);
	config_free(w->cfg);
	w->cfg = cfg;
	log_info("configuration reloaded");
	worker_reply_config(w, 0, "");
}

static void worker_stats(struct cworker *w)
{
	struct proto_stats_collector st;
	collector_stats(&w->col, &st);
	worker_send(w, PROTO_STATS_COLLECTOR, &st, sizeof(st));
}

static void worker_begin_shutdown(struct cworker *w, uint32_t deadline_ms, bool reply)
{
	if (w->shutting_down)
		return;
	w->shutting_down = true;
	w->reply_drained = reply;
	log_info("shutting down: %s, finishing collections within %u ms",
		 collector_idle(&w->col) ? "nothing running" : "collections running", deadline_ms);
	struct itimerspec its = {
		.it_value = { .tv_sec = deadline_ms / 1000, .tv_nsec = (long)(deadline_ms % 1000) * 1000000L },
	};
	if (deadline_ms == 0)
		its.it_value.tv_nsec = 1; /* at once, through the loop */
	if (timerfd_settime(w->deadline_src.fd, 0, &its, NULL) != 0) {
		log_error("cannot arm the shutdown deadline: %s; stopping now", strerror(errno));
		collector_stop(&w->col);
		collector_kill_all(&w->col);
	}
}

static void worker_on_deadline(struct ev_source *src, uint32_t events)
{
	struct cworker *w = worker_of(src, deadline_src);
	uint64_t ticks;
	(void)events;
	if (read(src->fd, &ticks, sizeof(ticks)) < 0)
		return;
	if (!collector_idle(&w->col))
		log_warn("shutdown deadline reached: killing the running actions");
	collector_stop(&w->col);
	collector_kill_all(&w->col);
}

static void worker_dispatch(struct cworker *w)
{
	const struct msg *m = w->m;
	switch (m->type) {
	case PROTO_CONFIG:
		worker_reload(w);
		return;
	case PROTO_STATS_REQ:
		worker_stats(w);
		return;
	case PROTO_ANOMALY: {
		struct proto_anomaly a;
		memcpy(&a, m->body, sizeof(a));
		collector_submit(&w->col, &a);
		return;
	}
	case PROTO_SHUTDOWN: {
		uint32_t deadline_ms;
		memcpy(&deadline_ms, m->body, sizeof(deadline_ms));
		worker_begin_shutdown(w, deadline_ms, true);
		return;
	}
	default:
		log_error("unexpected %s message from the supervisor", proto_type_name(m->type));
		worker_exit(w, 1);
	}
}

static bool worker_expected(uint16_t type)
{
	return type == PROTO_CONFIG || type == PROTO_STATS_REQ || type == PROTO_ANOMALY ||
	       type == PROTO_SHUTDOWN;
}

/* Reads one message; false when the worker must stop. */
static bool worker_receive(struct cworker *w)
{
	int rc = msg_recv(w->sock, w->m);
	if (rc == -EAGAIN)
		return true;
	if (rc == 0) {
		log_error("the supervisor closed the socket: exiting");
		worker_exit(w, 1);
		return false;
	}
	if (rc < 0) {
		log_error("bad message from the supervisor: %s",
			  rc == -EBADMSG && w->m->error ? w->m->error : strerror(-rc));
		worker_exit(w, 1);
		return false;
	}
	if (w->m->fd >= 0) {
		close(w->m->fd);
		log_error("the supervisor passed an unexpected file descriptor");
		worker_exit(w, 1);
		return false;
	}
	if (!worker_expected(w->m->type) || !proto_body_valid(w->m->type, w->m->body, w->m->len)) {
		const char *name = proto_type_name(w->m->type);
		log_error("malformed or unexpected message from the supervisor (type %s, %u bytes)",
			  name ? name : "unknown", w->m->len);
		worker_exit(w, 1);
		return false;
	}
	return true;
}

static void worker_on_sock(struct ev_source *src, uint32_t events)
{
	struct cworker *w = worker_of(src, sock_src);
	(void)events;
	if (worker_receive(w))
		worker_dispatch(w);
}

static void worker_on_signal(struct ev_source *src, uint32_t events)
{
	struct cworker *w = worker_of(src, sig_src);
	struct signalfd_siginfo si;
	(void)events;
	if (read(src->fd, &si, sizeof(si)) != sizeof(si))
		return;
	log_info("signal %d: shutting down", (int)si.ssi_signo);
	worker_begin_shutdown(w, w->cfg->shutdown_timeout_sec * 1000u, false);
}

static void worker_on_done(void *arg, const struct collection *col)
{
	struct cworker *w = arg;
	struct proto_collection_done d = { .status = col->status };
	snprintf(d.dir, sizeof(d.dir), "%s", col->name);
	for (unsigned i = 0; i < col->n; i++) {
		enum result_state s = col->res[i].state;
		if (s == RES_OK)
			d.actions_ok++;
		else if (s != RES_NOT_AVAILABLE)
			d.actions_failed++;
	}
	worker_send(w, PROTO_COLLECTION_DONE, &d, sizeof(d));
}

/* Blocks for the first message, which must be a usable PROTO_CONFIG. */
static int worker_first_config(struct cworker *w)
{
	if (!worker_receive(w))
		return w->status;
	if (w->m->type != PROTO_CONFIG) {
		log_error("expected CONFIG first from the supervisor, got %s",
			  proto_type_name(w->m->type));
		return 1;
	}
	char reason[200] = "";
	int rc = worker_parse_config(w->m, &w->cfg, reason, sizeof(reason));
	if (rc < 0) {
		log_error("configuration refused: %s", reason);
		worker_reply_config(w, rc, reason);
		return AOD_EX_CONFIG;
	}
	return 0;
}

static int worker_setup_loop(struct cworker *w, const struct qa_env *env)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) != 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	w->sig_src = (struct ev_source){ signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK),
					 worker_on_signal };
	w->deadline_src = (struct ev_source){ timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK),
					      worker_on_deadline };
	w->sock_src = (struct ev_source){ w->sock, worker_on_sock };
	if (w->sig_src.fd < 0 || w->deadline_src.fd < 0)
		return -errno;
	struct collector_hooks hooks = { .done = worker_on_done, .arg = w };
	int rc = collector_init(&w->col, &w->loop, env, &hooks);
	if (rc < 0)
		return rc;
	collector_set_config(&w->col, w->cfg);
	if ((rc = evloop_add(&w->loop, &w->sock_src, EPOLLIN)) < 0 ||
	    (rc = evloop_add(&w->loop, &w->sig_src, EPOLLIN)) < 0 ||
	    (rc = evloop_add(&w->loop, &w->deadline_src, EPOLLIN)) < 0)
		return rc;
	return 0;
}

static void worker_loop(struct cworker *w)
{
	while (!w->done) {
		if (w->shutting_down && collector_idle(&w->col)) {
			if (w->reply_drained)
				worker_send(w, PROTO_DRAINED, NULL, 0);
			log_info("drained: exiting");
			if (!w->done)
				worker_exit(w, 0);
			return;
		}
		int rc = evloop_run_once(&w->loop, -1);
		if (rc < 0) {
			log_error("epoll_wait: %s", strerror(-rc));
			worker_exit(w, 1);
		}
	}
}

int collectord_run(int sock, const struct qa_env *env)
{
	struct cworker *w = calloc(1, sizeof(*w));
	if (!w) {
		log_error("out of memory");
		return 1;
	}
	w->sock = sock;
	w->loop.epfd = -1;
	w->sig_src.fd = w->deadline_src.fd = -1;
	w->m = malloc(sizeof(*w->m));
	int status = w->m ? worker_first_config(w) : 1;
	if (status == 0) {
		int rc = evloop_init(&w->loop);
		if (rc == 0)
			rc = worker_setup_loop(w, env);
		if (rc < 0) {
			log_error("cannot set up the event loop: %s", strerror(-rc));
			status = 1;
		}
	}
	if (status == 0) {
		worker_send(w, PROTO_READY, NULL, 0);
		log_info("ready: %u actions configured, at most %u at once, output in %s",
			 w->cfg->n_actions, w->cfg->max_concurrent_tasks, w->cfg->output_dir);
		worker_loop(w);
		status = w->status;
	}
	collector_fini(&w->col);
	if (w->sig_src.fd >= 0)
		close(w->sig_src.fd);
	if (w->deadline_src.fd >= 0)
		close(w->deadline_src.fd);
	evloop_fini(&w->loop);
	config_free(w->cfg);
	free(w->m);
	free(w);
	return status;
}
