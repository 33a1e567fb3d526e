/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The supervisor's one top-level context: everything the process owns hangs
 * off struct sup, and every module takes it (or an object inside it). Types
 * only, and only those of modules that never include this header back, so
 * no circle of includes runs through it.
 */
#ifndef SUP_H
#define SUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "args.h"
#include "config.h"
#include "control.h"
#include "cooldown.h"
#include "loop.h"
#include "msg.h"
#include "queue.h"
#include "ring.h"
#include "worker.h"

struct flightrec;
struct source_replay;
struct source_bpf;
struct where;

enum sup_phase {
	PHASE_RUNNING = 0,
	PHASE_STOPPING,      /* workers told to finish in the table's stop order */
	PHASE_STOP_WAIT,     /* every worker told; waiting for them to exit */
};

enum oneshot_phase {
	ONESHOT_OFF = 0,
	ONESHOT_FEEDING,     /* replay still producing */
	ONESHOT_DRAINING,    /* detectord told to drain and close its windows */
	ONESHOT_COLLECTING,  /* waiting for every collection to finish */
	ONESHOT_DONE,
};

struct stats_gather {
	bool active;          /* a round runs: workers' stats_asked say who is due */
	int tfd;
	struct loop_watch watch;
};

struct watchdog {
	uint32_t timeout_ms;  /* --worker-timeout (watchdog.h) */
	struct loop_watch watch; /* the periodic timerfd */
};

struct sup_metrics {
	int tfd;                         /* the text file's round timer */
	struct loop_watch watch;
	bool pending;                    /* a round waits for the stats gather */
	int last_err;                    /* of the last write, 0 when it worked */
	uint64_t writes, write_errors;
};

struct sup {
	struct sup_args args;
	struct loop *loop;
	struct aod_config *cfg;
	char *cfg_yaml;                  /* config_dump(cfg): what workers receive */
	size_t cfg_yaml_len;
	struct ring *ring;
	struct msg *msg;                 /* receive buffer (60 KiB) */
	struct loop_watch sig_watch;

	/* service user the workers drop to */
	char svc_user[64];
	uid_t svc_uid;
	gid_t svc_gid;

	struct worker workers[W_NR];
	bool pidns_warned;               /* workers without PID namespaces: logged */
	bool announced_ready;            /* READY=1 sent / logged */

	struct control ctl;
	struct stats_gather gather;
	struct watchdog watchdog;
	struct sup_metrics metrics;

	/* routing */
	struct anomaly_queue queue;
	struct cooldowns cooldowns;      /* survive detectord's restarts (cooldown.h) */
	uint64_t anomalies_received;     /* from detectord */
	uint64_t anomalies_forwarded;    /* to collectord */
	uint64_t collections_done, collections_failed;
	unsigned in_flight;              /* forwarded, COLLECTION_DONE not yet seen */
	uint64_t manual_collections;
	uint64_t reloads, reload_failures;

	/* sources */
	struct source_replay *replay;
	struct source_bpf *bpf;
	struct flightrec *flightrec;     /* watcher.flight_recorder; NULL: none */
	struct where *where;             /* (session, tree) -> server, share; bpf source only */

	/* shutdown */
	enum sup_phase phase;
	unsigned stop_rank;              /* PHASE_STOPPING: the row being stopped */
	int int_count;                   /* SIGINTs seen */
	int stop_tfd;                    /* overall shutdown deadline */
	struct loop_watch stop_watch;
	uint64_t stop_deadline_ns;
	bool killed_stragglers;
	int exit_status;
	bool done;                       /* leave the loop */

	enum oneshot_phase oneshot;
};

#endif
