// SPDX-License-Identifier: GPL-2.0-only
/*
 * detectord's epoll loop. Each turn: judge what the ring holds (bounded, so
 * the socket is served even while a fast replay keeps the ring full), close
 * the open window if the clock passed its end plus grace - only once the
 * ring is empty, so a slow reader never cuts a window short - tell the ring
 * what should wake us, arm the timer, sleep, handle one message.
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

#include "detectord.h"
#include "log.h"
#include "clock.h"

/* Events judged before releasing them: the producer gets room back in
 * steps of this many. */
#define DD_BATCH 4096u

long dd_drain(struct detectord *dd, size_t max)
{
	size_t total = 0;

	while (total < max && !dd->done) {
		const struct aod_event *ev;
		size_t want = max - total < DD_BATCH ? max - total : DD_BATCH;
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

static bool dd_ring_empty(struct detectord *dd)
{
	const struct aod_event *ev;

	return ring_peek(dd->ring, &ev, 1) == 0;
}

static void dd_set_wake(struct detectord *dd)
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
static int dd_arm_timer(struct detectord *dd, uint64_t now)
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
	if (timerfd_settime(dd->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		log_error("cannot arm the window timer: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* Judges, ticks, prepares the wakeups; returns the epoll timeout (0 when
 * there is more to do at once, -1 to sleep) or -1 with dd->done set. */
static int dd_work(struct detectord *dd, size_t capacity, bool *slept)
{
	long n = dd_drain(dd, capacity);

	if (n < 0) {
		log_error("the event ring's positions are corrupt; exiting so the supervisor restarts us");
		dd->done = true;
		dd->exit_status = DD_EXIT_FAILURE;
		return -1;
	}
	if (dd->done)
		return -1;
	if (!dd_ring_empty(dd))
		return 0;
	uint64_t now = clock_mono_ns();
	detect_tick(dd->det, now);
	dd_set_wake(dd);
	if (dd_arm_timer(dd, now) < 0) {
		dd->done = true;
		dd->exit_status = DD_EXIT_FAILURE;
		return -1;
	}
	if (ring_consumer_sleep(dd->ring) == 1)
		return 0;
	*slept = true;
	return -1;
}

int dd_loop(struct detectord *dd)
{
	struct ring_stats rs;

	ring_get_stats(dd->ring, &rs);
	while (!dd->done) {
		struct epoll_event evs[4];
		bool slept = false;
		int timeout = -1;

		if (dd->det) {
			timeout = dd_work(dd, rs.capacity, &slept);
			if (dd->done)
				break;
		}
		int k = epoll_wait(dd->epfd, evs, 4, timeout);
		if (slept)
			ring_consumer_awake(dd->ring);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			log_error("epoll_wait failed: %s", strerror(errno));
			return DD_EXIT_FAILURE;
		}
		for (int i = 0; i < k && !dd->done; i++) {
			int fd = evs[i].data.fd;
			if (fd == dd->sock) {
				dd_read_socket(dd);
			} else if (fd == dd->tfd) {
				uint64_t expirations;
				if (read(dd->tfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
					log_warn("reading the window timer failed: %s", strerror(errno));
			} else if (!slept) {
				ring_consumer_awake(dd->ring); /* a stale wakeup: drain it */
			}
		}
	}
	return dd->exit_status;
}
