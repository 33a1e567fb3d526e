// SPDX-License-Identifier: GPL-2.0-only
#include "shutdown.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>

#include "log.h"
#include "manual.h"
#include "notify.h"
#include "children.h"
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

static uint32_t share(uint32_t ms, uint32_t margin)
{
	return ms > margin + 100 ? ms - margin : 100;
}

/* A row's share of the time left: stop_pct percent of it, less the margin
 * kept for the workers after it (at least 100 ms when there is a margin). */
static uint32_t worker_deadline_ms(const struct sup *s, const struct worker *w)
{
	uint32_t ms = (uint32_t)((uint64_t)remaining_ms(s) * w->kind->stop_pct / 100u);
	return w->kind->stop_margin_ms ? share(ms, w->kind->stop_margin_ms) : ms;
}

static struct worker *worker_of_rank(struct sup *s, unsigned rank)
{
	for (int i = 0; i < W_NR; i++)
		if (s->workers[i].kind->stop_rank == rank)
			return &s->workers[i];
	return NULL;
}

void shutdown_progress(struct sup *s)
{
	if (s->phase == PHASE_RUNNING)
		return;
	/* PHASE_STOPPING: tell each worker in rank order, once those before it
	 * have nothing left to wait for. */
	for (; s->phase == PHASE_STOPPING && s->stop_rank < W_NR; s->stop_rank++) {
		struct worker *w = worker_of_rank(s, s->stop_rank);
		if (!w)
			continue;
		if (w->kind->stop_hold && w->kind->stop_hold(w))
			return;
		if (worker_stop(w, worker_deadline_ms(s, w)))
			return;
	}
	if (s->phase == PHASE_STOPPING) {
		if (s->queue.count)
			log_warn("%u anomalies were never delivered to collectord", s->queue.count);
		s->phase = PHASE_STOP_WAIT;
	}
	if (!children_any_alive(s))
		s->done = true;
}

void shutdown_begin(struct sup *s, int exit_status, const char *why)
{
	if (s->phase != PHASE_RUNNING)
		return;
	log_info("stopping: %s", why);
	notify_send("STOPPING=1");
	s->exit_status = exit_status;
	s->phase = PHASE_STOPPING;
	s->stop_rank = 0;
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
}
