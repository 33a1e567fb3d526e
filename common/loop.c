// SPDX-License-Identifier: GPL-2.0-only
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

struct loop {
	int epfd;
	unsigned batch;
};

int loop_open(struct loop **out, unsigned batch)
{
	if (batch == 0 || batch > LOOP_BATCH_MAX)
		return -EINVAL;
	struct loop *l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->batch = batch;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		int rc = -errno;
		free(l);
		return rc;
	}
	*out = l;
	return 0;
}

void loop_close(struct loop *l)
{
	if (!l)
		return;
	close(l->epfd);
	free(l);
}

int loop_add(struct loop *l, struct loop_watch *w, int fd, uint32_t events, loop_fn fn, void *obj)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	w->fn = fn;
	w->obj = obj;
	w->fd = fd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		w->fd = -1;
		return -errno;
	}
	return 0;
}

int loop_mod(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (w->fd < 0)
		return -EBADF;
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &ev) == 0 ? 0 : -errno;
}

void loop_del(struct loop *l, struct loop_watch *w)
{
	if (w->fd < 0)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->fd = -1;
}

void loop_del_close(struct loop *l, struct loop_watch *w)
{
	int fd = w->fd;

	if (fd < 0)
		return;
	loop_del(l, w);
	close(fd);
}

/* A callback may unregister (and free) any watch, including ones later in
 * this batch; callers close fds only after loop_del, and objects that can
 * disappear mid-batch are freed from a deferred list by their owners. */
int loop_run_once(struct loop *l, int timeout_ms)
{
	struct epoll_event evs[LOOP_BATCH_MAX];
	int n = epoll_wait(l->epfd, evs, (int)l->batch, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct loop_watch *w = evs[i].data.ptr;
		if (w->fd >= 0)
			w->fn(w, evs[i].events);
	}
	return 0;
}

int loop_add_signals(struct loop *l, struct loop_watch *w, const sigset_t *set, loop_fn fn,
		     void *obj)
{
	if (sigprocmask(SIG_BLOCK, set, NULL) != 0)
		return -errno;
	int fd = signalfd(-1, set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = loop_add(l, w, fd, EPOLLIN, fn, obj);
	if (rc < 0)
		close(fd);
	return rc;
}

int timer_new(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int loop_add_timer(struct loop *l, struct loop_watch *w, loop_fn fn, void *obj)
{
	int fd = timer_new();

	if (fd < 0)
		return fd;
	int rc = loop_add(l, w, fd, EPOLLIN, fn, obj);
	if (rc < 0)
		close(fd);
	return rc;
}

/* Arming a timerfd we created, with a valid time, cannot fail; if it does
 * the supervisor's schedule (restarts, deadlines) is broken, and carrying
 * on would leave a worker never restarted or a shutdown without end. */
static void timer_settime_or_die(int tfd, int flags, const struct itimerspec *its)
{
	if (timerfd_settime(tfd, flags, its, NULL) == 0)
		return;
	log_error("arming timer fd %d: %s; aborting (a bug: the schedule would be lost)", tfd,
		  strerror(errno));
	abort();
}

void timer_arm_ms(int tfd, uint64_t ms)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = (time_t)(ms / 1000);
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
	timer_settime_or_die(tfd, 0, &its);
}

void timer_arm_abs_ns(int tfd, uint64_t mono)
{
	struct itimerspec its = { 0 };

	if (mono == 0)
		mono = 1; /* 0 would disarm; 1 ns is long past, so it fires at once */
	its.it_value.tv_sec = (time_t)(mono / 1000000000ull);
	its.it_value.tv_nsec = (long)(mono % 1000000000ull);
	timer_settime_or_die(tfd, TFD_TIMER_ABSTIME, &its);
}

void timer_ack(int tfd)
{
	uint64_t n;
	while (read(tfd, &n, sizeof(n)) < 0 && errno == EINTR)
		;
}

