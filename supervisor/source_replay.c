// SPDX-License-Identifier: GPL-2.0-only
/* The replay source: a recording fed into the ring, losslessly. */
#include "sources.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "log.h"
#include "recording.h"
#include "sup.h"
#include "clock.h"

#define REPLAY_BATCH 256
/* Events produced per loop wakeup before yielding to other fds. */
#define REPLAY_SLICE 8192

struct source_replay {
	struct sup *sup;
	struct recording_reader *rd;
	char path[256];
	bool max_speed;
	int tfd;
	struct loop_watch timer_watch;
	struct loop_watch space_watch;
	uint64_t base_ns;                 /* CLOCK_MONOTONIC of the recording's 0 */
	struct aod_event batch[REPLAY_BATCH];
	size_t n, pos;                    /* batch fill and next unproduced */
	bool eof, finished, stopped, waiting_space;
	uint64_t fed;
	uint64_t full_waits;              /* times the ring was full */
};

static void replay_on_error(unsigned long line, const char *reason, void *arg)
{
	struct source_replay *r = arg;
	if (line == 0) /* the file as a whole */
		log_error("cannot replay %s: %s", r->path, reason);
	else
		log_warn_rl("replay %s:%lu: %s; line skipped", r->path, line, reason);
}

static int replay_refill(struct source_replay *r)
{
	r->n = r->pos = 0;
	while (r->n < REPLAY_BATCH) {
		int rc = recording_next(r->rd, &r->batch[r->n]);
		if (rc < 0) {
			log_error("replay %s: read error after %" PRIu64 " events: %s", r->path,
				  r->fed + r->n, strerror(-rc));
			r->eof = true;
			return rc;
		}
		if (rc == 0) {
			r->eof = true;
			break;
		}
		r->batch[r->n].ts_ns += r->base_ns;
		r->n++;
	}
	return 0;
}

static void replay_finish(struct source_replay *r)
{
	r->finished = true;
	log_info("replay of %s finished: %" PRIu64 " events fed, %" PRIu64 " malformed lines skipped, "
		 "ring full %" PRIu64 " times", r->path, r->fed, recording_skipped(r->rd), r->full_waits);
}

/* How many of the batch's remaining events are due now. */
static size_t replay_due(struct source_replay *r)
{
	size_t avail = r->n - r->pos;

	if (r->max_speed)
		return avail;
	uint64_t now = clock_mono_ns();
	size_t due = 0;
	/* a grid record names a time, it does not happen at it: due at once */
	while (due < avail && (r->batch[r->pos + due].ts_ns <= now ||
			       r->batch[r->pos + due].kind == AOD_EV_GRID))
		due++;
	return due;
}

static void replay_feed(struct source_replay *r)
{
	struct ring *ring = r->sup->ring;
	size_t slice = 0;

	while (!r->stopped && !r->finished) {
		if (r->pos == r->n) {
			if (r->eof || replay_refill(r) < 0 || r->n == 0) {
				replay_finish(r);
				return;
			}
		}
		size_t due = replay_due(r);
		if (due == 0) {
			timer_arm_abs_ns(r->tfd, r->batch[r->pos].ts_ns);
			return;
		}
		size_t put = ring_produce(ring, &r->batch[r->pos], due);
		r->pos += put;
		r->fed += put;
		slice += put;
		if (put < due) {
			r->full_waits++;
			if (ring_producer_sleep(ring) == 0) {
				r->waiting_space = true; /* space_efd will wake us */
				return;
			}
			continue;
		}
		if (slice >= REPLAY_SLICE) {
			timer_arm_abs_ns(r->tfd, 1); /* yield, come back at once */
			return;
		}
	}
}

static void replay_on_timer(struct loop_watch *lw, uint32_t events)
{
	struct source_replay *r = lw->obj;
	(void)events;

	timer_ack(r->tfd);
	if (!r->waiting_space)
		replay_feed(r);
}

static void replay_on_space(struct loop_watch *lw, uint32_t events)
{
	struct source_replay *r = lw->obj;
	(void)events;

	ring_producer_awake(r->sup->ring);
	if (!r->waiting_space)
		return;
	r->waiting_space = false;
	replay_feed(r);
}

int source_replay_open(struct sup *s, const char *path, bool max_speed, struct source_replay **out)
{
	struct source_replay *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return -ENOMEM;
	r->sup = s;
	r->max_speed = max_speed;
	r->tfd = -1;
	r->timer_watch.fd = r->space_watch.fd = -1;
	snprintf(r->path, sizeof(r->path), "%s", path);
	char why[160];
	rc = recording_open(path, replay_on_error, r, &r->rd, why, sizeof(why));
	if (rc < 0) {
		log_error("cannot open recording %s: %s", path, why);
		free(r);
		return rc;
	}
	r->tfd = timer_new();
	if (r->tfd < 0 ||
	    (rc = loop_add(s->loop, &r->timer_watch, r->tfd, EPOLLIN, replay_on_timer, r)) < 0 ||
	    (rc = loop_add(s->loop, &r->space_watch, ring_space_fd(s->ring), EPOLLIN, replay_on_space, r)) < 0) {
		rc = r->tfd < 0 ? r->tfd : rc;
		log_error("replay: cannot set up its timers: %s", strerror(-rc));
		*out = r;
		return rc;
	}
	r->base_ns = clock_mono_ns();
	log_info("replaying %s (%s format) at %s", path,
		 recording_is_binary(r->rd) ? "binary" : "CSV", max_speed ? "maximum speed" : "recorded speed");
	timer_arm_abs_ns(r->tfd, 1); /* start from the loop */
	*out = r;
	return 0;
}

void source_replay_stop(struct source_replay *r)
{
	if (!r || r->stopped)
		return;
	r->stopped = true;
	timer_arm_ms(r->tfd, 0);
	if (!r->finished)
		log_info("replay of %s stopped after %" PRIu64 " events", r->path, r->fed);
}

bool source_replay_finished(const struct source_replay *r)
{
	return r && r->finished;
}

static const char *replay_state(const struct source_replay *r)
{
	return r->finished ? "finished" : r->stopped ? "stopped" : "feeding";
}

void source_replay_json(const struct source_replay *r, struct json *j)
{
	json_obj_begin(j);
	json_kv_str(j, "source", "replay");
	json_kv_str(j, "file", r->path);
	json_kv_str(j, "speed", r->max_speed ? "max" : "recorded");
	json_kv_str(j, "state", replay_state(r));
	json_kv_u64(j, "fed", r->fed);
	json_kv_u64(j, "skipped", recording_skipped(r->rd));
	json_kv_u64(j, "ring_full_waits", r->full_waits);
	json_obj_end(j);
}

void source_replay_text(const struct source_replay *r, FILE *f)
{
	fprintf(f, "replay of %s (%s speed): %s, %" PRIu64 " events fed, %" PRIu64 " lines skipped\n",
		r->path, r->max_speed ? "max" : "recorded", replay_state(r), r->fed,
		recording_skipped(r->rd));
}

void source_replay_close(struct source_replay *r)
{
	if (!r)
		return;
	loop_del(r->sup->loop, &r->timer_watch);
	loop_del(r->sup->loop, &r->space_watch);
	if (r->tfd >= 0)
		close(r->tfd);
	if (r->rd)
		recording_close(r->rd);
	free(r);
}
