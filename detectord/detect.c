// SPDX-License-Identifier: GPL-2.0-only
#include "detect.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "handler.h"
#include "log.h"
#include "smb_tables.h"

/* Events are checked and split into window runs this many at a time, so the
 * handlers' passes over a run find it in L1 (64 bytes x 256 = 16 KiB). */
#define DETECT_CHUNK 256u
#define DETECT_MAX_GRACE_NS 200000000ull
/* Timestamps above this are nonsense (292 years of uptime) and would
 * overflow window arithmetic. */
#define DETECT_TS_MAX (UINT64_MAX / 4u)

struct detect_slot {
	const struct handler_ops *ops;
	void *state;
	char name[PROTO_NAME_LEN];
	uint64_t cooldown_ns;
	uint64_t judged, detected, sent, suppressed;
	uint64_t judged_closed;  /* judged when the last window closed (audit) */
	bool has_sent;
	uint64_t last_sent_ns; /* wall clock timestamp of the last sent anomaly */
};

struct handler_sink {
	struct detect *d;
	struct detect_slot *slot;
};

struct detect {
	struct detect_slot *slots;
	unsigned n_slots;
	uint64_t width_ns, grace_ns;
	uint64_t mono_to_wall; /* added modulo 2^64: a signed offset */
	detect_emit_fn emit;
	void *emit_arg;

	bool anchored, open;
	uint64_t anchor, start, end;
	uint64_t floor;        /* end of the last closed window */
	uint64_t last_ts_sent; /* keeps sent timestamps unique */

	uint64_t consumed, late, invalid, invalid_logged;
};

int64_t detect_clock_offset(void)
{
	struct timespec m1, r, m2;

	clock_gettime(CLOCK_MONOTONIC, &m1);
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m2);
	int64_t mono = ((int64_t)m1.tv_sec * 1000000000 + m1.tv_nsec +
			(int64_t)m2.tv_sec * 1000000000 + m2.tv_nsec) / 2;
	return (int64_t)r.tv_sec * 1000000000 + r.tv_nsec - mono;
}

static uint64_t detect_wall(const struct detect *d, uint64_t mono_ns)
{
	return mono_ns + d->mono_to_wall;
}

/* ---- handlers ---------------------------------------------------------- */

static void slots_free(struct detect_slot *slots, unsigned n)
{
	if (!slots)
		return;
	for (unsigned i = 0; i < n; i++)
		free(slots[i].state);
	free(slots);
}

static uint64_t interval_ns_of(const struct aod_config *cfg)
{
	return (uint64_t)(cfg->watch_interval_sec * 1e9 + 0.5);
}

static int slots_build(const struct aod_config *cfg, struct detect_slot **out, char *err,
		       size_t errlen)
{
	struct detect_slot *slots;

	if (cfg->n_anomalies > PROTO_MAX_ANOMALIES) {
		snprintf(err, errlen, "%u anomalies configured, at most %u are supported",
			 cfg->n_anomalies, PROTO_MAX_ANOMALIES);
		return -EINVAL;
	}
	slots = calloc(cfg->n_anomalies ? cfg->n_anomalies : 1, sizeof(*slots));
	if (!slots) {
		snprintf(err, errlen, "out of memory for %u anomalies", cfg->n_anomalies);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < cfg->n_anomalies; i++) {
		const struct aod_anomaly_cfg *a = &cfg->anomalies[i];
		struct detect_slot *s = &slots[i];
		int r;

		if (!a->name || strlen(a->name) >= sizeof(s->name)) {
			snprintf(err, errlen, "anomaly %u: name missing or longer than %u bytes", i,
				 PROTO_NAME_LEN - 1);
			slots_free(slots, i);
			return -EINVAL;
		}
		s->ops = handler_lookup(a->type);
		if (!s->ops) {
			snprintf(err, errlen, "anomaly %s: no handler for type %d", a->name, (int)a->type);
			slots_free(slots, i);
			return -EINVAL;
		}
		s->state = calloc(1, s->ops->state_size);
		if (!s->state) {
			snprintf(err, errlen, "anomaly %s: out of memory", a->name);
			slots_free(slots, i);
			return -ENOMEM;
		}
		r = s->ops->init(s->state, a, err, errlen);
		if (r < 0) {
			slots_free(slots, i + 1);
			return r;
		}
		memcpy(s->name, a->name, strlen(a->name) + 1);
		s->cooldown_ns = (uint64_t)a->cooldown_sec * 1000000000ull;
	}
	*out = slots;
	return 0;
}

static int params_check(const struct aod_config *cfg, char *err, size_t errlen)
{
	if (!(cfg->watch_interval_sec >= 0.001 && cfg->watch_interval_sec <= 86400.0)) {
		snprintf(err, errlen, "watch_interval_sec %g is out of range", cfg->watch_interval_sec);
		return -EINVAL;
	}
	return 0;
}

static void params_apply(struct detect *d, uint64_t width_ns)
{
	d->width_ns = width_ns;
	d->grace_ns = width_ns / 4u < DETECT_MAX_GRACE_NS ? width_ns / 4u : DETECT_MAX_GRACE_NS;
}

int detect_create(const struct aod_config *cfg, int64_t mono_to_wall_ns, detect_emit_fn emit,
		  void *arg, struct detect **out, char *err, size_t errlen)
{
	struct detect *d;
	int r = params_check(cfg, err, errlen);

	if (r < 0)
		return r;
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r = slots_build(cfg, &d->slots, err, errlen);
	if (r < 0) {
		free(d);
		return r;
	}
	d->n_slots = cfg->n_anomalies;
	params_apply(d, interval_ns_of(cfg));
	d->mono_to_wall = (uint64_t)mono_to_wall_ns;
	d->emit = emit;
	d->emit_arg = arg;
	*out = d;
	return 0;
}

void detect_free(struct detect *d)
{
	if (!d)
		return;
	slots_free(d->slots, d->n_slots);
	free(d);
}

/* ---- anomalies ----------------------------------------------------------- */

/* One line an operator can act on: what, how bad, and the worst request. */
static void detect_log_sent(const struct detect_slot *s, const struct proto_anomaly *a)
{
	char worst[128] = "";

	if (a->n_worst) {
		const struct proto_worst *w = &a->worst[0];
		const char *cmd = smb2_command_name(w->command);
		const char *err = w->err ? errno_name(w->err) : NULL;
		snprintf(worst, sizeof(worst), "; worst: %s %" PRIu64 " ms%s%s by %s (pid %u)",
			 cmd ? cmd : "?", w->latency_ns / 1000000u, err ? " " : "", err ? err : "",
			 w->comm, w->pid);
	}
	log_info("anomaly %s (%s)%s: %" PRIu64 " violations of %" PRIu64 " events judged "
		 "(acceptable %u) in %" PRIu64 " ms%s; timestamp %" PRIu64,
		 s->name, s->ops->type_name, a->emergency ? " emergency" : "", a->violations,
		 a->events_judged, a->acceptable_count,
		 (a->interval_end_ns - a->interval_start_ns) / 1000000u, worst, a->timestamp_ns);
}

/* audit.h: every window judged, with its verdict. */
static void detect_audit_window(const struct detect *d, struct detect_slot *s,
				const struct proto_anomaly *a)
{
	uint64_t events = s->judged - s->judged_closed;
	char ev[24], viol[24];

	s->judged_closed = s->judged;
	if (!audit_enabled())
		return;
	snprintf(ev, sizeof(ev), "%" PRIu64, events);
	snprintf(viol, sizeof(viol), "%" PRIu64, a ? a->violations : 0);
	struct journal_field f[] = { { "AOD_ANOMALY", s->name }, { "AOD_TYPE", s->ops->type_name },
				     { "AOD_EVENTS", ev }, { "AOD_VIOLATIONS", a ? viol : "" },
				     { "AOD_VERDICT", a ? "anomaly" : "ok" } };
	audit_record(AUDIT_WINDOW, f, 5, "window of %" PRIu64 " ms for %s: %s events judged, %s",
		     (d->end - d->start) / 1000000u, s->name, ev, a ? "anomaly" : "ok");
}

/* audit.h: an anomaly and its cooldown decision. */
static void detect_audit_decision(const struct detect_slot *s, const struct proto_anomaly *a,
				  bool sent)
{
	char viol[24], cool[24], coll[32];

	if (!audit_enabled())
		return;
	snprintf(viol, sizeof(viol), "%" PRIu64, a->violations);
	snprintf(cool, sizeof(cool), "%" PRIu64, s->cooldown_ns / 1000000000u);
	coll[0] = '\0';
	if (sent)
		snprintf(coll, sizeof(coll), "aod_%" PRIu64, a->timestamp_ns);
	struct journal_field f[] = { { "AOD_ANOMALY", s->name }, { "AOD_TYPE", s->ops->type_name },
				     { "AOD_VIOLATIONS", viol }, { "AOD_COOLDOWN_SEC", cool },
				     { "AOD_DECISION", sent ? "sent" : "suppressed" },
				     { "AOD_COLLECTION", coll } };
	audit_record(AUDIT_ANOMALY, f, 6, "anomaly %s%s: %s violations; %s (cooldown %s s)", s->name,
		     a->emergency ? " (emergency)" : "", viol,
		     sent ? "sent for collection" : "suppressed by cooldown", cool);
}

static void detect_deliver(struct detect *d, struct detect_slot *s, struct proto_anomaly *a,
			   uint64_t ts_wall)
{
	memcpy(a->name, s->name, sizeof(a->name));
	a->type = s->ops->proto_type;
	s->detected++;
	if (s->cooldown_ns && s->has_sent && ts_wall < s->last_sent_ns + s->cooldown_ns) {
		s->suppressed++;
		log_info("anomaly %s%s suppressed by cooldown: %" PRIu64 " violations (acceptable %u), "
			 "%" PRIu64 " ms after the last one sent (cooldown %" PRIu64 " s)",
			 s->name, a->emergency ? " (emergency)" : "", a->violations, a->acceptable_count,
			 ts_wall > s->last_sent_ns ? (ts_wall - s->last_sent_ns) / 1000000u : 0,
			 s->cooldown_ns / 1000000000u);
		detect_audit_decision(s, a, false);
		return;
	}
	if (ts_wall <= d->last_ts_sent)
		ts_wall = d->last_ts_sent + 1u;
	a->timestamp_ns = ts_wall;
	d->last_ts_sent = ts_wall;
	s->has_sent = true;
	s->last_sent_ns = ts_wall;
	s->sent++;
	detect_log_sent(s, a);
	detect_audit_decision(s, a, true);
	d->emit(a, d->emit_arg);
}

void handler_emergency(struct handler_sink *sink, struct proto_anomaly *a, uint64_t event_ts_ns)
{
	struct detect *d = sink->d;
	uint64_t end = event_ts_ns > d->start ? event_ts_ns : d->start;

	a->interval_start_ns = detect_wall(d, d->start);
	a->interval_end_ns = detect_wall(d, end);
	detect_deliver(d, sink->slot, a, detect_wall(d, event_ts_ns));
}

/* ---- windows ------------------------------------------------------------- */

static void window_open(struct detect *d, uint64_t ts)
{
	if (!d->anchored) {
		d->anchor = ts;
		d->anchored = true;
	}
	/* A late event reopens nothing: it goes to the window after the last
	 * closed one. */
	uint64_t t = ts < d->floor ? d->floor : ts;
	if (t < d->anchor)
		t = d->anchor;
	uint64_t k = (t - d->anchor) / d->width_ns;
	d->start = d->anchor + k * d->width_ns;
	d->end = d->start + d->width_ns;
	d->open = true;
}

static void window_close(struct detect *d)
{
	struct proto_anomaly a;

	for (unsigned i = 0; i < d->n_slots; i++) {
		struct detect_slot *s = &d->slots[i];
		memset(&a, 0, sizeof(a));
		bool anomalous = s->ops->close(s->state, &a);
		detect_audit_window(d, s, anomalous ? &a : NULL);
		if (!anomalous)
			continue;
		a.interval_start_ns = detect_wall(d, d->start);
		a.interval_end_ns = detect_wall(d, d->end);
		detect_deliver(d, s, &a, a.interval_end_ns);
	}
	if (d->invalid != d->invalid_logged) {
		log_warn("skipped %" PRIu64 " malformed ring events (bad kind, command, errno or "
			 "timestamp); %" PRIu64 " in total", d->invalid - d->invalid_logged, d->invalid);
		d->invalid_logged = d->invalid;
	}
	d->open = false;
	d->floor = d->end;
}

static void judge_run(struct detect *d, const struct aod_event *ev, size_t n)
{
	if (n == 0)
		return;
	for (unsigned i = 0; i < d->n_slots; i++) {
		struct detect_slot *s = &d->slots[i];
		struct handler_sink sink = { d, s };
		s->judged += s->ops->judge(s->state, ev, n, &sink);
	}
}

static bool event_valid(const struct aod_event *e)
{
	return (uint8_t)(e->kind - 1u) <= 2u && e->command < AOD_SMB2_NR_COMMANDS &&
	       (uint16_t)e->err < HANDLER_MAX_ERRNO && e->ts_ns <= DETECT_TS_MAX;
}

/* True when every event is valid and inside the open window: then the
 * chunk goes to the handlers as one run. Branch-free on purpose: the
 * command, kind and err fields are read as one little-endian 32-bit word
 * (command | kind << 8 | err << 16): ((w - 0x100) & 0xfeff) < 19 holds
 * exactly for kinds 1 and 2 with a command below 19, and the top four bits
 * are clear exactly when 0 <= err < 4096. */
_Static_assert(offsetof(struct aod_event, kind) == offsetof(struct aod_event, command) + 1 &&
		       offsetof(struct aod_event, err) == offsetof(struct aod_event, command) + 2,
	       "chunk_clean reads command, kind and err as one 32-bit word");
static inline uint32_t event_word(const struct aod_event *e)
{
	uint32_t w;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(&w, &e->command, sizeof(w));
#else
	w = e->command | (uint32_t)e->kind << 8 | (uint32_t)(uint16_t)e->err << 16;
#endif
	return w;
}

static bool chunk_clean(const struct detect *d, const struct aod_event *ev, size_t n)
{
	const uint64_t start = d->start, width = d->open ? d->end - d->start : 0;
	unsigned bad = 0;

	for (size_t i = 0; i < n; i++) {
		const struct aod_event *e = &ev[i];
		uint32_t w = event_word(e);
		bad |= (e->ts_ns - start) >= width;
		bad |= ((w - 0x100u) & 0xfeffu) >= AOD_SMB2_NR_COMMANDS;
		bad |= w >> 28;
	}
	return !bad;
}

/* Event by event: skips malformed events, closes and opens windows, counts
 * late ones, and hands the handlers the runs in between. */
static void judge_careful(struct detect *d, const struct aod_event *ev, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		const struct aod_event *e = &ev[i];
		uint64_t ts = e->ts_ns;

		if (!event_valid(e)) {
			judge_run(d, ev + run, i - run);
			run = i + 1;
			d->invalid++;
			continue;
		}
		if (d->open && ts >= d->end) {
			judge_run(d, ev + run, i - run);
			run = i;
			window_close(d);
		}
		if (!d->open)
			window_open(d, ts);
		if (ts < d->start)
			d->late++;
	}
	judge_run(d, ev + run, n - run);
}

void detect_judge(struct detect *d, const struct aod_event *ev, size_t n)
{
	d->consumed += n;
	while (n > 0) {
		size_t m = n < DETECT_CHUNK ? n : DETECT_CHUNK;
		if (chunk_clean(d, ev, m))
			judge_run(d, ev, m);
		else
			judge_careful(d, ev, m);
		ev += m;
		n -= m;
	}
}

void detect_tick(struct detect *d, uint64_t now_mono_ns)
{
	if (d->open && now_mono_ns >= d->end + d->grace_ns)
		window_close(d);
}

uint64_t detect_deadline(const struct detect *d)
{
	return d->open ? d->end + d->grace_ns : 0;
}

void detect_flush(struct detect *d)
{
	if (d->open)
		window_close(d);
}

/* ---- reload, queries ----------------------------------------------------- */

static struct detect_slot *slot_find(struct detect *d, const char *name,
				     const struct handler_ops *ops)
{
	for (unsigned i = 0; i < d->n_slots; i++)
		if (d->slots[i].ops == ops && strcmp(d->slots[i].name, name) == 0)
			return &d->slots[i];
	return NULL;
}

int detect_reload(struct detect *d, const struct aod_config *cfg, char *err, size_t errlen)
{
	struct detect_slot *slots;
	uint64_t width = interval_ns_of(cfg);
	int r = params_check(cfg, err, errlen);

	if (r < 0)
		return r;
	r = slots_build(cfg, &slots, err, errlen);
	if (r < 0)
		return r;
	if (width != d->width_ns) {
		/* The old grid means nothing at the new width: judge what the
		 * open window holds with the old config, start afresh. */
		detect_flush(d);
		d->anchored = false;
		d->floor = 0;
		params_apply(d, width);
	}
	for (unsigned i = 0; i < cfg->n_anomalies; i++) {
		struct detect_slot *n = &slots[i], *o = slot_find(d, n->name, n->ops);
		if (!o)
			continue;
		n->ops->adopt(n->state, o->state);
		n->judged = o->judged;
		n->judged_closed = o->judged_closed;
		n->detected = o->detected;
		n->sent = o->sent;
		n->suppressed = o->suppressed;
		n->has_sent = o->has_sent;
		n->last_sent_ns = o->last_sent_ns;
	}
	slots_free(d->slots, d->n_slots);
	d->slots = slots;
	d->n_slots = cfg->n_anomalies;
	return 0;
}

bool detect_restore_cooldown(struct detect *d, const char *name, uint64_t last_ns)
{
	for (unsigned i = 0; i < d->n_slots; i++) {
		struct detect_slot *s = &d->slots[i];
		if (strncmp(s->name, name, sizeof(s->name)) != 0)
			continue;
		if (!s->has_sent || last_ns > s->last_sent_ns) {
			s->has_sent = true;
			s->last_sent_ns = last_ns;
		}
		return true;
	}
	return false;
}

uint64_t detect_wake_latency_ns(const struct detect *d)
{
	uint64_t min = 0;

	for (unsigned i = 0; i < d->n_slots; i++) {
		uint64_t e = d->slots[i].ops->emergency_ns(d->slots[i].state);
		if (e && (!min || e < min))
			min = e;
	}
	return min;
}

uint64_t detect_interval_ns(const struct detect *d)
{
	return d->width_ns;
}

void detect_get_stats(const struct detect *d, struct proto_stats_detector *st)
{
	memset(st, 0, sizeof(*st));
	st->events_consumed = d->consumed;
	st->late_events = d->late;
	for (unsigned i = 0; i < d->n_slots && i < PROTO_MAX_ANOMALIES; i++) {
		const struct detect_slot *s = &d->slots[i];
		struct proto_anomaly_counts *c = &st->anomalies[i];
		memcpy(c->name, s->name, sizeof(c->name));
		c->judged = s->judged;
		c->detected = s->detected;
		c->sent = s->sent;
		c->suppressed = s->suppressed;
	}
	st->n_anomalies = d->n_slots < PROTO_MAX_ANOMALIES ? d->n_slots : PROTO_MAX_ANOMALIES;
}
