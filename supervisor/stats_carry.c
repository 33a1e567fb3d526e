// SPDX-License-Identifier: GPL-2.0-only
#include "stats_carry.h"

#include <string.h>

static uint64_t carry_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static const struct proto_anomaly_counts *carry_find(const struct proto_stats_detector *d,
						     const char *name)
{
	for (uint32_t i = 0; i < d->n_anomalies && i < PROTO_MAX_ANOMALIES; i++)
		if (strncmp(d->anomalies[i].name, name, PROTO_NAME_LEN) == 0)
			return &d->anomalies[i];
	return NULL;
}

/* The reply's anomalies (those the running config has), each with what
 * earlier processes counted under its name. */
void carry_detector(union worker_stats *out, const union worker_stats *carried, const void *reply)
{
	const struct proto_stats_detector *c = &carried->det;
	struct proto_stats_detector r;

	if (!reply) {
		out->det = *c;
		return;
	}
	memcpy(&r, reply, sizeof(r));
	r.events_consumed = carry_add(r.events_consumed, c->events_consumed);
	r.late_events = carry_add(r.late_events, c->late_events);
	for (uint32_t i = 0; i < r.n_anomalies; i++) {
		struct proto_anomaly_counts *a = &r.anomalies[i];
		const struct proto_anomaly_counts *o = carry_find(c, a->name);
		if (!o)
			continue;
		a->judged = carry_add(a->judged, o->judged);
		a->detected = carry_add(a->detected, o->detected);
		a->sent = carry_add(a->sent, o->sent);
		a->suppressed = carry_add(a->suppressed, o->suppressed);
	}
	out->det = r;
}

void carry_collector(union worker_stats *out, const union worker_stats *carried, const void *reply)
{
	const struct proto_stats_collector *c = &carried->col;
	struct proto_stats_collector r;

	if (!reply) {
		out->col = *c;
		out->col.running = 0;
		return;
	}
	memcpy(&r, reply, sizeof(r));
	r.done = carry_add(r.done, c->done);
	r.failed = carry_add(r.failed, c->failed);
	r.actions_run = carry_add(r.actions_run, c->actions_run);
	r.actions_failed = carry_add(r.actions_failed, c->actions_failed);
	r.actions_timed_out = carry_add(r.actions_timed_out, c->actions_timed_out);
	r.write_errors = carry_add(r.write_errors, c->write_errors);
	r.received = carry_add(r.received, c->received);
	out->col = r;
}

/* The output directory's size and count are measured afresh by every
 * sweeperd; what was deleted adds up. */
void carry_sweeper(union worker_stats *out, const union worker_stats *carried, const void *reply)
{
	const struct proto_stats_sweeper *c = &carried->swp;
	struct proto_stats_sweeper r;

	if (!reply) {
		out->swp = *c;
		return;
	}
	memcpy(&r, reply, sizeof(r));
	r.deleted = carry_add(r.deleted, c->deleted);
	r.deleted_bytes = carry_add(r.deleted_bytes, c->deleted_bytes);
	if (r.last_sweep_unix < c->last_sweep_unix)
		r.last_sweep_unix = c->last_sweep_unix;
	out->swp = r;
}
