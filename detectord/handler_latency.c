// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Latency handler (events from smbslower). Per command, a request is a
 * violation when it is slower than the command's threshold; a window is
 * anomalous when its violations exceed acceptable_count; one request slower
 * than emergency_threshold_ms is an anomaly on its own, raised while it is
 * judged (once per window; further ones are in that window's summary).
 *
 * The hot loop is one table lookup and one comparison per event: gate[] holds,
 * per (kind, command), the smaller of the command's threshold and the
 * emergency bound, or UINT64_MAX for events this anomaly does not judge, so
 * only slow requests leave the loop.
 *
 * A request still waiting (AOD_EV_INFLIGHT, re-reported at every walk of
 * the probes' start map) longer than the emergency bound is an emergency
 * while it waits, once: it is remembered (LAT_HUNG of them) so that neither
 * its later reports nor its completion raise it again. The emergency is
 * raised after the whole batch is judged, so it names every request of that
 * walk that newly waits too long, and counts all that wait.
 *
 * The summary is exact while a window has at most LAT_SAMPLES violations
 * (their latencies are kept and sorted at summary time); beyond that the
 * samples are folded into per-command log-linear histograms (lathist.h) and
 * percentiles are within 3.1 % above the exact ones. count and max stay exact.
 */
#include "handler.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lathist.h"
#include "worst.h"

#define LAT_SAMPLES 4096u
#define LAT_HUNG 64u
#define NS_PER_MS 1000000ull
/* An event's (kind, command) bytes read as one little-endian 16-bit key,
 * masked so that any byte values stay inside gate[]. */
#define LAT_KEY_MASK 0x031fu
#define LAT_KEYS (LAT_KEY_MASK + 1u)

struct lat_window {
	uint64_t judged;     /* events of our kind */
	uint64_t violations;
	uint32_t touched;    /* bit per command with violations */
	uint32_t nsamples;   /* violations kept in sample_*[] */
	bool in_hist;        /* samples overflowed into hist[] */
	bool emergency_raised;
	bool inflight_pending;     /* a newly hung request awaits the end of the batch */
	uint64_t inflight_ts;      /* the walk the waiting count is of */
	uint32_t waiting;          /* requests over the bound at that walk */
	uint64_t count[HANDLER_CMD_SLOTS];
	uint64_t max[HANDLER_CMD_SLOTS];
	struct worst worst;
	uint64_t sample_lat[LAT_SAMPLES];
	uint8_t sample_cmd[LAT_SAMPLES];
	struct lathist hist[AOD_SMB2_NR_COMMANDS];
};

/* A request raised while in flight: (session, message id, start time). */
struct lat_hung {
	uint64_t session_id, message_id, start_ns;
};

struct lat_state {
	uint64_t gate[LAT_KEYS];
	uint64_t threshold[HANDLER_CMD_SLOTS]; /* UINT64_MAX: command not judged */
	uint64_t emergency_ns;                  /* UINT64_MAX: no emergency bound */
	uint32_t acceptable;
	uint8_t kind;
	struct lat_window w;
	struct lat_hung hung[LAT_HUNG];         /* ring; the oldest is overwritten */
	unsigned hung_next;
	uint64_t scratch[LAT_SAMPLES];          /* sorting room for the summary */
};

_Static_assert(offsetof(struct aod_event, kind) == offsetof(struct aod_event, command) + 1,
	       "the event key reads command and kind as one 16-bit value");

static inline unsigned lat_key(const struct aod_event *e)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint16_t k;
	memcpy(&k, &e->command, sizeof(k));
	return k & LAT_KEY_MASK;
#else
	return (((unsigned)e->kind << 8) | e->command) & LAT_KEY_MASK;
#endif
}

static unsigned lat_key_of(uint8_t kind, unsigned cmd)
{
	return (((unsigned)kind << 8) | cmd) & LAT_KEY_MASK;
}

static bool lat_tracked(enum aod_mode mode, bool listed)
{
	return mode == AOD_MODE_ALL || (mode == AOD_MODE_TRACKONLY && listed) ||
	       (mode == AOD_MODE_EXCLUDEONLY && !listed);
}

static int lat_init(void *p, const struct aod_anomaly_cfg *cfg, char *err, size_t errlen)
{
	struct lat_state *s = p;
	uint32_t thr_ms[AOD_SMB2_NR_COMMANDS];
	bool listed[AOD_SMB2_NR_COMMANDS] = { false };

	s->kind = handler_kind_of_tool(cfg->tool);
	if (!s->kind) {
		snprintf(err, errlen, "anomaly %s: unknown tool %d", cfg->name, (int)cfg->tool);
		return -EINVAL;
	}
	if (cfg->mode != AOD_MODE_ALL && cfg->mode != AOD_MODE_TRACKONLY &&
	    cfg->mode != AOD_MODE_EXCLUDEONLY) {
		snprintf(err, errlen, "anomaly %s: unknown mode %d", cfg->name, (int)cfg->mode);
		return -EINVAL;
	}
	for (unsigned c = 0; c < AOD_SMB2_NR_COMMANDS; c++)
		thr_ms[c] = cfg->default_threshold_ms;
	for (unsigned i = 0; i < cfg->n_track_commands; i++) {
		const struct aod_track_command *t = &cfg->track_commands[i];
		if (t->command < 0 || t->command >= (int)AOD_SMB2_NR_COMMANDS) {
			snprintf(err, errlen, "anomaly %s: track_commands[%u]: command %d is not an SMB2 command",
				 cfg->name, i, t->command);
			return -EINVAL;
		}
		listed[t->command] = true;
		if (t->threshold_ms)
			thr_ms[t->command] = t->threshold_ms;
	}

	s->emergency_ns = cfg->emergency_threshold_ms ? cfg->emergency_threshold_ms * NS_PER_MS : UINT64_MAX;
	s->acceptable = cfg->acceptable_count;
	for (unsigned k = 0; k < LAT_KEYS; k++)
		s->gate[k] = UINT64_MAX;
	for (unsigned c = 0; c < HANDLER_CMD_SLOTS; c++) {
		bool judged = c < AOD_SMB2_NR_COMMANDS && lat_tracked(cfg->mode, listed[c]);
		s->threshold[c] = judged ? thr_ms[c] * NS_PER_MS : UINT64_MAX;
		if (judged) {
			s->gate[lat_key_of(s->kind, c)] =
				s->threshold[c] < s->emergency_ns ? s->threshold[c] : s->emergency_ns;
			if (s->kind == AOD_EV_LATENCY)
				s->gate[lat_key_of(AOD_EV_INFLIGHT, c)] = s->emergency_ns;
		}
	}
	return 0;
}

static void lat_adopt(void *p, const void *old)
{
	struct lat_state *s = p;
	const struct lat_state *o = old;

	/* Only a window of the same events carries over. */
	if (o->kind == s->kind) {
		s->w = o->w;
		memcpy(s->hung, o->hung, sizeof(s->hung));
		s->hung_next = o->hung_next;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void lat_percentiles_exact(struct lat_state *s, unsigned cmd, struct proto_cmd_stat *cs)
{
	size_t n = 0;
	for (uint32_t i = 0; i < s->w.nsamples; i++)
		if (s->w.sample_cmd[i] == cmd)
			s->scratch[n++] = s->w.sample_lat[i];
	if (n == 0)
		return;
	qsort(s->scratch, n, sizeof(s->scratch[0]), cmp_u64);
	cs->p50_ns = s->scratch[lathist_rank(n, 50) - 1];
	cs->p99_ns = s->scratch[lathist_rank(n, 99) - 1];
}

static void lat_summarize(struct lat_state *s, uint64_t judged, struct proto_anomaly *out)
{
	const struct lat_window *w = &s->w;

	out->events_judged = judged;
	out->violations = w->violations;
	out->acceptable_count = s->acceptable;
	for (unsigned c = 0; c < AOD_SMB2_NR_COMMANDS; c++) {
		if (!(w->touched & (1u << c)))
			continue;
		struct proto_cmd_stat *cs = &out->cmds[c];
		cs->count = w->count[c];
		cs->max_ns = w->max[c];
		if (w->in_hist) {
			/* A bucket's top may exceed the exact max: clamp. */
			cs->p50_ns = lathist_percentile(&w->hist[c], 50);
			cs->p99_ns = lathist_percentile(&w->hist[c], 99);
			if (cs->p50_ns > cs->max_ns)
				cs->p50_ns = cs->max_ns;
			if (cs->p99_ns > cs->max_ns)
				cs->p99_ns = cs->max_ns;
		} else {
			lat_percentiles_exact(s, c, cs);
		}
	}
	out->in_flight = w->waiting;
	out->n_worst = w->worst.n;
	memcpy(out->worst, w->worst.w, sizeof(out->worst[0]) * w->worst.n);
}

/* The kept samples no longer fit: from now on percentiles come from the
 * histograms, which get every sample so far. */
static void lat_spill(struct lat_window *w)
{
	for (uint32_t i = 0; i < w->nsamples; i++)
		lathist_add(&w->hist[w->sample_cmd[i]], w->sample_lat[i]);
	w->in_hist = true;
}

static void lat_violation(struct lat_window *w, const struct aod_event *e, unsigned c)
{
	uint64_t lat = e->latency_ns;

	w->violations++;
	w->count[c]++;
	if (lat > w->max[c])
		w->max[c] = lat;
	w->touched |= 1u << c;
	if (!w->in_hist) {
		if (w->nsamples < LAT_SAMPLES) {
			w->sample_lat[w->nsamples] = lat;
			w->sample_cmd[w->nsamples] = (uint8_t)c;
			w->nsamples++;
		} else {
			lat_spill(w);
		}
	}
	if (w->in_hist)
		lathist_add(&w->hist[c], lat);
	worst_offer(&w->worst, e);
}

static struct lat_hung lat_hung_of(const struct aod_event *e)
{
	struct lat_hung h = { e->session_id, e->message_id, e->ts_ns - e->latency_ns };
	return h;
}

/* The request's slot in the hung ring, or -1. */
static int lat_hung_find(const struct lat_state *s, const struct aod_event *e)
{
	struct lat_hung h = lat_hung_of(e);

	for (unsigned i = 0; i < LAT_HUNG; i++)
		if (s->hung[i].start_ns == h.start_ns && s->hung[i].message_id == h.message_id &&
		    s->hung[i].session_id == h.session_id && h.start_ns)
			return (int)i;
	return -1;
}

/* A request still waiting past the emergency bound. */
static void lat_inflight(struct lat_state *s, const struct aod_event *e)
{
	if (e->ts_ns != s->w.inflight_ts) {
		s->w.inflight_ts = e->ts_ns;
		s->w.waiting = 0;
	}
	s->w.waiting++;
	if (lat_hung_find(s, e) >= 0 || s->w.emergency_raised)
		return; /* raised before; or the window has its emergency: the next walk's window */
	s->hung[s->hung_next] = lat_hung_of(e);
	s->hung_next = (s->hung_next + 1u) % LAT_HUNG;
	worst_offer(&s->w.worst, e);
	s->w.inflight_pending = true;
}

/* A request above its gate: a violation, an emergency, or both. judged is
 * the window's count including this event, for an emergency's summary. */
static __attribute__((noinline)) void lat_slow(struct lat_state *s, const struct aod_event *e,
						uint64_t judged, struct handler_sink *sink)
{
	unsigned c = e->command & (HANDLER_CMD_SLOTS - 1u);

	if (c >= AOD_SMB2_NR_COMMANDS)
		return; /* the engine validated it, but the bytes are shared */
	if (e->kind == AOD_EV_INFLIGHT && s->kind == AOD_EV_LATENCY) {
		if (s->threshold[c] != UINT64_MAX && e->latency_ns > s->emergency_ns)
			lat_inflight(s, e);
		return;
	}
	if (e->kind != s->kind)
		return;
	if (e->latency_ns > s->threshold[c])
		lat_violation(&s->w, e, c);
	int hung = e->latency_ns > s->emergency_ns ? lat_hung_find(s, e) : -1;
	if (hung >= 0) {
		memset(&s->hung[hung], 0, sizeof(s->hung[hung])); /* raised while it waited */
		return;
	}
	if (e->latency_ns > s->emergency_ns && !s->w.emergency_raised &&
	    s->threshold[c] != UINT64_MAX) {
		struct proto_anomaly a;
		memset(&a, 0, sizeof(a));
		s->w.emergency_raised = true;
		if (e->latency_ns <= s->threshold[c])
			worst_offer(&s->w.worst, e); /* over the emergency bound but under its own threshold */
		lat_summarize(s, judged, &a);
		a.emergency = 1;
		handler_emergency(sink, &a, e->ts_ns);
	}
}

/* The requests of the last walk that newly wait too long: one emergency. */
static __attribute__((noinline)) void lat_raise_inflight(struct lat_state *s, struct handler_sink *sink)
{
	struct proto_anomaly a;

	memset(&a, 0, sizeof(a));
	s->w.inflight_pending = false;
	s->w.emergency_raised = true;
	lat_summarize(s, s->w.judged, &a);
	a.emergency = 1;
	handler_emergency(sink, &a, s->w.inflight_ts);
}

static size_t lat_judge(void *p, const struct aod_event *ev, size_t n, struct handler_sink *sink)
{
	struct lat_state *s = p;
	const uint64_t *gate = s->gate;
	const uint8_t kind = s->kind;
	size_t judged = 0;

	for (size_t i = 0; i < n; i++) {
		const struct aod_event *e = &ev[i];
		judged += e->kind == kind;
		if (__builtin_expect(e->latency_ns > gate[lat_key(e)], 0))
			lat_slow(s, e, s->w.judged + judged, sink);
	}
	s->w.judged += judged;
	if (__builtin_expect(s->w.inflight_pending, 0))
		lat_raise_inflight(s, sink);
	return judged;
}

static void lat_window_reset(struct lat_window *w)
{
	for (unsigned c = 0; c < AOD_SMB2_NR_COMMANDS; c++) {
		if (!(w->touched & (1u << c)))
			continue;
		w->count[c] = 0;
		w->max[c] = 0;
		if (w->in_hist)
			memset(&w->hist[c], 0, sizeof(w->hist[c]));
	}
	w->judged = 0;
	w->violations = 0;
	w->touched = 0;
	w->nsamples = 0;
	w->in_hist = false;
	w->emergency_raised = false;
	w->inflight_pending = false;
	w->waiting = 0;
	w->inflight_ts = 0;
	worst_reset(&w->worst);
}

static bool lat_close(void *p, struct proto_anomaly *out)
{
	struct lat_state *s = p;
	bool anomalous = s->w.violations > s->acceptable;

	if (anomalous)
		lat_summarize(s, s->w.judged, out);
	lat_window_reset(&s->w);
	return anomalous;
}

static uint64_t lat_emergency_ns(const void *p)
{
	const struct lat_state *s = p;
	return s->emergency_ns == UINT64_MAX ? 0 : s->emergency_ns;
}

const struct handler_ops handler_latency_ops = {
	.type_name = "Latency",
	.type = AOD_TYPE_LATENCY,
	.proto_type = PROTO_ANOMALY_LATENCY,
	.state_size = sizeof(struct lat_state),
	.init = lat_init,
	.adopt = lat_adopt,
	.judge = lat_judge,
	.close = lat_close,
	.emergency_ns = lat_emergency_ns,
};
