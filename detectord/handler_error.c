// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Error handler (events from smbiosnoop). A failed request counts when
 * its errno is judged: in mode all every errno, in trackonly those listed in
 * track_codes, in excludeonly all but those. A failed request without an
 * errno (err 0, only an NT status) counts in modes all and excludeonly.
 * A window is anomalous when its counted errors exceed acceptable_count.
 *
 * The summary has the errors per command (cmds[].count), per errno (the
 * PROTO_MAX_ERRNOS most frequent, most frequent first; err 0 is counted in
 * violations but has no errno entry) and the slowest few failed requests.
 */
#include "handler.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "worst.h"

struct err_window {
	uint64_t judged;     /* events of our kind */
	uint64_t violations; /* counted errors */
	uint32_t touched;    /* bit per command with errors */
	uint32_t nseen;      /* distinct errnos in seen[] */
	uint64_t count[HANDLER_CMD_SLOTS];
	struct worst worst;
	uint64_t err_count[HANDLER_MAX_ERRNO];
	uint16_t seen[HANDLER_MAX_ERRNO];
};

struct err_state {
	uint8_t tracked[HANDLER_MAX_ERRNO]; /* 1: this errno counts */
	uint32_t acceptable;
	uint8_t kind;
	struct err_window w;
};

static int err_init(void *p, const struct aod_anomaly_cfg *cfg, char *err, size_t errlen)
{
	struct err_state *s = p;
	uint8_t listed_value, other_value;

	s->kind = handler_kind_of_tool(cfg->tool);
	if (!s->kind) {
		snprintf(err, errlen, "anomaly %s: unknown tool %d", cfg->name, (int)cfg->tool);
		return -EINVAL;
	}
	switch (cfg->mode) {
	case AOD_MODE_ALL:
		listed_value = 1, other_value = 1;
		break;
	case AOD_MODE_TRACKONLY:
		listed_value = 1, other_value = 0;
		break;
	case AOD_MODE_EXCLUDEONLY:
		listed_value = 0, other_value = 1;
		break;
	default:
		snprintf(err, errlen, "anomaly %s: unknown mode %d", cfg->name, (int)cfg->mode);
		return -EINVAL;
	}
	memset(s->tracked, other_value, sizeof(s->tracked));
	for (unsigned i = 0; i < cfg->n_track_codes; i++) {
		int code = cfg->track_codes[i];
		if (code <= 0 || code >= (int)HANDLER_MAX_ERRNO) {
			snprintf(err, errlen, "anomaly %s: track_codes[%u]: %d is not an errno value",
				 cfg->name, i, code);
			return -EINVAL;
		}
		s->tracked[code] = listed_value;
	}
	s->acceptable = cfg->acceptable_count;
	return 0;
}

static void err_adopt(void *p, const void *old)
{
	struct err_state *s = p;
	const struct err_state *o = old;

	if (o->kind == s->kind)
		s->w = o->w;
}

static void err_record(struct err_window *w, const struct aod_event *e)
{
	unsigned c = e->command & (HANDLER_CMD_SLOTS - 1u);
	unsigned code = (uint16_t)e->err & (HANDLER_MAX_ERRNO - 1u);

	w->violations++;
	w->count[c]++;
	w->touched |= 1u << c;
	if (w->err_count[code]++ == 0)
		w->seen[w->nseen++] = (uint16_t)code;
	worst_offer(&w->worst, e);
}

/* Index into seen[] of the most frequent errno not yet taken, or -1. */
static int err_next_most_frequent(const struct err_window *w, const bool *taken)
{
	int best = -1;
	for (uint32_t i = 0; i < w->nseen; i++) {
		unsigned code = w->seen[i];
		if (taken[i] || code == 0)
			continue;
		if (best < 0 || w->err_count[code] > w->err_count[w->seen[best]] ||
		    (w->err_count[code] == w->err_count[w->seen[best]] && code < w->seen[best]))
			best = (int)i;
	}
	return best;
}

static void err_summarize(const struct err_state *s, struct proto_anomaly *out)
{
	const struct err_window *w = &s->w;
	bool taken[HANDLER_MAX_ERRNO] = { false };

	out->events_judged = w->judged;
	out->violations = w->violations;
	out->acceptable_count = s->acceptable;
	for (unsigned c = 0; c < AOD_SMB2_NR_COMMANDS; c++)
		out->cmds[c].count = w->count[c];
	while (out->n_errnos < PROTO_MAX_ERRNOS) {
		int i = err_next_most_frequent(w, taken);
		if (i < 0)
			break;
		taken[i] = true;
		out->errnos[out->n_errnos].err = w->seen[i];
		out->errnos[out->n_errnos].count = w->err_count[w->seen[i]];
		out->n_errnos++;
	}
	out->n_worst = w->worst.n;
	memcpy(out->worst, w->worst.w, sizeof(out->worst[0]) * w->worst.n);
}

static size_t err_judge(void *p, const struct aod_event *ev, size_t n, struct handler_sink *sink)
{
	struct err_state *s = p;
	const uint8_t *tracked = s->tracked;
	const uint8_t kind = s->kind;
	size_t judged = 0;

	(void)sink; /* errors have no emergency bound */
	for (size_t i = 0; i < n; i++) {
		const struct aod_event *e = &ev[i];
		if (e->kind != kind)
			continue;
		judged++;
		if (tracked[(uint16_t)e->err & (HANDLER_MAX_ERRNO - 1u)])
			err_record(&s->w, e);
	}
	s->w.judged += judged;
	return judged;
}

static void err_window_reset(struct err_window *w)
{
	for (unsigned c = 0; c < AOD_SMB2_NR_COMMANDS; c++)
		if (w->touched & (1u << c))
			w->count[c] = 0;
	for (uint32_t i = 0; i < w->nseen; i++)
		w->err_count[w->seen[i]] = 0;
	w->judged = 0;
	w->violations = 0;
	w->touched = 0;
	w->nseen = 0;
	worst_reset(&w->worst);
}

static bool err_close(void *p, struct proto_anomaly *out)
{
	struct err_state *s = p;
	bool anomalous = s->w.violations > s->acceptable;

	if (anomalous)
		err_summarize(s, out);
	err_window_reset(&s->w);
	return anomalous;
}

static uint64_t err_emergency_ns(const void *p)
{
	(void)p;
	return 0;
}

const struct handler_ops handler_error_ops = {
	.type_name = "Error",
	.type = AOD_TYPE_ERROR,
	.proto_type = PROTO_ANOMALY_ERROR,
	.state_size = sizeof(struct err_state),
	.init = err_init,
	.adopt = err_adopt,
	.judge = err_judge,
	.close = err_close,
	.emergency_ns = err_emergency_ns,
};
