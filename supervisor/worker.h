/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A worker as the supervisor sees it: its kind (one row of the worker table,
 * worker_table.h: what differs between workers) and the state of its current
 * process (what the supervisor tracks the same way for every worker). Types
 * only: the supervisor's context (sup.h) holds the workers without depending
 * on the code that runs them (children.h).
 */
#ifndef SUP_WORKER_H
#define SUP_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "backoff.h"
#include "loop.h"
#include "proto.h"

struct sup;
struct msg;
struct worker;
struct aod_config;

/* Names the rows, for the code specific to one worker (which anomaly
 * routing, oneshot and the status sections are); the generic code loops. */
enum worker_id { W_DETECTOR = 0, W_COLLECTOR = 1, W_SWEEPER = 2, W_NR = 3 };

enum worker_state {
	WS_STOPPED = 0, /* not started yet, or stopped on shutdown */
	WS_STARTING,    /* forked, not yet ready */
	WS_RUNNING,     /* reported ready */
	WS_NOT_ANSWERING, /* ready, but its last PING is unanswered for long (watchdog.h) */
	WS_RESTARTING,  /* dead, waiting for its backoff delay */
	WS_FAILED,      /* exited with the config-error status, or gave up: not restarted */
};

#define WORKER_MAX_CAPS 16
#define WORKER_MAX_EXTRA_FDS 3

/* A worker's PROTO_STATS_* reply, by kind. */
union worker_stats {
	struct proto_stats_detector det;
	struct proto_stats_collector col;
	struct proto_stats_sweeper swp;
};

/* One row of the worker table. Hooks left NULL mean "nothing of the kind". */
struct worker_kind {
	const char *name;        /* "detectord": runs aodv2-detectord, lives in detectord/ */
	/* Descriptors it gets after its socket (fd 3), from fd 4 on; returns
	 * how many (detectord: the event ring's three). */
	int (*extra_fds)(struct sup *s, int fds[WORKER_MAX_EXTRA_FDS]);
	/* The capabilities it keeps after dropping privileges: fills caps,
	 * returns how many. NULL: none. */
	int (*plan_caps)(const struct aod_config *cfg, int caps[WORKER_MAX_CAPS]);
	/* Its reply to PROTO_STATS_REQ and the protocol's validator for it. */
	uint16_t stats_type;
	bool (*stats_valid)(const void *body, size_t len);
	/* Its figures across restarts (stats_carry.h): out = carried plus a
	 * valid reply; reply NULL: what carries over once the process died. */
	void (*stats_fold)(union worker_stats *out, const union worker_stats *carried,
			   const void *reply);
	/* The messages only this worker sends (besides READY, CONFIG_ACK,
	 * DRAINED and its stats); false when m is none of them or invalid. */
	bool (*dispatch)(struct worker *w, const struct msg *m);
	/* Its first CONFIG went out (each start): what else it needs to know
	 * before its work, sent right behind it. */
	void (*after_config)(struct worker *w);
	/* Every configuration sent to it is applied. */
	void (*config_applied)(struct worker *w);
	/* Its process is gone: account for what it had in hand. */
	void (*forget)(struct worker *w);
	/* Shutdown: workers are told to finish in increasing stop_rank, each
	 * once those before it are done. Its deadline is stop_pct percent of
	 * the time left, less stop_margin_ms kept for those after it. */
	unsigned stop_rank;
	unsigned stop_pct;
	uint32_t stop_margin_ms;
	/* True while it must not be told to stop yet. */
	bool (*stop_hold)(struct worker *w);
};

/* The watchdog's view of one worker process (watchdog.h). */
struct worker_ping {
	uint64_t seq;        /* of the last PING */
	uint64_t sent_ns;    /* monotonic; 0: none outstanding */
	bool unsent;         /* its socket was full: sent again at the next tick */
};

struct worker {
	struct sup *sup;
	enum worker_id id;
	const struct worker_kind *kind;
	const char *name;          /* kind->name */
	enum worker_state state;
	pid_t pid;                 /* 0 when not running */
	int sock;                  /* our end of the socketpair, -1 when closed */
	struct loop_watch sock_watch;
	void (*on_io)(struct loop_watch *lw, uint32_t events); /* its socket's reader */
	int restart_tfd;
	struct loop_watch restart_watch;
	uint64_t started_ns, ready_ns;
	uint64_t started_reloads;  /* sup->reloads when it started */
	unsigned restarts;
	struct backoff backoff;    /* restart delay and recent deaths */
	bool gave_up;              /* died too often: the supervisor stops */
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

	struct worker_ping ping;

	/* statistics: what status shows (the last valid reply folded onto
	 * what earlier processes of this worker counted), whether one is
	 * awaited, and those earlier processes' figures */
	bool stats_valid, stats_asked;
	union worker_stats stats;
	union worker_stats carried;
};

#endif
