/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the whole-product benchmarks share: a private directory with a
 * config drop-in, a running aodv2-supervisor (from the build tree, which
 * starts the real workers from the build tree), `aodctl status --json`
 * lookups, per-process CPU time and memory from /proc, and the one output
 * line format etc/bootstrap bench turns into its table:
 *
 *   BENCH <id> <value> <unit> <target> | <figure> | <how measured>
 *
 * <target> is ">=N", "<=N", "<N", ">N" in the figure's unit, or "-" for a
 * figure without one.
 */
#ifndef AOD_BENCHENV_H
#define AOD_BENCHENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BENCH_MS 1000000ull
#define BENCH_SEC 1000000000ull

struct bench_sup {
	char dir[128];    /* private directory under /var/tmp, traversable by the service user */
	char dropin[192]; /* <dir>/conf.d */
	char sock[192];   /* <dir>/ctl.sock */
	char out[192];    /* <dir>/out: aod_output_dir */
	char log[192];    /* <dir>/supervisor.log */
	pid_t pid;        /* the supervisor, -1 when not running */
};

/* The four aodv2 processes: supervisor, detectord, collectord, sweeperd. */
enum { BP_SUPERVISOR, BP_DETECTORD, BP_COLLECTORD, BP_SWEEPERD, BP_COUNT };
extern const char *const bench_proc_names[BP_COUNT];

struct bench_usage {
	uint64_t cpu_ns;        /* on-CPU time of all threads (schedstat) */
	unsigned long rss_kib;  /* VmRSS */
	unsigned long hwm_kib;  /* VmHWM: peak RSS */
	unsigned long pss_kib;  /* Pss: shared pages (the ring) divided among their users */
	unsigned long shmem_kib;/* RssShmem: resident shared memory (the ring's memfd) */
};

uint64_t bench_mono_ns(void);
void bench_sleep_ns(uint64_t ns);
/* Prints one BENCH line (and flushes: meson shows it as it comes). */
void bench_report(const char *id, double value, const char *unit, const char *target,
		  const char *figure, const char *how);

/* Makes the directory and a drop-in (output dir, socket, service user
 * nobody) followed by extra_yaml (may be NULL). 0 or -errno. */
int bench_sup_init(struct bench_sup *b, const char *extra_yaml);
/* Starts the supervisor with the base config etc/aodv2.yaml, the drop-in
 * and the given arguments (NULL-terminated); output to b->log. 0 or -errno. */
int bench_sup_start(struct bench_sup *b, ...);
/* Waits until every worker is running; fills pids[BP_COUNT]. 0 or -ETIMEDOUT. */
int bench_sup_ready(struct bench_sup *b, pid_t pids[BP_COUNT], int timeout_ms);
/* Waits for the supervisor to exit; its wait status, or -1 on timeout. */
int bench_sup_wait(struct bench_sup *b, int timeout_ms);
/* SIGTERM (then SIGKILL after 10 s) when still running, and removes the
 * directory unless keep. */
void bench_sup_stop(struct bench_sup *b, bool keep);

/* `aodctl -s <sock> status --json` into buf. 0 or -errno. */
int bench_status(struct bench_sup *b, char *buf, size_t len);
/* The number after "key": inside the object named obj ("ring", "probes",
 * "collections", ...; NULL for the top level). -1 when absent. */
long long bench_json_num(const char *json, const char *obj, const char *key);

int bench_usage(pid_t pid, struct bench_usage *u);
/* Sum over the four processes. */
int bench_usage_all(const pid_t pids[BP_COUNT], struct bench_usage *sum,
		    struct bench_usage each[BP_COUNT]);

/* Quantile q (0..1) of n sorted values, nearest rank. */
uint64_t bench_quantile(const uint64_t *sorted, size_t n, double q);
void bench_sort_u64(uint64_t *v, size_t n);

#endif
