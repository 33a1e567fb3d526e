// SPDX-License-Identifier: GPL-2.0-only
/*
 * The worker skeleton's protocol half (wproc.h): the first-config handshake,
 * the checked receive, the dispatch of the messages every worker takes, the
 * signals and the loop.
 */
#include "wproc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "config.h"
#include "audit.h"
#include "log.h"
#include "proto.h"
#include "sandbox.h"

#define WPROC_ALWAYS \
	(PROTO_BIT(PROTO_CONFIG) | PROTO_BIT(PROTO_STATS_REQ) | PROTO_BIT(PROTO_SHUTDOWN) | \
	 PROTO_BIT(PROTO_PING))

void wproc_exit(struct wproc *p, int status)
{
	if (p->done)
		return;
	p->done = true;
	p->status = status;
}

int wproc_send(struct wproc *p, uint16_t type, const void *body, size_t len)
{
	int rc = msg_send(p->sock, type, body, len, -1);

	if (rc < 0) {
		log_error("cannot send %s to the supervisor: %s; exiting", proto_type_name(type),
			  strerror(-rc));
		wproc_exit(p, 1);
	}
	return rc;
}

void wproc_drained(struct wproc *p)
{
	wproc_send(p, PROTO_DRAINED, NULL, 0);
	log_info("drained: exiting");
	wproc_exit(p, 0);
}

/* Receives one message into p->msg; true when there is one to handle. */
static bool wproc_receive(struct wproc *p)
{
	char why[128];
	int rc = proto_recv(p->sock, p->msg, WPROC_ALWAYS | p->desc->accepts, why, sizeof(why));

	if (rc == 1)
		return true;
	if (rc == -EAGAIN || rc == -EINTR)
		return false;
	if (rc == 0)
		log_error("the supervisor closed the socket: exiting");
	else if (rc == -EBADMSG)
		log_error("the supervisor sent %s: exiting", why);
	else
		log_error("cannot read from the supervisor: %s: exiting", why);
	wproc_exit(p, 1);
	return false;
}

/* A confined worker's file rules name the applied config's paths and
 * Landlock can only narrow them: a config that moves them is applied, then
 * the worker ends (after its CONFIG_ACK) and is restarted with new rules. */
static void wproc_check_rules(struct wproc *p, const struct aod_config *cfg)
{
	const struct sandbox_policy *sb = p->desc->sandbox;

	if (!p->cfg || !sb || !sandbox_confined() || !sandbox_paths_differ(sb, p->cfg, cfg))
		return;
	log_warn("the new configuration moves the paths of %s's file rules (aod_output_dir): "
		 "exiting to be restarted with rules for them", p->desc->name);
	wproc_exit(p, AOD_EX_NEW_RULES);
}

/* Parses p->msg's config and hands it to the worker; the skeleton keeps it
 * once applied. Returns 0 or -errno with reason filled. */
static int wproc_configure(struct wproc *p, bool first, char *reason, size_t cap)
{
	struct config_errors errs = { 0 };
	struct aod_config *cfg = NULL;
	int rc = config_load_text((const char *)p->msg->body, p->msg->len, "supervisor", &cfg,
				  &errs);

	if (rc < 0) {
		for (unsigned i = 0; i < errs.n; i++)
			log_error("config from the supervisor: %s", errs.lines[i]);
		snprintf(reason, cap, "%s", errs.n ? errs.lines[0] : strerror(-rc));
		config_errors_free(&errs);
		return rc;
	}
	config_errors_free(&errs);
	rc = p->desc->configure(p, cfg, first, reason, cap);
	if (rc < 0) {
		config_free(cfg);
		return rc;
	}
	wproc_check_rules(p, cfg);
	config_free((struct aod_config *)p->cfg);
	p->cfg = cfg;
	audit_enable(cfg->audit_enabled);
	return 0;
}

static void wproc_reply_config(struct wproc *p, int status, const char *reason)
{
	struct proto_config_ack ack = { .status = status };

	snprintf(ack.reason, sizeof(ack.reason), "%s", reason);
	wproc_send(p, PROTO_CONFIG_ACK, &ack, sizeof(ack));
}

static void wproc_reload(struct wproc *p)
{
	char reason[sizeof(((struct proto_config_ack *)0)->reason)] = "";
	int rc = wproc_configure(p, false, reason, sizeof(reason));

	if (rc < 0)
		log_error("new configuration refused, keeping the running one: %s", reason);
	wproc_reply_config(p, rc, reason);
	if (rc == 0 && !p->done && p->desc->applied)
		p->desc->applied(p, false);
}

static void wproc_dispatch(struct wproc *p)
{
	const struct msg *m = p->msg;
	uint32_t deadline_ms;

	switch (m->type) {
	case PROTO_CONFIG:
		wproc_reload(p);
		return;
	case PROTO_STATS_REQ:
		p->desc->stats(p);
		return;
	case PROTO_PING:
		/* The supervisor's watchdog: answered here, for every worker,
		 * so an answer proves the loop turns. */
		wproc_send(p, PROTO_PONG, m->body, m->len);
		return;
	case PROTO_SHUTDOWN:
		memcpy(&deadline_ms, m->body, sizeof(deadline_ms));
		p->desc->shutdown(p, deadline_ms);
		return;
	default:
		p->desc->message(p, m); /* proto_recv let only accepts through */
		return;
	}
}

static void wproc_on_sock(struct loop_watch *w, uint32_t events)
{
	struct wproc *p = w->obj;

	(void)events;
	if (!p->done && wproc_receive(p))
		wproc_dispatch(p);
}

static void wproc_on_signal(struct loop_watch *w, uint32_t events)
{
	struct wproc *p = w->obj;
	struct signalfd_siginfo si;

	(void)events;
	if (read(w->fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (p->desc->signal) {
		p->desc->signal(p, (int)si.ssi_signo);
		return;
	}
	log_info("signal %d: exiting", (int)si.ssi_signo);
	wproc_exit(p, 0);
}

/* Blocks for the first message, which must be a usable PROTO_CONFIG; then
 * READY. Returns 0 or the exit status. */
static int wproc_handshake(struct wproc *p)
{
	char reason[sizeof(((struct proto_config_ack *)0)->reason)] = "";

	if (!wproc_receive(p))
		return p->done ? p->status : 1;
	if (p->msg->type != PROTO_CONFIG) {
		log_error("expected CONFIG first from the supervisor, got %s: exiting",
			  proto_type_name(p->msg->type));
		return 1;
	}
	int rc = wproc_configure(p, true, reason, sizeof(reason));
	if (rc < 0) {
		log_error("configuration refused: %s", reason);
		wproc_reply_config(p, rc, reason);
		return p->done ? p->status : AOD_EX_CONFIG;
	}
	if (p->desc->sandbox && sandbox_confined() &&
	    sandbox_landlock(p->desc->name, p->desc->sandbox, p->cfg) < 0)
		return 1;
	if (wproc_send(p, PROTO_READY, NULL, 0) < 0)
		return 1;
	if (p->desc->applied)
		p->desc->applied(p, true);
	return p->done ? p->status : 0;
}

/* SIGTERM/SIGINT through the loop, SIGPIPE ignored, then the row's start. */
static int wproc_setup(struct wproc *p)
{
	sigset_t mask;
	int rc;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	signal(SIGPIPE, SIG_IGN);
	if ((rc = loop_open(&p->loop, p->desc->batch)) < 0 ||
	    (rc = loop_add_signals(p->loop, &p->sig_watch, &mask, wproc_on_signal, p)) < 0 ||
	    (rc = loop_add(p->loop, &p->sock_watch, p->sock, EPOLLIN, wproc_on_sock, p)) < 0)
		return rc;
	return p->desc->start(p);
}

static void wproc_loop(struct wproc *p)
{
	while (!p->done) {
		int timeout = p->desc->prepare ? p->desc->prepare(p) : -1;
		if (p->done)
			return;
		int rc = loop_run_once(p->loop, timeout);
		if (rc < 0) {
			log_error("epoll_wait: %s", strerror(-rc));
			wproc_exit(p, 1);
		}
	}
}

int wproc_run(const struct wproc_desc *d, void *ctx, int sock)
{
	struct wproc p = { .desc = d, .ctx = ctx, .sock = sock };
	int status = 1;

	p.sock_watch.fd = p.sig_watch.fd = -1;
	p.msg = malloc(sizeof(*p.msg));
	int rc = p.msg ? wproc_setup(&p) : -ENOMEM;
	if (rc < 0)
		log_error("cannot set up the event loop: %s", strerror(-rc));
	else
		status = wproc_handshake(&p);
	if (rc == 0 && status == 0) {
		wproc_loop(&p);
		status = p.status;
	}
	if (d->release)
		d->release(&p);
	if (p.loop) {
		loop_del_close(p.loop, &p.sig_watch);
		loop_del(p.loop, &p.sock_watch);
		loop_close(p.loop);
	}
	config_free((struct aod_config *)p.cfg);
	free(p.msg);
	return status;
}
