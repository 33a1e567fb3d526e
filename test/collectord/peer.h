/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The supervisor's end of a worker's socket, for worker protocol tests: the
 * worker runs in a forked child on the other end.
 */
#ifndef AOD_TEST_PEER_H
#define AOD_TEST_PEER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "msg.h"

struct peer {
	int sock;     /* our end */
	pid_t pid;    /* the worker */
	struct msg *m;
};

/* Forks a child that runs fn(sock, arg) and exits with its return value. */
void peer_start(struct peer *p, int (*fn)(int sock, void *arg), void *arg);
void peer_send(struct peer *p, uint16_t type, const void *body, size_t len);
/* Waits up to timeout_ms for a message; fails the test unless it is of type
 * want. Returns p->m. */
const struct msg *peer_expect(struct peer *p, uint16_t want, int timeout_ms);
/* Waits up to timeout_ms for the worker to exit; returns its exit status
 * (-1 on timeout, 128+signal when killed). */
int peer_wait(struct peer *p, int timeout_ms);
/* Closes our end, kills the worker if still there. */
void peer_stop(struct peer *p);

#endif
