// SPDX-License-Identifier: GPL-2.0-only
/* The bpf source: probes -> shared ring (dropping and counting when full),
 * optionally also into a recording (--record). */
#include "sources.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "flightrec.h"
#include "droplog.h"
#include "ev_where.h"
#include "log.h"
#include "probe_filter.h"
#include "probes.h"
#include "record.h"
#include "sup.h"
#include "where.h"
#include "namelog.h"
#include "clock.h"

#define BPF_MAX_FDS 8
/* Ring-full warnings at most this often. */
#define BPF_DROP_LOG_NS (10ull * 1000000000ull)

struct source_bpf {
	struct sup *sup;
	struct probes *probes;
	struct loop_watch watches[BPF_MAX_FDS];
	int n_watches;
	struct recorder *rec;
	struct droplog drops;
	struct probes_opts applied;   /* what the kernel side filters now */
	int drop_tfd;                 /* reports drops left over after a burst */
	struct loop_watch drop_watch;
	uint64_t share_records;       /* share-name records put into the stream */
	struct namelog names;         /* share names that found the ring full */
	bool stopped;
};

static void bpf_report_drops(uint64_t n)
{
	log_warn("event ring full: dropped %" PRIu64 " events since the last warning "
		 "(detectord is not keeping up; consider a larger ring_capacity_events)", n);
}

static void bpf_note_drops(struct source_bpf *b, uint64_t n)
{
	ring_note_dropped(b->sup->ring, n);
	uint64_t now_n = droplog_add(&b->drops, n, clock_mono_ns());
	if (now_n)
		bpf_report_drops(now_n);
	else
		timer_arm_abs_ns(b->drop_tfd, droplog_due(&b->drops));
}

static void bpf_on_drop_timer(struct loop_watch *lw, uint32_t events)
{
	struct source_bpf *b = lw->obj;
	(void)events;

	timer_ack(b->drop_tfd);
	uint64_t n = droplog_take(&b->drops, clock_mono_ns(), false);
	if (n)
		bpf_report_drops(n);
}

static void bpf_sink(const struct aod_event *ev, size_t n, void *arg)
{
	struct source_bpf *b = arg;

	if (b->stopped)
		return;
	if (b->rec)
		recorder_write(b->rec, ev, n);
	/* Names waiting for room go first: events behind them wait too. */
	b->share_records += namelog_flush(&b->names, b->sup->ring);
	size_t put = namelog_empty(&b->names) ? ring_produce(b->sup->ring, ev, n) : 0;
	if (put < n)
		bpf_note_drops(b, n - put);
}

/* A share's name goes into the stream before the events it names; one that
 * finds the ring full waits in the backlog for the next events. */
static void bpf_announce(const struct smb_where *e, void *arg)
{
	struct aod_event rec[EV_WHERE_RECORDS_MAX];
	size_t n = ev_where_encode(clock_mono_ns(), e->session_id, e->tree_id, e->share, rec);
	struct source_bpf *b = arg;

	if (!n || b->stopped)
		return;
	if (b->rec)
		recorder_write(b->rec, rec, n);
	if (namelog_add(&b->names, rec, n) < 0) {
		bpf_note_drops(b, n); /* 16 names behind a full ring: counted as drops */
		return;
	}
	b->share_records += namelog_flush(&b->names, b->sup->ring);
}

static void bpf_on_ready(struct loop_watch *lw, uint32_t events)
{
	struct source_bpf *b = lw->obj;
	(void)events;

	int rc = probes_handle(b->probes);
	flightrec_poke(b->sup->flightrec);
	if (rc < 0)
		log_error("probes: %s", strerror(-rc));
}

/* Names the shares: those mounted now from DebugData, later ones as the
 * probes see them connect. */
static int source_bpf_where(struct source_bpf *b)
{
	struct where *w = calloc(1, sizeof(*w));
	int rc;

	if (!w)
		return -ENOMEM;
	where_init(w, NULL);
	rc = where_reread(w, true);
	if (rc < 0 && rc != -ENOENT)
		log_warn("cannot read %s: %s (shares mounted before now are named when next seen)",
			 WHERE_DEBUGDATA, strerror(-rc));
	b->sup->where = w;
	w->announce = bpf_announce;
	w->announce_arg = b;
	probes_set_tree_sink(b->probes, where_on_tree, w);
	return 0;
}

int source_bpf_open(struct sup *s, struct source_bpf **out)
{
	struct source_bpf *b = calloc(1, sizeof(*b));
	struct probes_opts o;
	int fds[BPF_MAX_FDS], rc;

	if (!b)
		return -ENOMEM;
	b->sup = s;
	b->drop_watch.fd = -1;
	droplog_init(&b->drops, BPF_DROP_LOG_NS);
	*out = b;
	b->drop_tfd = timer_new();
	rc = b->drop_tfd < 0 ? b->drop_tfd
			     : loop_add(s->loop, &b->drop_watch, b->drop_tfd, EPOLLIN, bpf_on_drop_timer, b);
	if (rc < 0) {
		log_error("probes: cannot set up a timer: %s", strerror(-rc));
		return rc;
	}
	if (s->args.record_path) {
		rc = recorder_open(s->args.record_path, &b->rec);
		if (rc < 0)
			return rc;
	}
	probe_filter_from_config(s->cfg, &o);
	rc = probes_open(&o, bpf_sink, b, &b->probes);
	if (rc < 0) {
		log_error("cannot load the probes: %s", strerror(-rc));
		return rc;
	}
	b->applied = o;
	rc = source_bpf_where(b);
	if (rc < 0)
		return rc;
	int n = probes_fds(b->probes, fds, BPF_MAX_FDS);
	for (int i = 0; i < n; i++) {
		rc = loop_add(s->loop, &b->watches[i], fds[i], EPOLLIN, bpf_on_ready, b);
		if (rc < 0) {
			log_error("cannot watch the probes' fd %d: %s", fds[i], strerror(-rc));
			return rc;
		}
		b->n_watches = i + 1;
	}
	log_info("probes loaded: minimum latency %" PRIu64 " ms, command filter 0x%x, latency %s, "
		 "errors %s, metrics %s", o.min_latency_ns / 1000000u, o.cmd_filter_mask,
		 o.want_latency ? "on" : "off", o.want_errors ? "on" : "off", o.want_metrics ? "on" : "off");
	return 0;
}

void source_bpf_stop(struct source_bpf *b)
{
	if (!b || b->stopped)
		return;
	/* Take what the kernel already handed over, then stop producing. */
	if (b->probes)
		probes_handle(b->probes);
	b->stopped = true;
	for (int i = 0; i < b->n_watches; i++)
		loop_del(b->sup->loop, &b->watches[i]);
	uint64_t n = droplog_take(&b->drops, clock_mono_ns(), true);
	if (n)
		bpf_report_drops(n);
}

static int bpf_apply(struct source_bpf *b, const struct probes_opts *o)
{
	int rc = probes_update(b->probes, o);

	if (rc < 0)
		log_warn("probes keep their previous thresholds: %s", strerror(-rc));
	else
		b->applied = *o;
	return rc;
}

int source_bpf_widen(struct source_bpf *b)
{
	struct probes_opts o;

	probe_filter_from_config(b->sup->cfg, &o);
	probe_filter_union(&o, &b->applied);
	return bpf_apply(b, &o);
}

int source_bpf_narrow(struct source_bpf *b)
{
	struct probes_opts o;

	probe_filter_from_config(b->sup->cfg, &o);
	return bpf_apply(b, &o);
}

/* The per-operation error tracepoints by name: which are attached, which
 * this kernel lacks (JSON keys op_err_attached_names, op_err_absent_names). */
static void json_op_err_names(struct json *j, const char *key, uint32_t set)
{
	json_key(j, key);
	json_arr_begin(j);
	for (unsigned i = 0; i < probes_op_err_names(); i++)
		if (set & (1u << i))
			json_str(j, probes_op_err_name(i));
	json_arr_end(j);
}

static void text_op_err_names(FILE *f, const char *label, uint32_t set)
{
	fprintf(f, "%s", label);
	if (!set)
		fprintf(f, " none");
	for (unsigned i = 0; i < probes_op_err_names(); i++)
		if (set & (1u << i))
			fprintf(f, " %s", probes_op_err_name(i));
}

/* The shares the supervisor can name (live ones, WHERE_STATUS_MAX at most). */
#define WHERE_STATUS_MAX 32
static void json_shares(struct json *j, const struct where *w)
{
	char id[24];
	unsigned shown = 0;

	json_key(j, "shares");
	json_arr_begin(j);
	for (unsigned i = 0; w && i < w->t.n && shown < WHERE_STATUS_MAX; i++) {
		const struct smb_where *e = &w->t.e[i];
		if (e->gone)
			continue;
		json_obj_begin(j);
		json_kv_str(j, "share", e->share);
		json_kv_str(j, "server", e->server);
		json_kv_str(j, "address", e->address);
		snprintf(id, sizeof(id), "0x%" PRIx64, e->session_id);
		json_kv_str(j, "session_id", id);
		snprintf(id, sizeof(id), "0x%x", e->tree_id);
		json_kv_str(j, "tree_id", id);
		json_obj_end(j);
		shown++;
	}
	json_arr_end(j);
}

static void text_shares(FILE *f, const struct where *w)
{
	unsigned shown = 0;

	fprintf(f, "  shares known:");
	for (unsigned i = 0; w && i < w->t.n && shown < WHERE_STATUS_MAX; i++) {
		const struct smb_where *e = &w->t.e[i];
		if (e->gone)
			continue;
		fprintf(f, " %s (%s)", e->share, e->address[0] ? e->address : "address unknown");
		shown++;
	}
	fprintf(f, "%s\n", shown ? "" : " none");
}

void source_bpf_json(const struct source_bpf *b, struct json *j)
{
	struct probes_status st;

	probes_get_status(b->probes, &st);
	json_obj_begin(j);
	json_kv_str(j, "source", "bpf");
	json_kv_str(j, "variant", st.variant);
	json_kv_str(j, "detail", st.detail);
	json_kv_bool(j, "cifs_loaded", st.cifs_loaded);
	json_kv_bool(j, "latency_attached", st.latency_attached);
	json_kv_bool(j, "errors_attached", st.errors_attached);
	json_kv_u64(j, "emitted", st.counters[AOD_CNT_EMITTED]);
	json_kv_u64(j, "bpf_ring_dropped", st.counters[AOD_CNT_RB_DROPPED]);
	json_kv_u64(j, "unmatched", st.counters[AOD_CNT_UNMATCHED]);
	json_kv_u64(j, "filtered", st.counters[AOD_CNT_FILTERED]);
	json_kv_u64(j, "flushed", st.counters[AOD_CNT_FLUSHED]);
	json_kv_u64(j, "evicted", st.evicted);
	json_kv_u64(j, "in_flight", st.inflight);
	json_kv_u64(j, "stuck", st.stuck);
	json_kv_u64(j, "oldest_in_flight_ms", st.oldest_inflight_ns / 1000000u);
	json_kv_u64(j, "rejected", st.rejected);
	json_kv_u64(j, "in_flight_reported", st.inflight_reported);
	json_kv_u64(j, "share_records", b->share_records);
	json_kv_u64(j, "op_err_tracepoints", st.op_err_attached);
	json_kv_bool(j, "recording", b->rec != NULL);
	json_op_err_names(j, "op_err_attached_names", st.op_err_attached_set);
	json_op_err_names(j, "op_err_absent_names", st.op_err_absent_set);
	json_shares(j, b->sup->where);
	json_obj_end(j);
}

void source_bpf_text(const struct source_bpf *b, FILE *f)
{
	struct probes_status st;

	probes_get_status(b->probes, &st);
	fprintf(f, "%s; cifs %s; latency probes %s, error probes %s (+%u per-operation); emitted %"
		PRIu64 ", dropped in the BPF ring %" PRIu64 "%s\n", st.variant,
		st.cifs_loaded ? "loaded" : "not loaded", st.latency_attached ? "attached" : "waiting",
		st.errors_attached ? "attached" : "waiting", st.op_err_attached,
		st.counters[AOD_CNT_EMITTED], st.counters[AOD_CNT_RB_DROPPED], b->rec ? "; recording" : "");
	/* Requests whose completion never came: what an operator looks for
	 * when a mount hangs. */
	fprintf(f, "  requests in flight %" PRIu64 " (oldest %" PRIu64 " ms), stuck %" PRIu64
		", flushed on reconnect %" PRIu64 ", evicted unfinished %" PRIu64
		", completions without a start %" PRIu64 "\n",
		st.inflight, st.oldest_inflight_ns / 1000000u, st.stuck, st.counters[AOD_CNT_FLUSHED],
		st.evicted, st.counters[AOD_CNT_UNMATCHED]);
	if (st.op_err_attached_set | st.op_err_absent_set) {
		text_op_err_names(f, "  per-operation error tracepoints attached:", st.op_err_attached_set);
		text_op_err_names(f, "\n  not in this kernel:", st.op_err_absent_set);
		fprintf(f, "\n");
	}
	text_shares(f, b->sup->where);
}

void source_bpf_close(struct source_bpf *b)
{
	if (!b)
		return;
	for (int i = 0; i < b->n_watches; i++)
		loop_del(b->sup->loop, &b->watches[i]);
	uint64_t n = droplog_take(&b->drops, clock_mono_ns(), true);
	if (n)
		bpf_report_drops(n);
	loop_del(b->sup->loop, &b->drop_watch);
	if (b->drop_tfd >= 0)
		close(b->drop_tfd);
	if (b->probes) {
		probes_close(b->probes);
		log_info("probes detached");
	}
	recorder_close(b->rec);
	free(b->sup->where);
	b->sup->where = NULL;
	free(b);
}

int source_bpf_metrics(const struct source_bpf *b, struct probes_metrics *m, struct probes_status *st)
{
	probes_get_status(b->probes, st);
	return probes_read_metrics(b->probes, m);
}
