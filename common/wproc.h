/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one skeleton every aodv2 worker (detectord, collectord, sweeperd) runs
 * on, as relayd's proc.c runs its processes: a worker is a struct wproc_desc
 * (its row) plus its own logic; everything every worker does the same way
 * happens here, once.
 *
 * What the skeleton promises, in this order:
 *  - the command line, the same for every worker:
 *      aodv2-<name> [-f|--foreground] [--user USER] [--caps LIST] | --help | --version
 *    (the supervisor passes -f when it runs in the foreground, --user always,
 *    --caps when the worker keeps capabilities; without --user the worker
 *    drops to AOD_SERVICE_USER, or AOD_FALLBACK_USER);
 *  - logging as "aodv2-<name>" (log.h), -f also to stderr;
 *  - started by the supervisor only: fd MSG_WORKER_FD must be open, else
 *    exit 1; fds MSG_WORKER_FD+1 .. MSG_WORKER_FD+extra_fds are the row's
 *    own (detectord's ring), every fd above is closed, and syslog's
 *    connection is reopened after that sweep (privdrop.h);
 *  - privileges dropped to USER with exactly the --caps capabilities before
 *    any message is read, the process made non-dumpable (its /proc/<pid>
 *    files and ptrace closed to others of its uid), then the row's seccomp
 *    filter installed
 *    (sandbox.h): a syscall outside it kills the worker;
 *  - SIGPIPE ignored (a gone supervisor shows as EPIPE); SIGTERM/SIGINT
 *    arrive through the loop (the row's signal hook, else exit 0). The
 *    supervisor starts a worker as init of its own PID namespace, to which
 *    the kernel delivers no signal left at its default action (SIGKILL and
 *    SIGSTOP from outside excepted): SIGTERM before the loop is set up is
 *    lost (the supervisor's SIGKILL still ends it), and abort() ends it by
 *    glibc's fallback, a SIGSEGV, not SIGABRT;
 *  - the row's start hook (its own watches; a failure is exit 1), then the
 *    handshake: the first message must be a PROTO_CONFIG; it is parsed
 *    (config_load_text, every error line logged) and handed to
 *    configure(first). Refused: CONFIG_ACK with the reason, exit
 *    AOD_EX_CONFIG (78). Applied: the row's Landlock file rules for that
 *    config (in a worker the filter confined; an in-process test's worker
 *    gets neither), READY, then the applied hook;
 *  - every message from the supervisor goes through proto_recv with the set
 *    CONFIG | STATS_REQ | SHUTDOWN | row.accepts, so a handler only ever sees
 *    a well-formed message of a type its worker takes. EOF, a malformed or
 *    unexpected message, or a failed send: logged once, exit 1;
 *  - PING (the supervisor's watchdog) answered at once with a PONG of the
 *    same body, by the skeleton: a worker's loop must never block for long
 *    (aodv2-supervisor(8): a worker that does not answer is restarted);
 *  - CONFIG after the first: configure(!first), CONFIG_ACK (0, or the
 *    reason; a refused config leaves the running one in place), applied;
 *    when it moves the paths of the file rules (aod_output_dir), which
 *    Landlock cannot widen, the worker then exits 0 so the supervisor
 *    restarts it confined to the new ones;
 *  - one event loop (loop.h) in which the worker adds its own watches;
 *    before each wait the row's prepare hook may do work and choose the
 *    wait's timeout.
 *
 * What a worker provides: its row (below) and its context (wproc.ctx). Its
 * handlers run in the loop and report through wproc_send and wproc_exit;
 * they never exit the process themselves. Exit statuses: 0 after DRAINED or
 * a signal, 1 on a failure, AOD_EX_CONFIG for a refused first config.
 *
 * Names: the skeleton's are wproc_*; each worker's own carry its process
 * name (detectord_*, collectord_*, sweeperd_*, as struct detectord, ...),
 * its row is <name>_proc and its entry for tests <name>_run(sock, ...).
 * "worker_*" stays the supervisor's (its children), never a worker's.
 *
 * Adding a worker: its folder with the row, a main() of wproc_start then
 * <name>_run, and the supervisor's row for it.
 */
#ifndef AOD_WPROC_H
#define AOD_WPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "msg.h"

struct aod_config;
struct sandbox_policy;
struct wproc;

struct wproc_desc {
	const char *name;     /* "collectord": the binary is aodv2-<name> */
	const char *purpose;  /* --help's lines between usage and options */
	const char *caps_use; /* --help's text for --caps */
	unsigned extra_fds;   /* fds after MSG_WORKER_FD it is given */
	unsigned batch;       /* loop_open's batch */
	uint64_t accepts;     /* PROTO_BIT()s beyond CONFIG, STATS_REQ, SHUTDOWN */
	/* What the worker may do once it runs (sandbox.h): the syscall
	 * filter goes on after the privilege drop, the file rules at the
	 * first config. */
	const struct sandbox_policy *sandbox;

	/* Before the handshake, with the loop open: the worker's own watches
	 * and state. Returns 0 or -errno (logged by the skeleton; exit 1). */
	int (*start)(struct wproc *p);
	/* Checks and applies cfg. Returns 0, or -errno with reason filled
	 * (a refusal); the skeleton owns cfg and keeps it as wproc.cfg once
	 * applied. */
	int (*configure)(struct wproc *p, const struct aod_config *cfg, bool first, char *reason,
			 size_t cap);
	/* After READY (first) or CONFIG_ACK 0 went out; wproc.cfg is the new
	 * config. Optional. */
	void (*applied)(struct wproc *p, bool first);
	void (*stats)(struct wproc *p);                        /* STATS_REQ */
	void (*shutdown)(struct wproc *p, uint32_t deadline_ms); /* SHUTDOWN */
	/* Any other accepted type. Optional when accepts is 0. */
	void (*message)(struct wproc *p, const struct msg *m);
	/* SIGTERM/SIGINT. Optional: by default the worker exits 0. */
	void (*signal)(struct wproc *p, int signo);
	/* Before each wait: returns its timeout in ms (-1: until an event).
	 * Optional. */
	int (*prepare)(struct wproc *p);
	/* At the end, whatever happened before (configure may never have
	 * run): frees what the worker holds, its watches first. Optional. */
	void (*release)(struct wproc *p);
};

struct wproc {
	const struct wproc_desc *desc;
	void *ctx;                    /* the worker's own context */
	int sock;                     /* to the supervisor */
	struct loop *loop;
	const struct aod_config *cfg; /* the applied config */
	struct msg *msg;              /* the receive buffer */
	bool done;
	int status;
	struct loop_watch sock_watch, sig_watch; /* sig_watch.fd: the signalfd */
};

/* The start of a worker's main(): command line, logging, the fd checks, the
 * privilege drop. Returns -1 when the worker goes on (to wproc_run on
 * MSG_WORKER_FD, through its own *_run), else the status to exit with
 * (--help, --version: 0; a failure: 1, logged). */
int wproc_start(const struct wproc_desc *d, int argc, char **argv);
/* The handshake and the loop on sock (tests run a worker in-process with
 * this); returns the exit status. */
int wproc_run(const struct wproc_desc *d, void *ctx, int sock);

/* Sends to the supervisor; a failure is logged and ends the worker (1).
 * Returns 0 or -errno. */
int wproc_send(struct wproc *p, uint16_t type, const void *body, size_t len);
/* Ends the worker with status after the current handler; the first status
 * set wins. */
void wproc_exit(struct wproc *p, int status);
/* The end of a shutdown: DRAINED to the supervisor, exit 0. */
void wproc_drained(struct wproc *p);

#endif
