/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where the ring's events come from.
 *  - replay: a recording (recording.h) fed at recorded speed with a timerfd,
 *    or as fast as the ring allows (--replay-speed max). It never loses an
 *    event: when the ring is full it sleeps on the ring's space eventfd.
 *    Timestamps are rebased so the first event is "now" (CLOCK_MONOTONIC).
 *  - bpf: the probes' ring buffer drained into the shared ring; a full ring
 *    drops and counts (the kernel side must never wait), optionally also
 *    written to a recording (--record).
 */
#ifndef SUP_SOURCES_H
#define SUP_SOURCES_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

struct sup;
struct source_replay;
struct source_bpf;

int source_replay_open(struct sup *s, const char *path, bool max_speed, struct source_replay **out);
/* Stops feeding (shutdown); events not yet produced are abandoned. */
void source_replay_stop(struct source_replay *r);
bool source_replay_finished(const struct source_replay *r);
/* Its status: a JSON object (the value after "probes"), or a text line. */
void source_replay_json(const struct source_replay *r, struct json *j);
void source_replay_text(const struct source_replay *r, FILE *f);
void source_replay_close(struct source_replay *r);

#if AOD_HAVE_PROBES
int source_bpf_open(struct sup *s, struct source_bpf **out);
/* Stops draining the probes (shutdown); they stay attached until close. */
void source_bpf_stop(struct source_bpf *b);
/* After a reload: the kernel-side filter passes what the new config and
 * the one it had both act on, so nothing detectord judges under either is
 * filtered while the new config travels to it ... */
int source_bpf_widen(struct source_bpf *b);
/* ... and once detectord has applied the current config, only what it needs. */
int source_bpf_narrow(struct source_bpf *b);
void source_bpf_json(const struct source_bpf *b, struct json *j);
void source_bpf_text(const struct source_bpf *b, FILE *f);
struct probes_metrics;
struct probes_status;
/* The in-kernel metrics and the probes' status: 0 or -errno. */
int source_bpf_metrics(const struct source_bpf *b, struct probes_metrics *m, struct probes_status *st);
void source_bpf_close(struct source_bpf *b);
#else
/* A build without the probes (no clang/bpftool) has no bpf source: opening
 * it fails, so no struct source_bpf ever exists for the others to see. */
static inline void source_bpf_stop(struct source_bpf *b) { (void)b; }
static inline int source_bpf_widen(struct source_bpf *b) { (void)b; return 0; }
static inline int source_bpf_narrow(struct source_bpf *b) { (void)b; return 0; }
static inline void source_bpf_json(const struct source_bpf *b, struct json *j) { (void)b; (void)j; }
static inline void source_bpf_text(const struct source_bpf *b, FILE *f) { (void)b; (void)f; }
struct probes_metrics;
struct probes_status;
static inline int source_bpf_metrics(const struct source_bpf *b, struct probes_metrics *m,
				     struct probes_status *st)
{
	(void)b; (void)m; (void)st;
	return -ENOSYS;
}
static inline void source_bpf_close(struct source_bpf *b) { (void)b; }
#endif

#endif
