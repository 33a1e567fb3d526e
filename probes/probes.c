// SPDX-License-Identifier: GPL-2.0-only
/*
 * The probes loader (probes.h). A base instance of the BPF object, loaded
 * once with every program off, owns the maps; the cifs programs are a
 * second instance that shares those maps and lives while cifs.ko does
 * (cifs_attach.c). Events leave the BPF ring buffer through on_record(),
 * which validates each one before it reaches the caller's sink.
 */
#include "probes.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probes_abi.h" /* before the skeleton: its rodata uses these types */
#include "aod_probes.skel.h"
#include "cifs_attach.h"
#include "event_check.h"
#include "histmaps.h"
#include "inflight.h"
#include "log.h"
#include "modwatch.h"
#include "starts.h"
#include "tcon.h"
#include "variant.h"
#include "clock.h"

#define PROBES_BATCH 256
#define PROBES_STUCK_DEFAULT_NS (30ull * 1000000000ull)
#define PROBES_SYS_MODULE "/sys/module"
#define PROBES_BTF_DIR "/sys/kernel/btf"

struct probes {
	struct probes_opts opts;
	probes_sink_fn sink;
	void *sink_arg;
	struct aod_probes *base; /* owns the maps; no programs */
	struct ring_buffer *rb;
	int uevent_fd;
	struct cifs_attach cifs;
	struct variant_choice choice;
	bool cifs_live;
	bool attached;
	char variant[32];
	char detail[160];
	uint64_t rejected;
	uint64_t flushed; /* start entries deleted after reconnects (starts.h) */
	uint64_t inflight_reported; /* waiting-request events the walks passed on */
	struct inflight inflight;
	struct tcon_pairing tcon;
	size_t nbatch;
	struct aod_event batch[PROBES_BATCH];
};

static int libbpf_to_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n;

	if (level == LIBBPF_DEBUG && !log_enabled(LOG_DEBUG))
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	if (level == LIBBPF_WARN)
		log_warn("libbpf: %s", line);
	else
		log_debug("libbpf: %s", line);
	return 0;
}

static void status_text(struct probes *p, const char *variant, const char *detail)
{
	snprintf(p->variant, sizeof(p->variant), "%s", variant);
	snprintf(p->detail, sizeof(p->detail), "%.159s", detail);
}

static bool wants_probes(const struct probes_opts *o)
{
	return o->want_latency || o->want_errors || o->want_metrics;
}

static int config_push(struct probes *p)
{
	struct aod_probe_cfg cfg = {
		.min_latency_ns = p->opts.min_latency_ns,
		.cmd_filter_mask = p->opts.cmd_filter_mask & ((1u << AOD_SMB2_NR_COMMANDS) - 1),
		.flags = (p->opts.want_latency ? AOD_CFG_LATENCY : 0u) |
			 (p->opts.want_errors ? AOD_CFG_ERRORS : 0u) |
			 (p->opts.want_metrics ? AOD_CFG_METRICS : 0u),
	};
	__u32 zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(p->base->maps.aod_probe_cfg), &zero, &cfg, BPF_ANY) != 0)
		return -errno;
	return 0;
}

/* ---- events ---------------------------------------------------------- */

static void batch_flush(struct probes *p)
{
	if (p->nbatch) {
		p->sink(p->batch, p->nbatch, p->sink_arg);
		p->nbatch = 0;
	}
}

static void reject(struct probes *p, const char *why)
{
	if (p->rejected++ == 0)
		log_warn("probes: dropped a malformed event from the kernel (%s); further ones are only "
			 "counted", why);
}

static uint32_t current_gen(const struct probes *p)
{
	struct aod_state st = { 0 };
	__u32 zero = AOD_STATE_GEN;

	if (bpf_map_lookup_elem(bpf_map__fd(p->base->maps.aod_state), &zero, &st) != 0)
		return 0;
	return st.reconnect_gen;
}

static void on_reconnect(struct probes *p, uint32_t gen)
{
	/* Requests the dropped connection abandoned never complete, but which
	 * ones they are is not known (the generation is global): those from
	 * before this or an earlier reconnect that have waited stuck_after_ns
	 * are flushed now, the younger ones at a later reconnect (meanwhile they
	 * do not count as in flight). */
	struct starts_scan t = { .gen = gen, .stuck_after_ns = UINT64_MAX,
				 .delete_older_after_ns = p->opts.stuck_after_ns };
	int err = starts_scan(bpf_map__fd(p->base->maps.aod_starts), &t);

	p->flushed += t.deleted;
	if (err) {
		log_warn("probes: cifs reconnected; cannot flush the abandoned requests: %s "
			 "(%" PRIu64 " flushed)", strerror(-err), t.deleted);
		return;
	}
	log_info("probes: cifs reconnected; %" PRIu64 " requests were in flight across it, %" PRIu64
		 " stuck ones flushed", t.older_gen, t.deleted);
}

static void tree_none(const struct probes_tree *t, void *arg)
{
	(void)t;
	(void)arg;
}

/* The loader's own records (probes_abi.h); true when ev was one. */
static bool on_note(struct probes *p, const void *data, size_t size)
{
	const struct aod_event *ev = data;

	switch (ev->kind) {
	case AOD_RB_ARM:
		inflight_arm(&p->inflight);
		return true;
	case AOD_RB_TREE:
		tcon_on_tree(&p->tcon, ev);
		return true;
	case AOD_RB_GONE:
		tcon_on_gone(&p->tcon, ev);
		return true;
	case AOD_RB_TCON:
		if (size < sizeof(struct aod_rb_tcon))
			reject(p, "short tree connect record");
		else
			tcon_on_tcon(&p->tcon, data);
		return true;
	}
	return false;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct probes *p = ctx;
	const struct aod_event *ev = data;
	const char *why;

	if (size < sizeof(*ev)) {
		reject(p, "short record");
		return 0;
	}
	if (ev->kind == AOD_RB_RECONNECT) {
		on_reconnect(p, (uint32_t)ev->message_id);
		return 0;
	}
	if (on_note(p, data, size))
		return 0;
	why = event_check(ev);
	if (why) {
		reject(p, why);
		return 0;
	}
	p->batch[p->nbatch] = *ev;
	event_comm_sanitize(p->batch[p->nbatch].comm);
	if (++p->nbatch == PROBES_BATCH)
		batch_flush(p);
	return 0;
}

/* ---- cifs appearing and going ---------------------------------------- */

static int choose_main(struct probes *p)
{
	const char *force = getenv("AOD_PROBES_VARIANT");
	struct variant_paths vp = { .btf_dir = PROBES_BTF_DIR, .tracefs_dir = NULL };
	char tracefs[128];
	int err, terr;

	if (force && strcmp(force, "tracepoint") == 0)
		vp.skip_btf = true;
	else if (force && *force)
		log_warn("probes: AOD_PROBES_VARIANT=%s is not \"tracepoint\"; choosing as usual", force);
	err = variant_choose(&vp, &p->choice);
	if (!err)
		return 0;
	/* no usable BTF: the classic tracepoints need tracefs */
	terr = variant_tracefs(tracefs, sizeof(tracefs));
	if (terr) {
		size_t n = strlen(p->choice.why);

		snprintf(p->choice.why + n, sizeof(p->choice.why) - n, "; cannot mount tracefs: %s",
			 strerror(-terr));
		return err;
	}
	vp.tracefs_dir = tracefs;
	return variant_choose(&vp, &p->choice);
}

/* The per-operation error tracepoints, whatever the main variant: read
 * through their tracefs formats (their layouts differ across versions). */
static void choose_op_errs(struct probes *p)
{
	char tracefs[128], why[160];
	int n, terr = variant_tracefs(tracefs, sizeof(tracefs));

	p->choice.n_op_err = 0;
	if (terr) {
		log_warn("probes: no tracefs (%s): failures without an error response (dropped "
			 "connections, reconnects) are not reported", strerror(-terr));
		return;
	}
	n = variant_op_errs(tracefs, p->choice.op_err, &p->choice.op_err_found, why, sizeof(why));
	if (n < 0) {
		log_warn("probes: cannot read the per-operation error tracepoints: %s", strerror(-n));
		return;
	}
	if (why[0])
		log_warn("probes: a per-operation error tracepoint is left out: %s", why);
	p->choice.n_op_err = (unsigned)n;
	n = tcon_layout(tracefs, &p->choice.tcon, why, sizeof(why));
	if (n < 0)
		log_warn("probes: shares are named from /proc/fs/cifs/DebugData only: %s", why);
}

static int choose(struct probes *p)
{
	int err = choose_main(p);

	if (!err)
		choose_op_errs(p);
	return err;
}

static void cifs_attach_now(struct probes *p)
{
	uint64_t t0 = clock_mono_ms(), t1;
	int err = choose(p);

	if (err) {
		status_text(p, "unsupported", p->choice.why);
		log_error("probes: cifs is loaded but its tracepoints cannot be used: %s", p->choice.why);
		return;
	}
	t1 = clock_mono_ms();
	err = cifs_attach_load(&p->cifs, p->base, &p->choice);
	if (err) {
		status_text(p, "attach failed", strerror(-err));
		return;
	}
	p->attached = true;
	status_text(p, variant_kind_name(p->choice.kind), p->choice.why);
	struct probes_tree t = { .what = PROBES_TREE_ATTACHED };
	p->tcon.fn(&t, p->tcon.arg);
	log_info("probes: attached to cifs with %s programs in %" PRIu64 " ms (choosing %" PRIu64 " ms; %s; "
		 "%u per-operation error tracepoints)%s",
		 variant_kind_name(p->choice.kind), clock_mono_ms() - t0, t1 - t0, p->choice.why,
		 p->cifs.n_op_err_attached,
		 p->choice.have[VEV_ENTER] ? "" : "; the kernel has no smb3_cmd_enter: errors only, no latency");
}

/* Brings the attachment in line with the module's state and the options. */
static void probes_sync(struct probes *p)
{
	enum module_state state = modwatch_module_state(PROBES_SYS_MODULE, "cifs");
	bool want = wants_probes(&p->opts);

	if (p->cifs_live != (state == MODULE_LIVE))
		log_info("probes: cifs.ko %s", state == MODULE_LIVE ? "is loaded" : "was unloaded");
	p->cifs_live = state == MODULE_LIVE;
	if (p->attached && (!p->cifs_live || !want)) {
		cifs_attach_destroy(&p->cifs);
		p->attached = false;
		log_info("probes: detached from cifs (%s)", want ? "the module is going" : "neither anomalies nor metrics use them");
	}
	if (!want) {
		status_text(p, "disabled", "no anomaly uses smbslower or smbiosnoop, metrics are off");
		return;
	}
	if (p->attached)
		return;
	if (!p->cifs_live) {
		status_text(p, "waiting for cifs", "cifs.ko is not loaded; attaching when it is");
		return;
	}
	cifs_attach_now(p);
}

/* ---- API --------------------------------------------------------------- */

static int opts_check(const struct probes_opts *o)
{
	if (!o)
		return -EINVAL;
	if (o->cmd_filter_mask >> AOD_SMB2_NR_COMMANDS) {
		log_error("probes: command filter 0x%x names commands beyond 0x%x", o->cmd_filter_mask,
			  AOD_SMB2_NR_COMMANDS - 1);
		return -EINVAL;
	}
	return 0;
}

static void opts_set(struct probes *p, const struct probes_opts *o)
{
	p->opts = *o;
	if (!p->opts.stuck_after_ns)
		p->opts.stuck_after_ns = PROBES_STUCK_DEFAULT_NS;
	inflight_set(&p->inflight, p->opts.want_latency ? p->opts.inflight_after_ns : 0,
		     p->opts.inflight_every_ns);
	/* as before the metrics kept every start: a filtered command's is not
	 * reported, a TREE_CONNECT's (always kept) is */
	p->inflight.skip_cmds = p->opts.cmd_filter_mask & ~(1u << AOD_SMB2_TREE_CONNECT);
}

static int base_load(struct probes *p)
{
	struct bpf_program *prog;
	int err;

	p->base = aod_probes__open();
	if (!p->base) {
		err = -errno;
		log_error("probes: cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	bpf_object__for_each_program(prog, p->base->obj)
		bpf_program__set_autoload(prog, false);
	err = aod_probes__load(p->base);
	if (err) {
		log_error("probes: cannot create the BPF maps: %s%s", strerror(-err),
			  err == -EPERM ? " (loading BPF needs root, or CAP_BPF with CAP_PERFMON)" : "");
		return err;
	}
	return 0;
}

int probes_open(const struct probes_opts *o, probes_sink_fn sink, void *arg, struct probes **out)
{
	struct probes *p;
	int err = opts_check(o);

	if (err)
		return err;
	if (!sink || !out)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->uevent_fd = -1;
	p->inflight.tfd = -1;
	p->tcon.fn = tree_none;
	p->sink = sink;
	p->sink_arg = arg;
	opts_set(p, o);
	libbpf_set_print(libbpf_to_log);
	err = base_load(p);
	if (!err && (err = config_push(p)) != 0)
		log_error("probes: cannot write the probe config: %s", strerror(-err));
	if (!err) {
		p->rb = ring_buffer__new(bpf_map__fd(p->base->maps.aod_events), on_record, p, NULL);
		if (!p->rb) {
			err = -errno;
			log_error("probes: cannot map the BPF ring buffer: %s", strerror(-err));
		}
	}
	if (!err && (err = inflight_open(&p->inflight)) != 0)
		log_error("probes: cannot create the in-flight timer: %s", strerror(-err));
	if (!err)
		opts_set(p, o); /* again: the watch has its bounds now */
	if (!err) {
		p->uevent_fd = modwatch_open();
		if (p->uevent_fd < 0) {
			err = p->uevent_fd;
			log_error("probes: cannot watch for cifs.ko (uevent socket): %s", strerror(-err));
		}
	}
	if (err) {
		probes_close(p);
		return err;
	}
	probes_sync(p);
	if (!p->attached && p->cifs_live == false && wants_probes(&p->opts))
		log_info("probes: cifs.ko is not loaded; the cifs probes wait for the module");
	*out = p;
	return 0;
}

int probes_fds(const struct probes *p, int *fds, int max)
{
	int n = 0;

	if (n < max)
		fds[n++] = ring_buffer__epoll_fd(p->rb);
	if (n < max)
		fds[n++] = p->uevent_fd;
	if (n < max)
		fds[n++] = p->inflight.tfd;
	return n;
}

/* A due walk of the start map: the requests that wait go to the sink. */
static void probes_inflight(struct probes *p)
{
	p->flushed += inflight_tick(&p->inflight, bpf_map__fd(p->base->maps.aod_starts),
				    bpf_map__fd(p->base->maps.aod_state), current_gen(p), p->opts.stuck_after_ns);
	if (p->inflight.n) {
		p->inflight_reported += p->inflight.n;
		p->sink(p->inflight.ev, p->inflight.n, p->sink_arg);
	}
}

int probes_handle(struct probes *p)
{
	int consumed = ring_buffer__consume(p->rb);
	int hit;

	batch_flush(p);
	probes_inflight(p);
	if (consumed < 0) {
		log_error("probes: reading the BPF ring buffer failed: %s", strerror(-consumed));
		return consumed;
	}
	hit = modwatch_drain(p->uevent_fd, "cifs");
	if (hit < 0) {
		log_error("probes: reading module uevents failed: %s", strerror(-hit));
		return hit;
	}
	if (hit)
		probes_sync(p);
	return 0;
}

int probes_update(struct probes *p, const struct probes_opts *o)
{
	struct probes_opts old = p->opts;
	int err = opts_check(o);

	if (err)
		return err;
	opts_set(p, o);
	err = config_push(p);
	if (err) {
		p->opts = old;
		log_error("probes: cannot write the probe config: %s", strerror(-err));
		return err;
	}
	if (wants_probes(&old) != wants_probes(&p->opts))
		probes_sync(p);
	return 0;
}

/* Adds the per-CPU counters into sum[AOD_CNT_NR]. */
static void counters_sum(const struct probes *p, uint64_t *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	int fd = bpf_map__fd(p->base->maps.aod_counters);
	__u64 *vals;

	if (ncpu <= 0)
		return;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return;
	for (__u32 k = 0; k < AOD_CNT_NR; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals) != 0)
			continue;
		for (int c = 0; c < ncpu; c++)
			sum[k] += vals[c];
	}
	free(vals);
}

void probes_get_status(const struct probes *p, struct probes_status *st)
{
	struct starts_scan t = { .gen = current_gen(p), .stuck_after_ns = p->opts.stuck_after_ns };
	bool have_all = p->choice.have[VEV_ENTER] && p->choice.have[VEV_DONE] && p->choice.have[VEV_ERR];

	memset(st, 0, sizeof(*st));
	st->cifs_loaded = p->cifs_live;
	st->latency_attached = p->attached && have_all && p->opts.want_latency;
	st->errors_attached = p->attached && p->choice.have[VEV_ERR] && p->opts.want_errors;
	st->op_err_attached = p->attached && p->opts.want_errors ? p->cifs.n_op_err_attached : 0;
	if (st->op_err_attached)
		st->op_err_attached_set = p->cifs.op_err_attached_set;
	if (p->attached)
		st->op_err_absent_set = p->choice.op_err_found.absent;
	snprintf(st->variant, sizeof(st->variant), "%s", p->variant);
	snprintf(st->detail, sizeof(st->detail), "%s", p->detail);
	st->rejected = p->rejected;
	st->inflight_reported = p->inflight_reported;
	st->reconnects = current_gen(p);
	/* starts before the walk, everything else after it (starts_evicted) */
	uint64_t before[AOD_CNT_NR] = { 0 };
	counters_sum(p, before);
	int err = starts_scan(bpf_map__fd(p->base->maps.aod_starts), &t);
	counters_sum(p, st->counters); /* adds to the zeroed status */
	st->counters[AOD_CNT_FLUSHED] += p->flushed;
	if (err == 0) {
		st->inflight = t.inflight;
		st->stuck = t.stuck;
		st->oldest_inflight_ns = t.oldest_ns;
		st->evicted = starts_evicted(before[AOD_CNT_STARTS], st->counters, t.present);
	}
}

int probes_read_metrics(const struct probes *p, struct probes_metrics *out)
{
	return histmaps_read(bpf_map__fd(p->base->maps.aod_hist), bpf_map__fd(p->base->maps.aod_errs),
			     bpf_map__fd(p->base->maps.aod_metrics_overflow), out);
}

void probes_set_tree_sink(struct probes *p, probes_tree_fn fn, void *arg)
{
	p->tcon.fn = fn ? fn : tree_none;
	p->tcon.arg = arg;
}

void probes_close(struct probes *p)
{
	if (!p)
		return;
	if (p->attached)
		cifs_attach_destroy(&p->cifs);
	if (p->rb)
		ring_buffer__free(p->rb);
	if (p->base)
		aod_probes__destroy(p->base);
	if (p->uevent_fd >= 0)
		close(p->uevent_fd);
	inflight_close(&p->inflight);
	free(p);
}

unsigned probes_op_err_names(void)
{
	return variant_op_err_names();
}

const char *probes_op_err_name(unsigned i)
{
	return variant_op_err_name(i);
}
