/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal epoll dispatcher: each registered fd carries a handler. One event
 * is dispatched per wait, so a handler may close and free any other source
 * without a stale event for it being delivered afterwards.
 */
#ifndef AOD_EVLOOP_H
#define AOD_EVLOOP_H

#include <stdint.h>

struct ev_source {
	int fd;
	void (*fn)(struct ev_source *src, uint32_t events);
};

struct evloop {
	int epfd;
};

int evloop_init(struct evloop *loop);
void evloop_fini(struct evloop *loop);
/* Returns 0 or -errno. */
int evloop_add(struct evloop *loop, struct ev_source *src, uint32_t events);
/* Removes src from the loop, closes its fd and sets it to -1. */
void evloop_close(struct evloop *loop, struct ev_source *src);
/* Waits up to timeout_ms (-1: forever) and dispatches at most one event.
 * Returns 1 when one was dispatched, 0 on timeout or EINTR, -errno. */
int evloop_run_once(struct evloop *loop, int timeout_ms);

#endif
