/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for collectord's tests: a temporary tree with fake QuickAction
 * programs (bin/) and fake system files (root/), a config built in memory, an
 * in-process collector to drive, and readers for what it wrote.
 */
#ifndef AOD_TEST_COL_UTIL_H
#define AOD_TEST_COL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "collector.h"
#include "config.h"
#include "loop.h"

struct done_rec {
	char name[64];
	int status;
	unsigned n;
	enum result_state states[16];
	char errors[16][256];
};

struct harness {
	char top[256];  /* temporary directory */
	char bin[300];  /* fake programs */
	char root[300]; /* fake /proc, /var/log, /run */
	char out[300];  /* aod_output_dir */
	struct aod_config *cfg;
	struct loop *loop;
	struct collector c;
	unsigned ndone;
	struct done_rec done[32];
};

/* Creates the tree and a config: anomaly "latency" with actions (a
 * comma-separated list), watcher.actions = every QuickAction, 2 tasks at
 * once, timeout 10 s, level 3. The collector is not started yet. */
void h_init(struct harness *h, const char *actions);
/* Starts the in-process collector on h's config. */
void h_start(struct harness *h);
/* Stops the collector, frees the config, removes the tree. */
void h_fini(struct harness *h);
/* Runs the loop until n collections are done or timeout_ms passed;
 * returns how many are done. */
unsigned h_run_until(struct harness *h, unsigned n, int timeout_ms);
/* An anomaly of the given name/type at timestamp ts. */
struct proto_anomaly h_anomaly(const char *name, uint32_t type, uint64_t ts);

/* Writes an executable script bin/<name> with the given body (after #!/bin/sh). */
void h_program(struct harness *h, const char *name, const char *body);
/* Writes root/<path> (directories created) with content. */
void h_file(struct harness *h, const char *path, const char *content);
/* Reads <out>/<dir>/<file> whole (NUL-terminated, malloc'd); NULL if absent. */
char *h_read(struct harness *h, const char *dir, const char *file, size_t *len);
/* Decompresses <out>/<dir>/<file> (zstd) whole; NULL on any error. */
char *h_unzstd(struct harness *h, const char *dir, const char *file, size_t *len);

char *read_file(const char *path, size_t *len);
void write_file(const char *path, const char *content, mode_t mode);
void rm_rf(const char *path);
void mkdir_p(const char *path);
uint64_t now_ms(void);
/* True when pid is gone or a zombie. */
bool pid_dead(pid_t pid);
/* Replaces the value of every "key": <number> with # (durations vary). */
void mask_number(char *json, const char *key);
/* Replaces each @NAME@ in tmpl by its value (pairs of name, value, NULL). */
char *subst(const char *tmpl, ...);

#endif
