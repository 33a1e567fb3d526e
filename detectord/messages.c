// SPDX-License-Identifier: GPL-2.0-only
/*
 * detectord's row of the worker skeleton (wproc.h): CONFIG (first one or
 * reload), STATS_REQ, SHUTDOWN and, after a restart, COOLDOWNS are all it
 * takes from the supervisor; ANOMALY is what it sends.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "detectord.h"
#include "log.h"
#include "proto.h"

static void detectord_emit(const struct proto_anomaly *a, void *arg)
{
	struct detectord *dd = arg;

	if (!dd->p->done)
		wproc_send(dd->p, PROTO_ANOMALY, a, sizeof(*a));
}

/* Builds (first config) or swaps (reload) the handlers. */
static int detectord_configure(struct wproc *p, const struct aod_config *cfg, bool first,
			       char *reason, size_t len)
{
	struct detectord *dd = p->ctx;
	int r;

	if (first)
		r = detect_create(cfg, dd->mono_to_wall, detectord_emit, dd, &dd->det, reason, len);
	else
		r = detect_reload(dd->det, cfg, reason, len);
	if (r == 0)
		log_info("%s configuration: %u anomalies, windows of %g s, emergency wake at %" PRIu64
			 " ms", first ? "applied" : "reloaded", cfg->n_anomalies,
			 cfg->watch_interval_sec, detect_wake_latency_ns(dd->det) / 1000000u);
	return r;
}

static void detectord_stats(struct wproc *p)
{
	struct detectord *dd = p->ctx;
	struct proto_stats_detector st;

	detect_get_stats(dd->det, &st);
	wproc_send(p, PROTO_STATS_DETECTOR, &st, sizeof(st));
}

/* Drain the ring (within the deadline), close the open window, report. */
static void detectord_shutdown(struct wproc *p, uint32_t deadline_ms)
{
	struct detectord *dd = p->ctx;
	uint64_t deadline = clock_mono_ms() + deadline_ms;
	uint64_t judged = 0;

	for (;;) {
		long n = detectord_drain(dd, 65536);
		if (n < 0) {
			log_error("ring positions are corrupt while draining for shutdown");
			break;
		}
		judged += (uint64_t)n;
		if (n == 0 || p->done)
			break;
		if (clock_mono_ms() >= deadline) {
			log_warn("shutdown deadline of %u ms passed with events left in the ring",
				 deadline_ms);
			break;
		}
	}
	if (!p->done)
		detect_flush(dd->det);
	if (p->done)
		return;
	log_info("shutting down: judged %" PRIu64 " remaining events and closed the open window",
		 judged);
	wproc_drained(p);
}

/* COOLDOWNS: a restarted detectord carries on its predecessor's cooldowns
 * (the supervisor's record; validated by the skeleton's receive). */
static void detectord_message(struct wproc *p, const struct msg *m)
{
	struct detectord *dd = p->ctx;
	struct proto_cooldowns c;
	unsigned restored = 0;

	memcpy(&c, m->body, sizeof(c));
	for (uint32_t i = 0; i < c.n; i++)
		restored += detect_restore_cooldown(dd->det, c.e[i].name, c.e[i].last_ns);
	log_info("cooldowns of %u anomalies carried over from before the restart", restored);
}

static void detectord_release(struct wproc *p)
{
	struct detectord *dd = p->ctx;

	loop_del(p->loop, &dd->ring_watch);
	loop_del_close(p->loop, &dd->timer);
	detect_free(dd->det);
	dd->det = NULL;
}

const struct wproc_desc detectord_proc = {
	.name = "detectord", .extra_fds = 3, .batch = 4, .sandbox = &detectord_sandbox,
	.accepts = PROTO_BIT(PROTO_COOLDOWNS), .message = detectord_message,
	.purpose = "The anomaly detector of aodv2: judges the shared event ring (fds 4-6)\n"
		   "and reports anomalies to the supervisor.",
	.caps_use = "capabilities to keep (detectord needs none)",
	.start = detectord_watch, .configure = detectord_configure, .stats = detectord_stats,
	.shutdown = detectord_shutdown, .prepare = detectord_prepare,
	.release = detectord_release,
};

int detectord_run(int sock)
{
	struct detectord dd = { .timer = { .fd = -1 }, .ring_watch = { .fd = -1 } };
	int r = ring_attach(DETECTORD_RING_MEMFD, DETECTORD_RING_DATA_FD, DETECTORD_RING_SPACE_FD,
			    &dd.ring);

	if (r < 0) {
		log_error("cannot attach the event ring on fds %d-%d: %s", DETECTORD_RING_MEMFD,
			  DETECTORD_RING_SPACE_FD, strerror(-r));
		return 1;
	}
	/* the ring keeps its own duplicates */
	close(DETECTORD_RING_MEMFD);
	close(DETECTORD_RING_DATA_FD);
	close(DETECTORD_RING_SPACE_FD);
	int status = wproc_run(&detectord_proc, &dd, sock);
	ring_close(dd.ring);
	if (status != 0)
		log_info("exiting with status %d", status);
	return status;
}
