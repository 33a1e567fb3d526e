/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-space half of the probes: loads the CO-RE programs (smbslower,
 * smbiosnoop), picks at load time the variant the running kernel supports
 * (tp_btf with cifs module BTF, else classic tracepoints, with the argument
 * layout read from the kernel), attaches what is present, and attaches the
 * cifs programs within a second of cifs.ko appearing (and detaches when it
 * goes), without busy polling: the caller puts probes_fds() in its epoll.
 *
 * Events are drained from the BPF ring buffer into the caller's sink.
 *
 * AOD_PROBES_VARIANT=tracepoint in the environment skips the tp_btf variant
 * (for a kernel whose cifs BTF is wrong, and for testing the fallback).
 *
 * While the cifs programs are attached the kernel holds a reference on
 * cifs.ko: `rmmod cifs` fails (EBUSY) until probes_close() or an update
 * that wants neither tool.
 */
#ifndef AOD_PROBES_H
#define AOD_PROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aod_event.h"

struct probes;

struct probes_opts {
	uint64_t min_latency_ns;     /* smbslower emits nothing faster (smallest threshold) */
	uint32_t cmd_filter_mask;    /* bit c set: command c is excluded by every anomaly */
	bool want_latency;           /* some anomaly uses smbslower */
	bool want_errors;            /* some anomaly uses smbiosnoop */
	bool want_metrics;           /* every request into the in-kernel histograms (probes_read_metrics) */
	uint64_t stuck_after_ns;     /* an unfinished request this old is "stuck"; 0: 30 s */
	/* A request still waiting this long is reported while it waits, as an
	 * AOD_EV_INFLIGHT event, at every walk of the start map (0: never).
	 * The walks run every inflight_every_ns (0: 1 s), and only while the
	 * map holds requests: none while nothing is in flight. */
	uint64_t inflight_after_ns;
	uint64_t inflight_every_ns;
};

/* What a tree connect, disconnect or logoff told the probes. */
enum probes_tree_what {
	PROBES_TREE_CONNECT = 1,    /* unc names (session_id, tree_id) */
	PROBES_TREE_DISCONNECT = 2, /* the tree is going */
	PROBES_TREE_LOGOFF = 3,     /* every tree of the session is going */
	PROBES_TREE_ATTACHED = 4,   /* the probes attached now: earlier tree connects went unseen */
};

struct probes_tree {
	uint64_t session_id;
	uint32_t tree_id;
	uint32_t what;               /* enum probes_tree_what */
	char unc[192];               /* \\server\share (CONNECT only), terminated */
};

typedef void (*probes_tree_fn)(const struct probes_tree *t, void *arg);

/* sink(events, n, arg): called with batches while draining. */
typedef void (*probes_sink_fn)(const struct aod_event *ev, size_t n, void *arg);

struct probes_status {
	bool cifs_loaded;
	bool latency_attached;
	bool errors_attached;
	unsigned op_err_attached;    /* per-operation error tracepoints attached (smb3_read_err, ...) */
	/* bit i: probes_op_err_name(i) is attached / the kernel lacks it
	 * (both 0 until cifs is loaded and the probes attached) */
	uint32_t op_err_attached_set;
	uint32_t op_err_absent_set;
	char variant[32];            /* "tp_btf", "tracepoint" or "waiting for cifs" */
	uint64_t counters[AOD_CNT_NR]; /* summed over CPUs */
	/* Unfinished requests (start entries since the last reconnect), read
	 * from the start map when the status is taken. */
	uint64_t inflight;
	uint64_t stuck;              /* of those, older than stuck_after_ns */
	uint64_t oldest_inflight_ns; /* age of the oldest, 0 if none */
	uint64_t evicted;            /* start entries the full LRU map evicted (never completed
				      * as far as the probes know) */
	uint64_t rejected;           /* ring records that failed validation (never passed on) */
	/* events for requests still waiting, made by the in-flight walks in
	 * user space: with emitted - rejected, all that reached the sink */
	uint64_t inflight_reported;
	uint64_t reconnects;         /* smb3_reconnect events since the probes were loaded */
	char detail[160];            /* why this variant, or why none */
};

int probes_open(const struct probes_opts *o, probes_sink_fn sink, void *arg, struct probes **out);
/* Fds for the caller's epoll (ring buffer, module watch); returns count. */
int probes_fds(const struct probes *p, int *fds, int max);
/* Handle readiness of any of those fds: drain events, react to module
 * load/unload. Returns 0 or -errno. */
int probes_handle(struct probes *p);
/* Push new thresholds without reloading (const volatile values need a
 * reload: implementations may use a map instead). */
int probes_update(struct probes *p, const struct probes_opts *o);
void probes_get_status(const struct probes *p, struct probes_status *st);
/* The per-operation error tracepoints the probes know, by index (NULL past
 * the end): the names behind op_err_attached_set and op_err_absent_set. */
unsigned probes_op_err_names(void);
const char *probes_op_err_name(unsigned i);

/*
 * The in-kernel metrics (want_metrics), summed over CPUs. Latencies are
 * counted in log2 buckets of microseconds: slots[i] holds requests that
 * took [2^i, 2^(i+1)) us (slot 0 also 0 us), the last slot everything
 * longer. Counts only grow while the probes are loaded. Keys beyond the
 * maps' caps are not kept; overflow_* count what they would have held.
 */
#define PROBES_HIST_SLOTS 28

struct probes_hist {
	uint64_t session_id;
	uint32_t tree_id;
	uint16_t command;
	uint64_t slots[PROBES_HIST_SLOTS];
	uint64_t sum_us;
};

struct probes_errs {
	uint64_t session_id;
	uint32_t tree_id;
	uint16_t command;
	uint16_t err;                /* positive errno, 0 if none */
	uint32_t nt_status;
	uint64_t count;
};

struct probes_metrics {
	struct probes_hist *hist;
	size_t n_hist;
	struct probes_errs *errs;
	size_t n_errs;
	uint64_t overflow_hist;      /* latencies not kept: the histogram map was full */
	uint64_t overflow_errs;      /* errors not kept: the error map was full */
};

/* 0 or -errno; free with probes_metrics_free (also after an error: harmless). */
int probes_read_metrics(const struct probes *p, struct probes_metrics *out);
void probes_metrics_free(struct probes_metrics *m);
/* Where tree connects, disconnects and logoffs go (none by default). */
void probes_set_tree_sink(struct probes *p, probes_tree_fn fn, void *arg);
void probes_close(struct probes *p);

#endif
