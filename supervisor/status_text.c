// SPDX-License-Identifier: GPL-2.0-only
/* `aodctl status`: the same figures as status_json.c, as text for people. */
#include "status.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "aod_build.h"
#include "children.h"
#include "sources.h"
#include "sup.h"
#include "clock.h"

static void text_workers(struct sup *s, FILE *f, uint64_t now)
{
	char user[64];

	fprintf(f, "workers:\n");
	for (int i = 0; i < W_NR; i++) {
		const struct worker *w = &s->workers[i];
		const char *uname = status_uid_name(s, w->uid, user, sizeof(user));
		long uid = w->uid == (uid_t)-1 ? -1 : (long)w->uid;
		fprintf(f, "  %-10s pid %-7d %-10s up %8.1f s  restarts %-3u uid %ld (%s)  caps %s\n",
			w->name, (int)w->pid, worker_state_name(w->state),
			(double)status_uptime_ms(w, now) / 1000.0, w->restarts, uid,
			*uname ? uname : "-", w->cap_names);
	}
}

static void text_probes(struct sup *s, FILE *f)
{
	fprintf(f, "probes: ");
	if (s->replay)
		source_replay_text(s->replay, f);
	else if (s->bpf)
		source_bpf_text(s->bpf, f);
	else
		fprintf(f, "no event source\n");
}

static void text_ring(struct sup *s, FILE *f)
{
	struct ring_stats st = { 0 };

	if (s->ring)
		ring_get_stats(s->ring, &st);
	fprintf(f, "ring: capacity %u, used %u, produced %" PRIu64 ", consumed %" PRIu64
		", dropped %" PRIu64 "\n", st.capacity, st.used, st.produced, st.consumed, st.dropped);
}

static void text_anomalies(struct sup *s, FILE *f)
{
	const struct worker *d = &s->workers[W_DETECTOR];
	unsigned n = d->stats_valid ? d->stats.det.n_anomalies : 0;

	fprintf(f, "anomalies: %" PRIu64 " reported by detectord, %" PRIu64 " sent to "
		"collectord, %u queued, %" PRIu64 " dropped (queue full), %" PRIu64 " dropped "
		"(within cooldown)%s\n",
		s->anomalies_received, s->anomalies_forwarded, s->queue.count, s->queue.dropped,
		s->cooldowns.dropped,
		d->stats_valid ? "" : " (detectord stats unavailable)");
	for (unsigned i = 0; i < n; i++) {
		const struct proto_anomaly_counts *a = &d->stats.det.anomalies[i];
		fprintf(f, "  %-16.*s judged %" PRIu64 ", detected %" PRIu64 ", sent %" PRIu64
			", suppressed by cooldown %" PRIu64 "\n", (int)sizeof(a->name), a->name,
			a->judged, a->detected, a->sent, a->suppressed);
	}
}

static void text_collections(struct sup *s, FILE *f)
{
	const struct worker *c = &s->workers[W_COLLECTOR];
	const struct proto_stats_collector *st = &c->stats.col;

	if (c->stats_valid)
		fprintf(f, "collections: running %" PRIu64 ", done %" PRIu64 ", failed %" PRIu64
			", suppressed by cooldown %" PRIu64 "; actions run %" PRIu64 ", failed %" PRIu64
			", timed out %" PRIu64 "; write errors %" PRIu64 "\n", st->running, st->done,
			st->failed, status_suppressed_total(s), st->actions_run, st->actions_failed,
			st->actions_timed_out, st->write_errors);
	else
		fprintf(f, "collections: done %" PRIu64 ", failed %" PRIu64
			" (collectord stats unavailable)\n", s->collections_done, s->collections_failed);
}

static void text_output_dir(struct sup *s, FILE *f)
{
	const struct worker *w = &s->workers[W_SWEEPER];
	const struct proto_stats_sweeper *st = &w->stats.swp;

	if (w->stats_valid)
		fprintf(f, "output dir: %s: %.1f MiB of %.1f MiB, %" PRIu64 " collections, %" PRIu64
			" deleted\n", s->cfg->output_dir, st->output_bytes / 1048576.0,
			st->limit_bytes / 1048576.0, st->collections, st->deleted);
	else
		fprintf(f, "output dir: %s (sweeperd stats unavailable)\n", s->cfg->output_dir);
}

static void text_config(struct sup *s, FILE *f)
{
	fprintf(f, "config files:");
	for (unsigned i = 0; i < s->cfg->n_files; i++)
		fprintf(f, " %s", s->cfg->files[i]);
	fprintf(f, "\nreloads: %" PRIu64 " (%" PRIu64 " refused)\n", s->reloads, s->reload_failures);
}

int status_text(struct sup *s, char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);

	if (!f)
		return -errno;
	fprintf(f, "aodv2-supervisor %s (pid %d), %s\n", AOD_VERSION, (int)getpid(),
		s->phase == PHASE_RUNNING ? "running" : "stopping");
	text_workers(s, f, clock_mono_ns());
	text_probes(s, f);
	text_ring(s, f);
	text_anomalies(s, f);
	text_collections(s, f);
	text_output_dir(s, f);
	text_config(s, f);
	bool failed = ferror(f);
	if (fclose(f) != 0 || failed) {
		free(*text);
		*text = NULL;
		return -ENOMEM;
	}
	return 0;
}
