// SPDX-License-Identifier: GPL-2.0-only
/* `aodctl status --json`: one compact JSON object, written by common/json.c. */
#include "status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aod_build.h"
#include "children.h"
#include "json.h"
#include "sources.h"
#include "sup.h"
#include "clock.h"

/* "cap_a,cap_b" as ["cap_a","cap_b"]; "none" and "unknown" as []. */
static void json_caps(struct json *j, const char *names)
{
	json_arr_begin(j);
	if (strcmp(names, "none") != 0 && strcmp(names, "unknown") != 0) {
		char copy[256], *save = NULL;
		snprintf(copy, sizeof(copy), "%s", names);
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			json_str(j, t);
	}
	json_arr_end(j);
}

static void json_workers(struct sup *s, struct json *j, uint64_t now)
{
	char user[64];

	json_key(j, "workers");
	json_arr_begin(j);
	for (int i = 0; i < W_NR; i++) {
		const struct worker *w = &s->workers[i];
		json_obj_begin(j);
		json_kv_str(j, "name", w->name);
		json_kv_i64(j, "pid", w->pid);
		json_kv_str(j, "state", worker_state_name(w->state));
		json_kv_u64(j, "restarts", w->restarts);
		json_kv_i64(j, "uid", w->uid == (uid_t)-1 ? -1 : (int64_t)w->uid);
		json_kv_str(j, "user", status_uid_name(s, w->uid, user, sizeof(user)));
		json_key(j, "capabilities");
		json_caps(j, w->cap_names);
		json_key(j, "uptime_sec");
		json_fixed(j, (status_uptime_ms(w, now) + 50) / 100, 1);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void json_probes(struct sup *s, struct json *j)
{
	json_key(j, "probes");
	if (s->replay) {
		source_replay_json(s->replay, j);
	} else if (s->bpf) {
		source_bpf_json(s->bpf, j);
	} else {
		json_obj_begin(j);
		json_kv_str(j, "source", "none");
		json_obj_end(j);
	}
}

static void json_ring(struct sup *s, struct json *j)
{
	struct ring_stats st = { 0 };

	if (s->ring)
		ring_get_stats(s->ring, &st);
	json_key(j, "ring");
	json_obj_begin(j);
	json_kv_u64(j, "capacity", st.capacity);
	json_kv_u64(j, "used", st.used);
	json_kv_u64(j, "produced", st.produced);
	json_kv_u64(j, "consumed", st.consumed);
	json_kv_u64(j, "dropped", st.dropped);
	json_obj_end(j);
}

/* detectord's per-anomaly counts, then the supervisor's routing of them. */
static void json_anomalies(struct sup *s, struct json *j)
{
	const struct worker *d = &s->workers[W_DETECTOR];
	unsigned n = d->stats_valid ? d->stats.det.n_anomalies : 0;

	json_key(j, "anomalies");
	json_arr_begin(j);
	for (unsigned i = 0; i < n; i++) {
		const struct proto_anomaly_counts *a = &d->stats.det.anomalies[i];
		json_obj_begin(j);
		json_key(j, "name");
		json_strn(j, a->name, strnlen(a->name, sizeof(a->name)));
		json_kv_u64(j, "judged", a->judged);
		json_kv_u64(j, "detected", a->detected);
		json_kv_u64(j, "sent", a->sent);
		json_kv_u64(j, "suppressed", a->suppressed);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_key(j, "routing");
	json_obj_begin(j);
	json_kv_u64(j, "received", s->anomalies_received);
	json_kv_u64(j, "forwarded", s->anomalies_forwarded);
	json_kv_u64(j, "queued", s->queue.count);
	json_kv_u64(j, "queue_dropped", s->queue.dropped);
	json_kv_u64(j, "cooldown_dropped", s->cooldowns.dropped);
	json_kv_u64(j, "in_flight", s->in_flight);
	json_obj_end(j);
}

static void json_collections(struct sup *s, struct json *j)
{
	const struct worker *c = &s->workers[W_COLLECTOR];
	const struct proto_stats_collector *st = &c->stats.col;

	json_key(j, "collections");
	json_obj_begin(j);
	json_kv_bool(j, "stats_available", c->stats_valid);
	if (c->stats_valid) {
		json_kv_u64(j, "running", st->running);
		json_kv_u64(j, "done", st->done);
		json_kv_u64(j, "failed", st->failed);
		json_kv_u64(j, "received", st->received);
		json_kv_u64(j, "actions_run", st->actions_run);
		json_kv_u64(j, "actions_failed", st->actions_failed);
		json_kv_u64(j, "actions_timed_out", st->actions_timed_out);
		json_kv_u64(j, "write_errors", st->write_errors);
	}
	json_kv_u64(j, "suppressed", status_suppressed_total(s));
	json_kv_u64(j, "completed_seen", s->collections_done);
	json_kv_u64(j, "failed_seen", s->collections_failed);
	json_kv_u64(j, "manual", s->manual_collections);
	json_obj_end(j);
}

static void json_output_dir(struct sup *s, struct json *j)
{
	const struct worker *w = &s->workers[W_SWEEPER];
	const struct proto_stats_sweeper *st = &w->stats.swp;

	json_key(j, "output_dir");
	json_obj_begin(j);
	json_kv_str(j, "path", s->cfg->output_dir);
	if (w->stats_valid) {
		json_kv_u64(j, "bytes", st->output_bytes);
		json_kv_u64(j, "limit_bytes", st->limit_bytes);
		json_kv_u64(j, "collections", st->collections);
		json_kv_u64(j, "deleted", st->deleted);
		json_kv_u64(j, "deleted_bytes", st->deleted_bytes);
		json_kv_u64(j, "last_sweep_unix", st->last_sweep_unix);
	}
	json_kv_bool(j, "stats_available", w->stats_valid);
	json_obj_end(j);
}

static void json_config(struct sup *s, struct json *j)
{
	json_key(j, "config_files");
	json_arr_begin(j);
	for (unsigned i = 0; i < s->cfg->n_files; i++)
		json_str(j, s->cfg->files[i]);
	json_arr_end(j);
	json_kv_u64(j, "reloads", s->reloads);
	json_kv_u64(j, "reload_failures", s->reload_failures);
}

int status_json(struct sup *s, char **text, size_t *len)
{
	struct json j;
	const char *doc;
	size_t n;

	json_init(&j, false);
	json_obj_begin(&j);
	json_kv_str(&j, "version", AOD_VERSION);
	json_kv_i64(&j, "pid", getpid());
	json_kv_str(&j, "state", s->phase == PHASE_RUNNING ? "running" : "stopping");
	json_workers(s, &j, clock_mono_ns());
	json_probes(s, &j);
	json_ring(s, &j);
	json_anomalies(s, &j);
	json_collections(s, &j);
	json_output_dir(s, &j);
	json_config(s, &j);
	json_obj_end(&j);
	int rc = json_finish(&j, &doc, &n);
	/* one line: the document and its newline */
	char *out = rc == 0 ? malloc(n + 2) : NULL;
	if (out) {
		memcpy(out, doc, n);
		memcpy(out + n, "\n", 2);
		*text = out;
		*len = n + 1;
	}
	json_free(&j);
	return rc < 0 ? rc : out ? 0 : -ENOMEM;
}
