/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aodv2-detectord, the worker: its one context and the pieces of its life.
 *
 * Promise: events are released from the ring only after they were judged,
 * messages from the supervisor are handled only between batches (so a reload
 * never splits one), and the process sleeps in epoll_wait whenever there is
 * nothing to judge: woken by the supervisor's socket, by the ring (an event
 * at or above the emergency bound, the ring half full, or - while no window
 * is open - any event), or by its timer at the open window's end plus grace.
 */
#ifndef AOD_DETECTORD_H
#define AOD_DETECTORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect.h"
#include "msg.h"
#include "ring.h"

#include "wproc.h"

/* fds the supervisor hands detectord besides its socket on fd 3 (its row's
 * extra_fds) */
#define DETECTORD_RING_MEMFD 4
#define DETECTORD_RING_DATA_FD 5
#define DETECTORD_RING_SPACE_FD 6

struct detectord {
	struct wproc *p;       /* the skeleton running it */
	struct ring *ring;
	struct loop_watch timer, ring_watch; /* timer.fd: the window timerfd */
	struct detect *det;    /* NULL until the first config */
	int64_t mono_to_wall;  /* fixed at start: one conversion for the process */
	uint64_t wake_ns;      /* the wake latency the ring was last given */
	bool wake_set;         /* false until the first ring_set_wake_latency */
	bool slept;            /* the last wait slept on the ring's eventfd */
	size_t capacity;       /* the ring's, in events */
};

/* detectord's row of the worker skeleton (messages.c). */
extern const struct wproc_desc detectord_proc;
/* what detectord may do once it runs (confine.c) */
extern const struct sandbox_policy detectord_sandbox;

/* Attaches the ring on its fds and runs the skeleton on sock; returns the
 * exit status. */
int detectord_run(int sock);

/* The loop's side (loop.c). detectord_watch: the window timer and the
 * ring's data eventfd in the loop; 0 or -errno. */
int detectord_watch(struct wproc *p);
/* Before each wait: judges, ticks, prepares the wakeups; the wait's
 * timeout. */
int detectord_prepare(struct wproc *p);
/* Judges what the ring holds, up to max events; returns how many, or
 * -EBADMSG when the ring's positions are corrupt. */
long detectord_drain(struct detectord *dd, size_t max);

#endif
