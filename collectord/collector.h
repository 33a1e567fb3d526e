/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The collection engine: turns anomalies into collections by running their
 * QuickActions, at most watcher.max_concurrent_tasks at once across all
 * collections (first come, first started), each killed with its process
 * group at watcher.action_timeout_sec. Output streams from each action's pipe
 * through zstd into its file; the loop never blocks on a child.
 *
 * Promise: every collector_submit ends in exactly one hooks.done call (at
 * once when the anomaly cannot be collected at all), after the collection
 * was renamed complete (or failed); nothing a child does (hang, flood,
 * ignore SIGTERM, fork grandchildren, hold its pipe open) stops that.
 *
 * The collector reaps its children through a signalfd for SIGCHLD, which it
 * blocks in the calling process; it reaps every child of the process.
 */
#ifndef AOD_COLLECTOR_H
#define AOD_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "blocked.h"
#include "collection.h"
#include "config.h"
#include "flightrec.h"
#include "loop.h"
#include "proto.h"
#include "qa.h"

/* How long a process group may take to die after SIGKILL before its task is
 * abandoned (a process stuck in uninterruptible sleep). */
#define COLLECTOR_KILL_GRACE_MS 2000
/* Output read per wakeup of one action before the loop serves the others. */
#define COLLECTOR_READ_CHUNK 65536
#define COLLECTOR_READS_PER_WAKEUP 16

struct task;

struct collector_hooks {
	void (*done)(void *arg, const struct collection *col);
	void *arg;
};

struct collector {
	struct loop *loop;
	struct qa_env env;
	const struct aod_config *cfg; /* not owned; replaced by collector_set_config */
	struct collector_hooks hooks;
	struct collection *head, *tail; /* unfinished collections, in arrival order */
	struct task *tasks;             /* running actions */
	unsigned running;
	bool stopping;                  /* shutting down: start nothing new */
	struct loop_watch sigchld;
	struct proto_stats_collector stats;
	unsigned char *readbuf;         /* COLLECTOR_READ_CHUNK */
	void *zbuf;                     /* ZSTD_CStreamOutSize(), shared by all sinks */
	size_t zcap;
	struct flightrec_stash rec;     /* the flight recorder's inputs for the next anomaly */
	struct blocked_store blocked;   /* the supervisor's blocked_tasks snapshots */
};

/* env is copied (its strings must outlive the collector). Returns 0 or -errno. */
int collector_init(struct collector *c, struct loop *loop, const struct qa_env *env,
		   const struct collector_hooks *hooks);
/* Kills every running action's process group and frees everything;
 * unfinished collections are left as .partial folders. */
void collector_fini(struct collector *c);
/* Uses cfg for anomalies from now on (running collections keep theirs). */
void collector_set_config(struct collector *c, const struct aod_config *cfg);
/* Whether collectord can work with cfg; reason filled when not. */
int collector_check_config(const struct aod_config *cfg, char *reason, size_t cap);
/* Starts a collection for a validated anomaly. The actions are those of the
 * anomaly the name names in guardian.anomalies. A MANUAL anomaly (aodctl
 * collect) whose name is not configured ("manual", or empty) runs every
 * watcher.actions entry. Any other anomaly the config does not know (a
 * reload raced the detector) is refused: hooks.done with status -ENOENT,
 * nothing written. */
void collector_submit(struct collector *c, const struct proto_anomaly *a);
/* A flight recorder input for the anomaly that follows (fd is taken). */
void collector_recorder_input(struct collector *c, const struct proto_recorder_input *in, int fd);
/* True when no collection is unfinished. */
bool collector_idle(const struct collector *c);
/* The counters for PROTO_STATS_COLLECTOR ("running" = unfinished
 * collections; actions_failed includes actions_timed_out). */
void collector_stats(const struct collector *c, struct proto_stats_collector *out);
/* Shutdown, step 1: start no more actions; those not started are recorded
 * as not run. Step 2 (collector_kill_all): SIGKILL what still runs. */
void collector_stop(struct collector *c);
void collector_kill_all(struct collector *c);

#endif
