// SPDX-License-Identifier: GPL-2.0-only
/*
 * detectord's side of the supervisor protocol: CONFIG (first one or reload),
 * STATS_REQ, SHUTDOWN; everything else from the supervisor is a protocol
 * violation and ends the worker (the supervisor restarts it).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "detectord.h"
#include "log.h"
#include "proto.h"
#include "clock.h"

static void dd_stop(struct detectord *dd, int status)
{
	dd->done = true;
	dd->exit_status = status;
}

int dd_send(struct detectord *dd, uint16_t type, const void *body, size_t len)
{
	int r = msg_send(dd->sock, type, body, len, -1);

	if (r < 0) {
		const char *name = proto_type_name(type);
		log_error("cannot send %s to the supervisor: %s; exiting", name ? name : "message",
			  strerror(-r));
		dd_stop(dd, DD_EXIT_FAILURE);
	}
	return r;
}

static void dd_emit(const struct proto_anomaly *a, void *arg)
{
	struct detectord *dd = arg;

	if (!dd->done)
		dd_send(dd, PROTO_ANOMALY, a, sizeof(*a));
}

/* Loads the YAML and builds (first config) or swaps (reload) the handlers.
 * Returns 0 or -errno with a reason. */
static int dd_apply(struct detectord *dd, const struct msg *m, bool first, char *reason,
		    size_t len)
{
	struct aod_config *cfg = NULL;
	struct config_errors errs = { 0 };
	int r = config_load_text((const char *)m->body, m->len, "supervisor", &cfg, &errs);

	if (r < 0) {
		for (unsigned i = 0; i < errs.n; i++)
			log_error("config from the supervisor: %s", errs.lines[i]);
		snprintf(reason, len, "%s", errs.n ? errs.lines[0] : strerror(-r));
		config_errors_free(&errs);
		return r;
	}
	config_errors_free(&errs);
	if (first)
		r = detect_create(cfg, dd->mono_to_wall, dd_emit, dd, &dd->det, reason, len);
	else
		r = detect_reload(dd->det, cfg, reason, len);
	if (r == 0)
		log_info("%s configuration: %u anomalies, windows of %g s, emergency wake at %" PRIu64
			 " ms", first ? "applied" : "reloaded", cfg->n_anomalies,
			 cfg->watch_interval_sec, detect_wake_latency_ns(dd->det) / 1000000u);
	config_free(cfg);
	return r;
}

static void dd_on_config(struct detectord *dd, const struct msg *m)
{
	struct proto_config_ack ack;
	bool first = dd->det == NULL;

	memset(&ack, 0, sizeof(ack));
	ack.status = dd_apply(dd, m, first, ack.reason, sizeof(ack.reason));
	if (ack.status < 0)
		log_error("%s configuration refused: %s%s", first ? "initial" : "new", ack.reason,
			  first ? "" : "; keeping the running one");
	if (first && ack.status == 0) {
		/* the first config is answered by READY (worker conventions) */
		dd_send(dd, PROTO_READY, NULL, 0);
		return;
	}
	if (dd_send(dd, PROTO_CONFIG_ACK, &ack, sizeof(ack)) < 0)
		return;
	if (first)
		dd_stop(dd, AOD_EX_CONFIG);
}

static void dd_on_stats(struct detectord *dd)
{
	struct proto_stats_detector st;

	if (dd->det)
		detect_get_stats(dd->det, &st);
	else
		memset(&st, 0, sizeof(st));
	dd_send(dd, PROTO_STATS_DETECTOR, &st, sizeof(st));
}

/* Drain the ring (within the deadline), close the open window, report. */
static void dd_on_shutdown(struct detectord *dd, uint32_t deadline_ms)
{
	uint64_t deadline = clock_mono_ms() + deadline_ms;
	uint64_t judged = 0;

	if (dd->det) {
		for (;;) {
			long n = dd_drain(dd, 65536);
			if (n < 0) {
				log_error("ring positions are corrupt while draining for shutdown");
				break;
			}
			judged += (uint64_t)n;
			if (n == 0 || dd->done)
				break;
			if (clock_mono_ms() >= deadline) {
				log_warn("shutdown deadline of %u ms passed with events left in the ring",
					 deadline_ms);
				break;
			}
		}
		if (!dd->done)
			detect_flush(dd->det);
	}
	if (dd->done)
		return;
	log_info("shutting down: judged %" PRIu64 " remaining events and closed the open window",
		 judged);
	if (dd_send(dd, PROTO_DRAINED, NULL, 0) == 0)
		dd_stop(dd, DD_EXIT_OK);
}

void dd_handle_message(struct detectord *dd, const struct msg *m)
{
	const char *name = proto_type_name(m->type);

	switch (m->type) {
	case PROTO_CONFIG:
		if (!proto_body_valid(m->type, m->body, m->len))
			break;
		dd_on_config(dd, m);
		return;
	case PROTO_STATS_REQ:
		if (m->len != 0)
			break;
		dd_on_stats(dd);
		return;
	case PROTO_SHUTDOWN: {
		uint32_t deadline_ms;
		if (!proto_shutdown_valid(m->body, m->len))
			break;
		memcpy(&deadline_ms, m->body, sizeof(deadline_ms));
		dd_on_shutdown(dd, deadline_ms);
		return;
	}
	default:
		log_error("unexpected message %u (%s) from the supervisor; exiting", m->type,
			  name ? name : "unknown type");
		dd_stop(dd, DD_EXIT_FAILURE);
		return;
	}
	log_error("malformed %s message from the supervisor (%u bytes); exiting", name, m->len);
	dd_stop(dd, DD_EXIT_FAILURE);
}

void dd_read_socket(struct detectord *dd)
{
	int r = msg_recv(dd->sock, dd->msg);

	if (r == -EINTR || r == -EAGAIN)
		return;
	if (r == 0) {
		log_info("the supervisor closed its socket; exiting");
		dd_stop(dd, DD_EXIT_FAILURE);
		return;
	}
	if (r == -EBADMSG) {
		log_error("malformed message from the supervisor: %s; exiting",
			  dd->msg->error ? dd->msg->error : "bad framing");
		dd_stop(dd, DD_EXIT_FAILURE);
		return;
	}
	if (r < 0) {
		log_error("reading from the supervisor failed: %s; exiting", strerror(-r));
		dd_stop(dd, DD_EXIT_FAILURE);
		return;
	}
	if (dd->msg->fd >= 0) {
		close(dd->msg->fd);
		dd->msg->fd = -1;
		log_error("the supervisor passed a file descriptor with message %u; exiting",
			  dd->msg->type);
		dd_stop(dd, DD_EXIT_FAILURE);
		return;
	}
	dd_handle_message(dd, dd->msg);
}
