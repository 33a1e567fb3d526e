/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running the workers of the worker table (worker_table.h): spawning (fork +
 * exec with the fixed fd layout), noticing death (SIGCHLD through the
 * signalfd, EOF on the socketpair), restarting with backoff (backoff.h) and
 * never restarting a worker that exited with the config-error status. After
 * a worker reports ready its uid and capabilities are checked from /proc.
 *
 * Control flows down: this module records what happened in struct worker
 * (state, gave_up, drained, stats) and the supervisor's loop settles what
 * follows from it (settle.h); nothing here calls back up.
 */
#ifndef SUP_CHILDREN_H
#define SUP_CHILDREN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "loop.h"
#include "worker.h"

struct sup;

const char *worker_state_name(enum worker_state st);
/* One worker per row of table; on_io reads a worker's socket. */
int children_init(struct sup *s, const struct worker_kind *table,
		  void (*on_io)(struct loop_watch *lw, uint32_t events));
/* Starts every worker not yet running. */
int children_start_all(struct sup *s);
int worker_spawn(struct worker *w);
/* Sends the current config (PROTO_CONFIG); 0 or -errno. */
int worker_send_config(struct worker *w);
/* Sends one message; on a full socket returns -EAGAIN, on failure logs. */
int worker_send(struct worker *w, uint16_t type, const void *body, size_t len);
/* Tells w to finish its work within deadline_ms (PROTO_SHUTDOWN, once).
 * False when there is nothing to wait for (not running, or drained). */
bool worker_stop(struct worker *w, uint32_t deadline_ms);
/* The worker misbehaved: log why, kill it; its death path restarts it. */
void worker_fail(struct worker *w, const char *why);
/* Reaps every exited child and handles each death. */
void children_reap(struct sup *s);
/* A restart attempt failed before a process existed: counts as a death. */
void children_died_without_pid(struct worker *w);
/* The worker's socket hit EOF or an error. */
void worker_lost(struct worker *w, const char *why);
void worker_ready(struct worker *w);
/* A valid reply to PROTO_STATS_REQ: kept for status. */
void worker_stats(struct worker *w, const void *body, size_t len);
/* SIGKILLs every live worker. */
void children_kill_all(struct sup *s);
bool children_any_alive(const struct sup *s);
/* True when one worker died too often (the supervisor gives up). */
bool children_gave_up(const struct sup *s);
void children_close(struct sup *s);
/* Reads uid and CapEff/CapPrm/CapAmb of pid from /proc; 0 or -errno. */
int proc_identity(pid_t pid, uid_t *uid, uint64_t *eff, uint64_t *prm, uint64_t *amb);
/* "cap_syslog,cap_net_raw" or "none" for a capability mask. */
void caps_mask_names(uint64_t mask, char *buf, size_t len);

#endif
