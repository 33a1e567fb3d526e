// SPDX-License-Identifier: GPL-2.0-only
/*
 * detectord's turn of the skeleton's loop (wproc.h). Each turn: judge what the ring holds (bounded, so
 * the socket is served even while a fast replay keeps the ring full), close
 * the open window if the clock passed its end plus grace - only once the
 * ring is empty, so a slow reader never cuts a window short - tell the ring
 * what should wake us, arm the timer; then the loop sleeps and handles a
 * message.
 *
 * What wakes us: with a window open, a request at or above the smallest
 * emergency bound (or the ring half full), and the timer at the window's end
 * plus grace, or one interval from now when that is sooner; with no window
 * open, any event, and the timer one interval later as a fallback (an event
 * produced while the wake rule changes could otherwise wait for the next).
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "detectord.h"
#include "log.h"

/* Events judged before releasing them: the producer gets room back in
 * steps of this many. */
#define DETECTORD_BATCH 4096u

long detectord_drain(struct detectord *dd, size_t max)
{
	size_t total = 0;

	while (total < max && !dd->p->done) {
		const struct aod_event *ev;
		size_t want = max - total < DETECTORD_BATCH ? max - total : DETECTORD_BATCH;
		long n = ring_peek(dd->ring, &ev, want);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		detect_judge(dd->det, ev, (size_t)n);
		ring_release(dd->ring, (size_t)n); /* only now: judged */
		total += (size_t)n;
	}
	return (long)total;
}

static bool detectord_ring_empty(struct detectord *dd)
{
	const struct aod_event *ev;

	return ring_peek(dd->ring, &ev, 1) == 0;
}

static void detectord_set_wake(struct detectord *dd)
{
	uint64_t want = 0; /* no window open: the next event opens one */

	if (detect_deadline(dd->det)) {
		uint64_t e = detect_wake_latency_ns(dd->det);
		/* "slower than" the bound; the ring wakes at >= */
		want = e ? e + 1u : UINT64_MAX;
	}
	if (!dd->wake_set || want != dd->wake_ns) {
		ring_set_wake_latency(dd->ring, want);
		dd->wake_ns = want;
		dd->wake_set = true;
	}
}

/* Live, a window's deadline is at most one interval (plus grace) away and
 * the timer fires once per interval. Events stamped in the future (a replay
 * at maximum speed) would hold a deadline far off: then the timer fires every
 * interval anyway, so what sits in the ring is read at least that often. */
static int detectord_arm_timer(struct detectord *dd, uint64_t now)
{
	struct itimerspec its;
	uint64_t interval = detect_interval_ns(dd->det);
	uint64_t at = detect_deadline(dd->det);

	if (!at || at > now + interval + interval / 4u)
		at = now + interval;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(at / 1000000000u);
	its.it_value.tv_nsec = (long)(at % 1000000000u);
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1; /* zero would disarm */
	if (timerfd_settime(dd->timer.fd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		log_error("cannot arm the window timer: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* Judges, ticks, prepares the wakeups; returns the epoll timeout (0 when
 * there is more to do at once, -1 to sleep), or ends the worker. */
int detectord_prepare(struct wproc *p)
{
	struct detectord *dd = p->ctx;

	if (dd->slept) {
		ring_consumer_awake(dd->ring);
		dd->slept = false;
	}
	long n = detectord_drain(dd, dd->capacity);
	if (n < 0) {
		log_error("the event ring's positions are corrupt; exiting so the supervisor restarts us");
		wproc_exit(p, 1);
		return -1;
	}
	if (p->done || !detectord_ring_empty(dd))
		return 0;
	uint64_t now = clock_mono_ns();
	detect_tick(dd->det, now);
	detectord_set_wake(dd);
	if (detectord_arm_timer(dd, now) < 0) {
		wproc_exit(p, 1);
		return -1;
	}
	if (ring_consumer_sleep(dd->ring) == 1)
		return 0;
	dd->slept = true;
	return -1;
}

static void detectord_on_timer(struct loop_watch *w, uint32_t events)
{
	struct detectord *dd = w->obj;
	uint64_t expirations;

	(void)events;
	if (read(dd->timer.fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		log_warn("reading the window timer failed: %s", strerror(errno));
}

static void detectord_on_ring(struct loop_watch *w, uint32_t events)
{
	struct detectord *dd = w->obj;

	(void)events;
	if (!dd->slept)
		ring_consumer_awake(dd->ring); /* a stale wakeup: drain it */
}

int detectord_watch(struct wproc *p)
{
	struct detectord *dd = p->ctx;
	struct ring_stats rs;
	int rc;

	dd->p = p;
	if ((rc = loop_add_timer(p->loop, &dd->timer, detectord_on_timer, dd)) < 0 ||
	    (rc = loop_add(p->loop, &dd->ring_watch, ring_data_fd(dd->ring), EPOLLIN,
			   detectord_on_ring, dd)) < 0)
		return rc;
	ring_get_stats(dd->ring, &rs);
	dd->capacity = rs.capacity;
	dd->mono_to_wall = detect_clock_offset();
	return 0;
}
