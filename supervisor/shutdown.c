// SPDX-License-Identifier: GPL-2.0-only
#include "shutdown.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>

#include "log.h"
#include "manual.h"
#include "notify.h"
#include "routing.h"
#include "sources.h"
#include "sup.h"
#include "clock.h"

#define SHUTDOWN_KILL_GRACE_MS 3000u

static void shutdown_on_deadline(struct loop_watch *lw, uint32_t events)
{
	struct sup *s = lw->obj;
	(void)events;

	timer_ack(s->stop_tfd);
	if (s->killed_stragglers) {
		log_error("workers did not go away %u ms after SIGKILL; exiting anyway",
			  SHUTDOWN_KILL_GRACE_MS);
		s->done = true;
		return;
	}
	for (int i = 0; i < W_NR; i++)
		if (s->workers[i].pid > 0)
			log_warn("shutdown deadline (%u s) passed: killing %s (pid %d)",
				 s->cfg->shutdown_timeout_sec, s->workers[i].name, (int)s->workers[i].pid);
	children_kill_all(s);
	s->killed_stragglers = true;
	timer_arm_ms(s->stop_tfd, SHUTDOWN_KILL_GRACE_MS);
}

int shutdown_init(struct sup *s)
{
	s->stop_tfd = timer_new();
	if (s->stop_tfd < 0)
		return s->stop_tfd;
	return loop_add(s->loop, &s->stop_watch, s->stop_tfd, EPOLLIN, shutdown_on_deadline, s);
}

static uint32_t remaining_ms(const struct sup *s)
{
	uint64_t now = clock_mono_ns();
	return now >= s->stop_deadline_ns ? 0 : (uint32_t)((s->stop_deadline_ns - now) / 1000000u);
}

/* Tells w to finish its work within deadline_ms. False when there is nothing
 * to wait for (not running, or already drained). */
static bool shutdown_tell(struct worker *w, uint32_t deadline_ms)
{
	if (w->pid <= 0 || w->drained)
		return false;
	if (w->shutdown_sent)
		return true;
	if (w->sock < 0)
		return true; /* its death is imminent; reaping moves us on */
	int rc = worker_send(w, PROTO_SHUTDOWN, &deadline_ms, sizeof(deadline_ms));
	if (rc < 0) {
		worker_fail(w, "cannot be told to shut down");
		return true;
	}
	w->shutdown_sent = true;
	log_info("asked %s (pid %d) to finish within %u ms", w->name, (int)w->pid, deadline_ms);
	return true;
}

static uint32_t share(uint32_t ms, uint32_t margin)
{
	return ms > margin + 100 ? ms - margin : 100;
}

void shutdown_progress(struct sup *s)
{
	for (;;) {
		switch (s->phase) {
		case PHASE_RUNNING:
			return;
		case PHASE_STOP_DETECTOR:
			/* Half the time for judging; collections need the rest. */
			if (shutdown_tell(&s->workers[W_DETECTOR], remaining_ms(s) / 2))
				return;
			s->phase = PHASE_STOP_COLLECTOR;
			break;
		case PHASE_STOP_COLLECTOR: {
			struct worker *c = &s->workers[W_COLLECTOR];
			routing_flush(s);
			if (c->state == WS_STARTING && s->queue.count)
				return; /* deliver the last anomalies once it is ready */
			if (shutdown_tell(c, share(remaining_ms(s), 500)))
				return;
			if (s->queue.count)
				log_warn("%u anomalies were never delivered to collectord", s->queue.count);
			s->phase = PHASE_STOP_SWEEPER;
			break;
		}
		case PHASE_STOP_SWEEPER:
			if (shutdown_tell(&s->workers[W_SWEEPER], share(remaining_ms(s), 200)))
				return;
			s->phase = PHASE_STOP_WAIT;
			break;
		case PHASE_STOP_WAIT:
			if (children_any_alive(s))
				return;
			s->done = true;
			return;
		}
	}
}

void shutdown_begin(struct sup *s, int exit_status, const char *why)
{
	if (s->phase != PHASE_RUNNING)
		return;
	log_info("stopping: %s", why);
	notify_send("STOPPING=1");
	s->exit_status = exit_status;
	s->phase = PHASE_STOP_DETECTOR;
	source_replay_stop(s->replay);
	if (s->bpf)
		source_bpf_stop(s->bpf);
	for (int i = 0; i < W_NR; i++) {
		struct worker *w = &s->workers[i];
		if (w->state == WS_RESTARTING) {
			w->state = WS_STOPPED;
			timer_arm_ms(w->restart_tfd, 0);
		}
	}
	s->stop_deadline_ns = clock_mono_ns() + (uint64_t)s->cfg->shutdown_timeout_sec * 1000000000ull;
	timer_arm_abs_ns(s->stop_tfd, s->stop_deadline_ns);
	/* Queued before collectord's SHUTDOWN, which lets running
	 * collections finish until the deadline. */
	manual_shutdown_begin(s);
	shutdown_progress(s);
}

static void oneshot_finish(struct sup *s)
{
	struct ring_stats st;

	ring_get_stats(s->ring, &st);
	s->oneshot = ONESHOT_DONE;
	if (st.consumed != st.produced) {
		log_error("oneshot: detectord drained but consumed %" PRIu64 " of %" PRIu64 " events",
			  st.consumed, st.produced);
		shutdown_begin(s, SUP_EXIT_FAILURE, "oneshot replay was not judged completely");
		return;
	}
	log_info("oneshot: %" PRIu64 " events judged, %" PRIu64 " anomalies, %" PRIu64
		 " collections complete, %" PRIu64 " failed", st.consumed, s->anomalies_received,
		 s->collections_done, s->collections_failed);
	shutdown_begin(s, SUP_EXIT_OK, "oneshot replay judged and collected");
}

void oneshot_progress(struct sup *s)
{
	struct worker *d = &s->workers[W_DETECTOR];

	if (s->phase != PHASE_RUNNING)
		return;
	switch (s->oneshot) {
	case ONESHOT_FEEDING:
		if (!source_replay_finished(s->replay))
			return;
		s->oneshot = ONESHOT_DRAINING;
		/* fall through */
	case ONESHOT_DRAINING:
		if (!d->drained) {
			if (d->state == WS_FAILED) {
				shutdown_begin(s, SUP_EXIT_FAILURE, "oneshot: detectord cannot run");
				return;
			}
			if (d->state == WS_RUNNING && !d->shutdown_sent)
				shutdown_tell(d, s->cfg->shutdown_timeout_sec * 1000u);
			return;
		}
		s->oneshot = ONESHOT_COLLECTING;
		/* fall through */
	case ONESHOT_COLLECTING:
		if (s->queue.count && s->workers[W_COLLECTOR].state == WS_FAILED) {
			shutdown_begin(s, SUP_EXIT_FAILURE, "oneshot: collectord cannot run");
			return;
		}
		if (s->queue.count || s->in_flight)
			return;
		oneshot_finish(s);
		return;
	default:
		return;
	}
}
