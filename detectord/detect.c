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
#include "ev_where.h"
#include "handler.h"
#include "log.h"
#include "smb_tables.h"
#include "smb_where.h"

/* Events are checked and split into window runs this many at a time, so the
 * handlers' passes over a run find it in L1 (64 bytes x 256 = 16 KiB). */
#define DETECT_CHUNK 256u
#define DETECT_MAX_GRACE_NS 200000000ull
/* Timestamps above this are nonsense (292 years of uptime) and would
 * overflow window arithmetic. */
#define DETECT_TS_MAX (UINT64_MAX / 4u)

/* One thing an anomaly judges on its own: the host, or one server or share
 * of a scoped anomaly (then keys[DETECT_SCOPE_KEYS] is the "other" key). */
struct detect_key {
	void *state;
	bool used;
	bool has_sent;
	uint64_t last_sent_ns;   /* wall clock timestamp of the last sent anomaly */
	uint64_t judged;
	uint64_t judged_closed;  /* judged when the last window closed */
	char server[PROTO_SERVER_LEN];
	char share[PROTO_SHARE_LEN];
};

/* (session, tree) -> key index, valid while gen equals the engine's. */
#define DETECT_CACHE 64u
struct detect_cache {
	uint64_t session_id;
	uint32_t tree_id;
	uint32_t idx;
	uint64_t gen;
};

struct detect_slot {
	const struct handler_ops *ops;
	char name[PROTO_NAME_LEN];
	uint64_t cooldown_ns;
	uint64_t judged, detected, sent, suppressed;
	enum aod_scope scope;    /* AOD_SCOPE_HOST for anything but server and share */
	struct detect_key *keys; /* 1 (host) or DETECT_SCOPE_KEYS + 1 */
	unsigned n_keys;
	uint64_t other_keyed;    /* (session, tree) pairs sent to the other key */
	/* the cooldown a restarted detectord was handed (detect_restore_cooldown):
	 * keys taken later start from it too */
	bool restored;
	uint64_t restored_ns;
	struct detect_cache cache[DETECT_CACHE];
};

struct handler_sink {
	struct detect *d;
	struct detect_slot *slot;
	struct detect_key *key;
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

	/* The shares the stream named (AOD_EV_WHERE records) */
	struct smb_where_table *where;
	struct ev_where_asm where_asm;
	uint64_t gen;          /* bumped when a name or a key changes: drops the caches */
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
	for (unsigned i = 0; i < n; i++) {
		for (unsigned k = 0; slots[i].keys && k < slots[i].n_keys; k++)
			free(slots[i].keys[k].state);
		free(slots[i].keys);
	}
	free(slots);
}

/* The keys of one anomaly, each with its handler state. */
static int slot_keys_build(struct detect_slot *s, const struct aod_anomaly_cfg *a, char *err,
			   size_t errlen)
{
	s->scope = a->scope == AOD_SCOPE_SERVER || a->scope == AOD_SCOPE_SHARE ? a->scope : AOD_SCOPE_HOST;
	s->n_keys = s->scope == AOD_SCOPE_HOST ? 1u : DETECT_SCOPE_KEYS + 1u;
	s->keys = calloc(s->n_keys, sizeof(*s->keys));
	if (!s->keys) {
		snprintf(err, errlen, "anomaly %s: out of memory", a->name);
		return -ENOMEM;
	}
	for (unsigned k = 0; k < s->n_keys; k++) {
		s->keys[k].state = calloc(1, s->ops->state_size);
		if (!s->keys[k].state) {
			snprintf(err, errlen, "anomaly %s: out of memory", a->name);
			return -ENOMEM;
		}
		int r = s->ops->init(s->keys[k].state, a, err, errlen);
		if (r < 0)
			return r;
	}
	s->keys[0].used = s->scope == AOD_SCOPE_HOST;
	return 0;
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
		r = slot_keys_build(s, a, err, errlen);
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
	d->where = calloc(1, sizeof(*d->where));
	if (!d->where) {
		snprintf(err, errlen, "out of memory");
		detect_free(d);
		return -ENOMEM;
	}
	smb_where_init(d->where);
	d->gen = 1;
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
	free(d->where);
	free(d);
}

/* ---- anomalies ----------------------------------------------------------- */

/* "; share \\srv\s" for a scoped anomaly, "" for the host. */
static void detect_scope_text(const struct detect_slot *s, const struct detect_key *k, char *buf,
			      size_t len)
{
	bool other = s->scope != AOD_SCOPE_HOST && k == &s->keys[DETECT_SCOPE_KEYS];
	const char *what = s->scope == AOD_SCOPE_SHARE ? "share" : "server";
	const char *name = s->scope == AOD_SCOPE_SHARE ? k->share : k->server;

	buf[0] = '\0';
	if (s->scope == AOD_SCOPE_HOST)
		return;
	if (other)
		snprintf(buf, len, "; %ss past the %u tracked", what, DETECT_SCOPE_KEYS);
	else if (s->scope == AOD_SCOPE_SHARE && name[0])
		snprintf(buf, len, "; share %s (server %s)", name, k->server);
	else
		snprintf(buf, len, "; %s %s", what, name[0] ? name : "unknown");
}

/* One line an operator can act on: what, where, how bad, and the worst request. */
static void detect_log_sent(const struct detect_slot *s, const struct detect_key *k,
			    const struct proto_anomaly *a)
{
	char worst[128] = "", scope[PROTO_SHARE_LEN + PROTO_SERVER_LEN + 32];

	if (a->n_worst) {
		const struct proto_worst *w = &a->worst[0];
		const char *cmd = smb2_command_name(w->command);
		const char *err = w->err ? errno_name(w->err) : NULL;
		snprintf(worst, sizeof(worst), "; worst: %s %" PRIu64 " ms%s%s by %s (pid %u)",
			 cmd ? cmd : "?", w->latency_ns / 1000000u, err ? " " : "", err ? err : "",
			 w->comm, w->pid);
	}
	detect_scope_text(s, k, scope, sizeof(scope));
	log_info("anomaly %s (%s)%s%s: %" PRIu64 " violations of %" PRIu64 " events judged "
		 "(acceptable %u) in %" PRIu64 " ms%s; timestamp %" PRIu64,
		 s->name, s->ops->type_name, a->emergency ? " emergency" : "", scope, a->violations,
		 a->events_judged, a->acceptable_count,
		 (a->interval_end_ns - a->interval_start_ns) / 1000000u, worst, a->timestamp_ns);
}

/* audit.h: every window judged, with its verdict. */
static void detect_audit_window(const struct detect *d, struct detect_slot *s, struct detect_key *k,
				const struct proto_anomaly *a)
{
	uint64_t events = k->judged - k->judged_closed;
	char ev[24], viol[24];

	k->judged_closed = k->judged;
	if (!audit_enabled())
		return;
	snprintf(ev, sizeof(ev), "%" PRIu64, events);
	snprintf(viol, sizeof(viol), "%" PRIu64, a ? a->violations : 0);
	struct journal_field f[] = { { "AOD_ANOMALY", s->name }, { "AOD_TYPE", s->ops->type_name },
				     { "AOD_EVENTS", ev }, { "AOD_VIOLATIONS", a ? viol : "" },
				     { "AOD_VERDICT", a ? "anomaly" : "ok" }, { "AOD_SHARE", k->share } };
	audit_record(AUDIT_WINDOW, f, 6, "window of %" PRIu64 " ms for %s%s%s: %s events judged, %s",
		     (d->end - d->start) / 1000000u, s->name, k->share[0] ? " on " : "", k->share, ev,
		     a ? "anomaly" : "ok");
}

/* audit.h: an anomaly and its cooldown decision. */
static void detect_audit_decision(const struct detect_slot *s, const struct detect_key *k,
				  const struct proto_anomaly *a, bool sent)
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
				     { "AOD_COLLECTION", coll }, { "AOD_SHARE", k->share } };
	audit_record(AUDIT_ANOMALY, f, 7, "anomaly %s%s%s%s: %s violations; %s (cooldown %s s)", s->name,
		     a->emergency ? " (emergency)" : "", k->share[0] ? " on " : "", k->share, viol,
		     sent ? "sent for collection" : "suppressed by cooldown", cool);
}

static void detect_name_scope(const struct detect_slot *s, const struct detect_key *k,
			      struct proto_anomaly *a)
{
	a->scope = s->scope == AOD_SCOPE_SERVER ? PROTO_SCOPE_SERVER
		   : s->scope == AOD_SCOPE_SHARE ? PROTO_SCOPE_SHARE : PROTO_SCOPE_HOST;
	a->scope_other = s->scope != AOD_SCOPE_HOST && k == &s->keys[DETECT_SCOPE_KEYS];
	memcpy(a->server, k->server, sizeof(a->server));
	memcpy(a->share, k->share, sizeof(a->share));
}

/* Cooldowns are per key: one share's anomaly does not silence another's. */
static void detect_deliver(struct detect *d, struct detect_slot *s, struct detect_key *k,
			   struct proto_anomaly *a, uint64_t ts_wall)
{
	memcpy(a->name, s->name, sizeof(a->name));
	a->type = s->ops->proto_type;
	a->mono_to_wall_ns = (int64_t)d->mono_to_wall;
	detect_name_scope(s, k, a);
	s->detected++;
	if (s->cooldown_ns && k->has_sent && ts_wall < k->last_sent_ns + s->cooldown_ns) {
		s->suppressed++;
		log_info("anomaly %s%s%s%s suppressed by cooldown: %" PRIu64 " violations (acceptable %u), "
			 "%" PRIu64 " ms after the last one sent (cooldown %" PRIu64 " s)",
			 s->name, a->emergency ? " (emergency)" : "", k->share[0] ? " on " : "", k->share,
			 a->violations, a->acceptable_count,
			 ts_wall > k->last_sent_ns ? (ts_wall - k->last_sent_ns) / 1000000u : 0,
			 s->cooldown_ns / 1000000000u);
		detect_audit_decision(s, k, a, false);
		return;
	}
	if (ts_wall <= d->last_ts_sent)
		ts_wall = d->last_ts_sent + 1u;
	a->timestamp_ns = ts_wall;
	d->last_ts_sent = ts_wall;
	k->has_sent = true;
	k->last_sent_ns = ts_wall;
	s->sent++;
	detect_log_sent(s, k, a);
	detect_audit_decision(s, k, a, true);
	d->emit(a, d->emit_arg);
}

void handler_emergency(struct handler_sink *sink, struct proto_anomaly *a, uint64_t event_ts_ns)
{
	struct detect *d = sink->d;
	uint64_t end = event_ts_ns > d->start ? event_ts_ns : d->start;

	a->interval_start_ns = detect_wall(d, d->start);
	a->interval_end_ns = detect_wall(d, end);
	detect_deliver(d, sink->slot, sink->key, a, detect_wall(d, event_ts_ns));
}

/* ---- scope keys ---------------------------------------------------------- */

/* A share the stream named (AOD_EV_WHERE records). */
static void detect_where(struct detect *d, const struct aod_event *e)
{
	struct smb_where w;
	int r = ev_where_feed(&d->where_asm, e, &w);

	if (r < 0) {
		d->invalid++;
		return;
	}
	if (r == 0)
		return;
	smb_where_put(d->where, &w);
	d->gen++;
}

static const char *key_name(const struct detect_slot *s, const struct detect_key *k)
{
	return s->scope == AOD_SCOPE_SHARE ? k->share : k->server;
}

/* The key an event's share (or server) is judged under: a tracked one, a
 * free one it takes, or - all DETECT_SCOPE_KEYS taken - the other key. */
static unsigned slot_key_find(struct detect *d, struct detect_slot *s, const struct aod_event *e)
{
	const struct smb_where *w = smb_where_find(d->where, e->session_id, e->tree_id);
	const char *name;
	int free_k = -1;

	if (!w && s->scope == AOD_SCOPE_SERVER)
		w = smb_where_find_session(d->where, e->session_id);
	name = !w ? "" : s->scope == AOD_SCOPE_SHARE ? w->share : w->server;
	for (unsigned k = 0; k < DETECT_SCOPE_KEYS; k++) {
		struct detect_key *key = &s->keys[k];
		if (!key->used) {
			if (free_k < 0)
				free_k = (int)k;
			continue;
		}
		if (strcmp(key_name(s, key), name) == 0)
			return k;
	}
	if (free_k < 0) {
		struct detect_key *other = &s->keys[DETECT_SCOPE_KEYS];
		other->used = true;
		s->other_keyed++;
		log_warn_rl("anomaly %s: more than %u %ss at once; %s and the others past them are "
			    "judged together (%" PRIu64 " times so far)", s->name, DETECT_SCOPE_KEYS,
			    s->scope == AOD_SCOPE_SHARE ? "share" : "server", name[0] ? name : "unknown",
			    s->other_keyed);
		return DETECT_SCOPE_KEYS;
	}
	struct detect_key *key = &s->keys[free_k];
	key->used = true;
	key->has_sent = s->restored;
	key->last_sent_ns = s->restored_ns;
	snprintf(key->server, sizeof(key->server), "%s", w ? w->server : "");
	snprintf(key->share, sizeof(key->share), "%s", w && s->scope == AOD_SCOPE_SHARE ? w->share : "");
	return (unsigned)free_k;
}

static unsigned slot_key_of(struct detect *d, struct detect_slot *s, const struct aod_event *e)
{
	uint64_t h = (e->session_id ^ ((uint64_t)e->tree_id << 32 | e->tree_id)) * 0x9E3779B97F4A7C15ull;
	struct detect_cache *c = &s->cache[h >> 58];

	if (c->gen == d->gen && c->session_id == e->session_id && c->tree_id == e->tree_id)
		return c->idx;
	c->idx = slot_key_find(d, s, e);
	c->session_id = e->session_id;
	c->tree_id = e->tree_id;
	c->gen = d->gen;
	return c->idx;
}

static size_t key_judge(struct detect *d, struct detect_slot *s, struct detect_key *k,
			const struct aod_event *ev, size_t n)
{
	struct handler_sink sink = { d, s, k };
	size_t judged = s->ops->judge(k->state, ev, n, &sink);

	k->judged += judged;
	return judged;
}

/* Runs of events with the same key go to that key's handler together. */
static size_t slot_judge_scoped(struct detect *d, struct detect_slot *s, const struct aod_event *ev,
				size_t n)
{
	size_t judged = 0, start = 0;
	unsigned cur = slot_key_of(d, s, &ev[0]);

	for (size_t i = 1; i <= n; i++) {
		unsigned k = i < n ? slot_key_of(d, s, &ev[i]) : UINT32_MAX;
		if (k == cur)
			continue;
		judged += key_judge(d, s, &s->keys[cur], ev + start, i - start);
		start = i;
		cur = k;
	}
	return judged;
}

/* A key whose window judged nothing and whose cooldown is over makes room. */
static void slot_key_idle(struct detect *d, struct detect_slot *s, struct detect_key *k,
			  uint64_t judged_in_window, uint64_t now_wall)
{
	if (s->scope == AOD_SCOPE_HOST || judged_in_window ||
	    (k->has_sent && s->cooldown_ns && now_wall < k->last_sent_ns + s->cooldown_ns))
		return;
	k->used = false;
	k->has_sent = false;
	k->server[0] = k->share[0] = '\0';
	d->gen++;
}

/* ---- windows ------------------------------------------------------------- */

/* A grid record (the replay source's) anchors the grid before any event
 * did; an event before it moves the anchor back by whole windows. */
static void detect_grid(struct detect *d, const struct aod_event *e)
{
	if (e->ts_ns > DETECT_TS_MAX)
		d->invalid++;
	else if (!d->anchored && !d->open) {
		d->anchor = e->ts_ns;
		d->anchored = true;
	}
}

static void window_open(struct detect *d, uint64_t ts)
{
	if (!d->anchored) {
		d->anchor = ts;
		d->anchored = true;
	}
	/* A late event reopens nothing: it goes to the window after the last
	 * closed one. */
	uint64_t t = ts < d->floor ? d->floor : ts;
	if (t < d->anchor && d->floor == 0) {
		uint64_t back = (d->anchor - t + d->width_ns - 1) / d->width_ns * d->width_ns;
		if (back <= d->anchor)
			d->anchor -= back;
	}
	if (t < d->anchor)
		t = d->anchor;
	uint64_t k = (t - d->anchor) / d->width_ns;
	d->start = d->anchor + k * d->width_ns;
	d->end = d->start + d->width_ns;
	d->open = true;
}

static void window_close_key(struct detect *d, struct detect_slot *s, struct detect_key *k)
{
	struct proto_anomaly a;
	uint64_t judged = k->judged - k->judged_closed;

	memset(&a, 0, sizeof(a));
	bool anomalous = k->state && s->ops->close(k->state, &a);
	detect_audit_window(d, s, k, anomalous ? &a : NULL);
	if (anomalous) {
		a.interval_start_ns = detect_wall(d, d->start);
		a.interval_end_ns = detect_wall(d, d->end);
		detect_deliver(d, s, k, &a, a.interval_end_ns);
	}
	slot_key_idle(d, s, k, judged, detect_wall(d, d->end));
}

static void window_close(struct detect *d)
{
	for (unsigned i = 0; i < d->n_slots; i++) {
		struct detect_slot *s = &d->slots[i];
		for (unsigned k = 0; k < s->n_keys; k++)
			if (s->keys[k].used)
				window_close_key(d, s, &s->keys[k]);
	}
	if (d->invalid != d->invalid_logged) {
		log_warn("skipped %" PRIu64 " malformed ring events (bad kind, command, errno, "
			 "timestamp or share name); %" PRIu64 " in total", d->invalid - d->invalid_logged,
			 d->invalid);
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
		s->judged += s->scope == AOD_SCOPE_HOST ? key_judge(d, s, &s->keys[0], ev, n)
							: slot_judge_scoped(d, s, ev, n);
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

		if (e->kind == AOD_EV_WHERE || e->kind == AOD_EV_WHERE_TEXT || e->kind == AOD_EV_GRID) {
			judge_run(d, ev + run, i - run);
			run = i + 1;
			if (e->kind == AOD_EV_GRID)
				detect_grid(d, e);
			else
				detect_where(d, e);
			continue;
		}
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
		n->judged = o->judged;
		n->detected = o->detected;
		n->sent = o->sent;
		n->suppressed = o->suppressed;
		n->other_keyed = o->other_keyed;
		n->restored = o->restored;
		n->restored_ns = o->restored_ns;
		if (n->scope != o->scope)
			continue; /* judged by other keys now: windows start afresh */
		for (unsigned k = 0; k < n->n_keys; k++) {
			void *st = n->keys[k].state;
			n->keys[k] = o->keys[k];
			n->keys[k].state = st;
			n->ops->adopt(st, o->keys[k].state);
		}
	}
	slots_free(d->slots, d->n_slots);
	d->slots = slots;
	d->n_slots = cfg->n_anomalies;
	d->gen++; /* the new slots' caches are empty */
	return 0;
}

bool detect_restore_cooldown(struct detect *d, const char *name, uint64_t last_ns)
{
	for (unsigned i = 0; i < d->n_slots; i++) {
		struct detect_slot *s = &d->slots[i];
		if (strncmp(s->name, name, sizeof(s->name)) != 0)
			continue;
		if (!s->restored || last_ns > s->restored_ns) {
			s->restored = true;
			s->restored_ns = last_ns;
		}
		/* every key, the host's and those of a scoped anomaly alike: the
		 * supervisor keeps one time per name for a restart */
		for (unsigned k = 0; k < s->n_keys; k++) {
			struct detect_key *key = &s->keys[k];
			if (!key->has_sent || last_ns > key->last_sent_ns) {
				key->has_sent = true;
				key->last_sent_ns = last_ns;
			}
		}
		return true;
	}
	return false;
}

uint64_t detect_wake_latency_ns(const struct detect *d)
{
	uint64_t min = 0;

	for (unsigned i = 0; i < d->n_slots; i++) {
		uint64_t e = d->slots[i].ops->emergency_ns(d->slots[i].keys[0].state);
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
