/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the supervisor's multi-process tests: a private directory with
 * a config drop-in (output dir, control socket, service user nobody), event
 * recordings, a running aodv2-supervisor, aodctl runs (as root or as
 * another user), and reading values out of `aodctl status --json`.
 */
#ifndef SUPTEST_H
#define SUPTEST_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct suptest {
	char dir[128];        /* private temp dir, traversable by nobody */
	char dropin[192];     /* <dir>/conf.d */
	char sock[192];       /* <dir>/ctl.sock */
	char out[192];        /* <dir>/out */
	char replay[192];     /* <dir>/events.csv */
	char log[192];        /* <dir>/supervisor.log */
	char workers[192];    /* AOD_LIBEXECDIR for the supervisor */
	pid_t pid;            /* supervisor */
	bool bpf_source;      /* start with the probes (default: the replay source) */
	gid_t aodctl_group;   /* supplementary group of non-root aodctl runs (0: none) */
};

/* Sets up the dir and a drop-in with extra_yaml appended (may be NULL).
 * test_workers: run the test double instead of the real workers. */
void suptest_init(struct suptest *t, bool test_workers, const char *extra_yaml);
/* Writes a CSV recording of n latency events, every `slow_every`-th one slow
 * (latency slow_ms) and the others fast (1 ms); spaced gap_ns apart. */
void suptest_write_replay(struct suptest *t, unsigned n, unsigned slow_every, unsigned slow_ms,
			  uint64_t gap_ns);
/* Writes <dropin>/name with the given YAML. */
void suptest_write_dropin(struct suptest *t, const char *name, const char *yaml);
/* Starts aodv2-supervisor with the replay source (or, with t->bpf_source,
 * the probes); extra args NULL-terminated.
 * env: "NAME=value" strings added to the environment, NULL-terminated. */
void suptest_start(struct suptest *t, const char *const *env, ...);
/* Waits for the supervisor to exit; returns its wait status or -1 on timeout. */
int suptest_wait_exit(struct suptest *t, int timeout_ms);
/* Stops (SIGKILL) a supervisor still running, removes the directory. */
void suptest_cleanup(struct suptest *t);

/* Runs aodctl -s <sock> args... (NULL-terminated) as uid (or root when
 * uid is 0; another uid gets gid 65534 and t->aodctl_group); output captured (stdout + stderr) into out. Returns the exit
 * status, or -1 if it did not exit normally. */
int suptest_aodctl(struct suptest *t, uid_t uid, char *out, size_t outlen, ...);
/* Fetches `aodctl status --json` into buf; true on success. */
bool suptest_status(struct suptest *t, char *buf, size_t len);
/* True when the supervisor's log has a line containing text. */
bool suptest_log_has(const struct suptest *t, const char *text);
/* How many lines of the supervisor's log contain text. */
unsigned suptest_log_count(const struct suptest *t, const char *text);

/* JSON lookups good enough for our own status document. */
long long suptest_worker_num(const char *json, const char *worker, const char *key);
bool suptest_worker_str(const char *json, const char *worker, const char *key, char *out, size_t len);
long long suptest_obj_num(const char *json, const char *obj, const char *key);

/* Polls status until every worker is "running" (and, if want_restarts >= 0,
 * the named worker has that many restarts). Returns true in time. */
bool suptest_wait_running(struct suptest *t, const char *worker, long want_restarts, int timeout_ms);
/* Polls status until worker's state is want. True in time. */
bool suptest_wait_state(struct suptest *t, const char *worker, const char *want, int timeout_ms);
/* Polls status until "obj":{..."key":want...}. True in time. */
bool suptest_wait_obj_num(struct suptest *t, const char *obj, const char *key, long long want,
			  int timeout_ms);
/* Polls until the ring's consumed == produced == n. */
bool suptest_wait_ring(struct suptest *t, unsigned long long n, int timeout_ms);
/* The uid and CapEff/CapAmb and NoNewPrivs of a process, from /proc. */
bool suptest_proc(pid_t pid, unsigned *uid, unsigned long long *eff, unsigned long long *amb,
		  int *nnp);
void suptest_sleep_ms(int ms);
/* Exits 77 with a TAP skip plan unless root (call first in main). */
void suptest_require_root(void);
/* Runs the suite with CK_ENV (meson's TAP environment); the exit status. */
int suptest_run(Suite *s);
/* True while pid runs (a zombie, killed but not yet reaped by whoever
 * inherited it, does not count). */
bool suptest_proc_running(pid_t pid);

#endif
