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

/* fds the supervisor hands detectord besides its socket on fd 3 */
#define DD_RING_MEMFD 4
#define DD_RING_DATA_FD 5
#define DD_RING_SPACE_FD 6

/* Exit statuses (see the worker conventions). */
#define DD_EXIT_OK 0
#define DD_EXIT_FAILURE 1

struct detectord {
	int sock;              /* to the supervisor (MSG_WORKER_FD) */
	struct ring *ring;
	int epfd, tfd;
	struct detect *det;    /* NULL until the first config */
	int64_t mono_to_wall;  /* fixed at start: one conversion for the process */
	uint64_t wake_ns;      /* the wake latency the ring was last given */
	bool wake_set;         /* false until the first ring_set_wake_latency */
	struct msg *msg;       /* receive buffer (MSG_MAX_BODY is large) */
	bool done;
	int exit_status;
};

/* Handles one message from the supervisor (validated here). Sets dd->done
 * and dd->exit_status when the worker must stop. */
void dd_handle_message(struct detectord *dd, const struct msg *m);
/* Receives and handles one message; EOF and errors end the worker. */
void dd_read_socket(struct detectord *dd);

/* Sends a message to the supervisor; a failure ends the worker (status 1). */
int dd_send(struct detectord *dd, uint16_t type, const void *body, size_t len);

/* Judges what the ring holds, up to max events; returns how many, or
 * -EBADMSG when the ring's positions are corrupt. */
long dd_drain(struct detectord *dd, size_t max);
/* The epoll loop; returns the exit status. */
int dd_loop(struct detectord *dd);

#endif
