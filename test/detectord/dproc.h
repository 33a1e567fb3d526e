/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The real aodv2-detectord in a child process, started the way the
 * supervisor starts it: its socket on fd 3 and a ring this process creates
 * (and produces into) on fds 4-6, dropping to "nobody" when run as root or
 * to the current user otherwise. Shared by the multi-process tests and the
 * benchmark; functions return 0 or -errno and never abort.
 */
#ifndef AOD_DPROC_H
#define AOD_DPROC_H

#include <stdint.h>
#include <sys/types.h>

#include "msg.h"
#include "ring.h"

struct dproc {
	pid_t pid;
	int sock;
	struct ring *ring;
	struct msg *m;
};

/* The binary: $AOD_DETECTORD_BIN, else the build tree's. */
const char *dproc_binary(void);
/* The user the child is told to run as. */
const char *dproc_user(void);

int dproc_start(struct dproc *p, uint32_t ring_capacity);
int dproc_send(struct dproc *p, uint16_t type, const void *body, size_t len);
/* The next message into p->m: 1, 0 on timeout, -errno (-EPIPE on EOF). */
int dproc_recv(struct dproc *p, int timeout_ms);
/* Exit status (128 + signal when killed), or -ETIMEDOUT. */
int dproc_wait(struct dproc *p, int timeout_ms);
/* Kills the child if it still runs and frees everything. */
void dproc_stop(struct dproc *p);

uint64_t dproc_mono_ns(void);
void dproc_sleep_until(uint64_t mono_ns);

#endif
