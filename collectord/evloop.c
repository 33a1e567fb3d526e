// SPDX-License-Identifier: GPL-2.0-only
#include "evloop.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

int evloop_init(struct evloop *loop)
{
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	return loop->epfd < 0 ? -errno : 0;
}

void evloop_fini(struct evloop *loop)
{
	if (loop->epfd >= 0)
		close(loop->epfd);
	loop->epfd = -1;
}

int evloop_add(struct evloop *loop, struct ev_source *src, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };
	return epoll_ctl(loop->epfd, EPOLL_CTL_ADD, src->fd, &ev) == 0 ? 0 : -errno;
}

void evloop_close(struct evloop *loop, struct ev_source *src)
{
	if (src->fd < 0)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, src->fd, NULL);
	close(src->fd);
	src->fd = -1;
}

int evloop_run_once(struct evloop *loop, int timeout_ms)
{
	struct epoll_event ev;
	int n = epoll_wait(loop->epfd, &ev, 1, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (n == 0)
		return 0;
	struct ev_source *src = ev.data.ptr;
	src->fn(src, ev.events);
	return 1;
}
