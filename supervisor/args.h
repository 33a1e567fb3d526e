/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aodv2-supervisor's command line (issue 2's contract, extended by issues 3
 * and 4) and its man-page style --help.
 */
#ifndef SUP_ARGS_H
#define SUP_ARGS_H

#include <stdbool.h>

enum source_kind { SOURCE_BPF = 0, SOURCE_REPLAY = 1 };

struct sup_args {
	bool foreground;
	const char *config_path;   /* -c */
	const char *dropin_dir;    /* -d */
	bool check_config;
	enum source_kind source;
	const char *replay_path;   /* --source replay:FILE */
	bool replay_max;           /* --replay-speed max */
	bool oneshot;
	const char *record_path;   /* --record FILE */
	const char *socket_path;   /* --socket PATH, overrides control_socket */
	unsigned worker_timeout_sec; /* --worker-timeout SEC (watchdog.h) */
};

/* --worker-timeout: its default and range. */
#define SUP_WORKER_TIMEOUT_DEFAULT_SEC 60u
#define SUP_WORKER_TIMEOUT_MIN_SEC 3u
#define SUP_WORKER_TIMEOUT_MAX_SEC 3600u

/* Exit statuses of aodv2-supervisor (documented in --help). */
#define SUP_EXIT_OK 0
#define SUP_EXIT_FAILURE 1
#define SUP_EXIT_USAGE 2
#define SUP_EXIT_GAVE_UP 3      /* a worker died 5 times in 10 minutes */
#define SUP_EXIT_INTERRUPTED 130 /* a second SIGINT: stopped at once */

/* Returns 0 to run, 1 when --help/--version was printed (exit 0),
 * -1 on a usage error (message printed; exit SUP_EXIT_USAGE). */
int args_parse(int argc, char **argv, struct sup_args *a);

#endif
