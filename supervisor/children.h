/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The three workers: spawning (fork + exec with the fixed fd layout),
 * noticing death (SIGCHLD through the signalfd, EOF on the socketpair),
 * restarting with backoff (1 s doubling to 60 s, reset after 60 s of healthy
 * running), the give-up rule (5 deaths of one worker within 10 minutes) and
 * never restarting a worker that exited with the config-error status. After a
 * worker reports ready its uid and capabilities are checked from /proc.
 */
#ifndef SUP_CHILDREN_H
#define SUP_CHILDREN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "loop.h"
#include "proto.h"

struct sup;

enum worker_id { W_DETECTOR = 0, W_COLLECTOR = 1, W_SWEEPER = 2, W_NR = 3 };

enum worker_state {
	WS_STOPPED = 0, /* not started yet, or stopped on shutdown */
	WS_STARTING,    /* forked, not yet ready */
	WS_RUNNING,     /* reported ready */
	WS_RESTARTING,  /* dead, waiting for its backoff delay */
	WS_FAILED,      /* exited with the config-error status: not restarted */
};

#define WORKER_GIVE_UP_DEATHS 5
#define WORKER_GIVE_UP_WINDOW_NS (600ull * 1000000000ull)
#define WORKER_BACKOFF_FIRST_MS 1000u
#define WORKER_BACKOFF_MAX_MS 60000u
#define WORKER_HEALTHY_NS (60ull * 1000000000ull)
#define WORKER_MAX_CAPS 16

/* The restart policy's bookkeeping (backoff.c), pure over monotonic times
 * so it can be tested without waiting minutes. */
struct backoff {
	uint32_t next_ms;                        /* delay of the next restart */
	uint64_t deaths[WORKER_GIVE_UP_DEATHS];  /* monotonic ns, a ring */
	unsigned n_deaths;
};

void backoff_init(struct backoff *b);
/* Records a death at now. ready_ns: when the dead process reported ready (0:
 * never); 60 s of running since then starts the delay over at 1 s. Returns
 * true when this is the 5th death within 10 minutes (give up); else stores
 * the restart delay (1 s doubling to 60 s) in *delay_ms. */
bool backoff_death(struct backoff *b, uint64_t ready_ns, uint64_t now, uint32_t *delay_ms);

struct worker {
	struct sup *sup;
	enum worker_id id;
	const char *name;          /* "detectord" */
	enum worker_state state;
	pid_t pid;                 /* 0 when not running */
	int sock;                  /* our end of the socketpair, -1 when closed */
	struct loop_watch sock_watch;
	int restart_tfd;
	struct loop_watch restart_watch;
	uint64_t started_ns, ready_ns;
	unsigned restarts;
	struct backoff backoff;    /* restart delay and recent deaths */
	bool out_blocked;          /* EPOLLOUT wanted (collectord's queue) */

	/* expected and observed identity */
	int caps[WORKER_MAX_CAPS];
	int n_caps;
	uid_t uid;                 /* observed from /proc, (uid_t)-1 unknown */
	char cap_names[256];       /* observed effective caps, "none" or "cap_syslog,..." */
	bool verified;

	bool lost;                 /* socket gone: killed unless it exits soon */
	unsigned config_pending;   /* PROTO_CONFIG sent, acks outstanding */

	/* shutdown */
	bool shutdown_sent, drained;

	/* last stats reply */
	bool stats_valid;
	union {
		struct proto_stats_detector det;
		struct proto_stats_collector col;
		struct proto_stats_sweeper swp;
	} stats;
};

const char *worker_state_name(enum worker_state st);
int children_init(struct sup *s);
/* Starts every worker not yet running. */
int children_start_all(struct sup *s);
int worker_spawn(struct worker *w);
/* Sends the current config (PROTO_CONFIG); 0 or -errno. */
int worker_send_config(struct worker *w);
/* Sends one message; on a full socket returns -EAGAIN, on failure logs. */
int worker_send(struct worker *w, uint16_t type, const void *body, size_t len);
/* The worker misbehaved: log why, kill it; its death path restarts it. */
void worker_fail(struct worker *w, const char *why);
/* Reaps every exited child and handles each death. */
void children_reap(struct sup *s);
/* A restart attempt failed before a process existed: counts as a death. */
void children_died_without_pid(struct worker *w);
/* The worker's socket hit EOF or an error. */
void worker_lost(struct worker *w, const char *why);
void worker_ready(struct worker *w);
/* SIGKILLs every live worker. */
void children_kill_all(struct sup *s);
bool children_any_alive(const struct sup *s);
void children_close(struct sup *s);
/* Reads uid and CapEff/CapPrm/CapAmb of pid from /proc; 0 or -errno. */
int proc_identity(pid_t pid, uid_t *uid, uint64_t *eff, uint64_t *prm, uint64_t *amb);
/* "cap_syslog,cap_net_raw" or "none" for a capability mask. */
void caps_mask_names(uint64_t mask, char *buf, size_t len);

#endif
