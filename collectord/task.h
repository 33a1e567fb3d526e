/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One running QuickAction (internal to the collector): its child process
 * group, the pipes its stdout and stderr arrive on, and the timer that
 * enforces its planned duration and its timeout.
 *
 * Promise: a task ends (collector_task_done) only when its process was
 * reaped and both pipes reached EOF, or, for a process group that outlives
 * SIGKILL by COLLECTOR_KILL_GRACE_MS, when it is abandoned; its result then
 * says what happened.
 */
#ifndef AOD_TASK_H
#define AOD_TASK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "collector.h"
#include "zsink.h"

enum task_phase {
	TASK_RUNNING = 0,
	TASK_KILLED_TIMEOUT,  /* SIGKILL at action_timeout_sec */
	TASK_KILLED_SHUTDOWN, /* SIGKILL at the shutdown deadline */
};

struct task {
	struct task *next;
	struct collector *c;
	struct collection *col;
	struct action_result *res;
	pid_t pid; /* also the process group */
	bool reaped;
	bool sigterm_sent;
	enum task_phase phase;
	struct loop_watch out, err, timer; /* .fd holds the fd, watched or not */
	struct zsink sink;
	bool sink_open;
	bool write_failed; /* a write error was counted */
	uint64_t soft_at_ns; /* SIGTERM the leader then (0: never) */
	bool ready;          /* the plan's ready_marker was seen on stderr */
	bool soft_due;       /* the soft stop waits for ready */
	uint64_t kill_at_ns; /* SIGKILL the group then */
};

/* Plans and starts res. Returns the running task, or NULL when res is
 * already final (not available, or it could not be started: res says why). */
struct task *task_start(struct collector *c, struct collection *col, struct action_result *res);
/* The child leader pid was reaped with status. */
void task_exited(struct task *t, int status);
/* SIGKILLs the process group now (shutdown deadline). */
void task_kill(struct task *t, enum task_phase why);
/* Releases everything without waiting (collector_fini). */
void task_discard(struct task *t);

/* Provided by collector.c: t is final; unlink and free it, start the next. */
void collector_task_done(struct collector *c, struct task *t);

#endif
