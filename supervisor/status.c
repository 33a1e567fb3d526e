// SPDX-License-Identifier: GPL-2.0-only
#include "status.h"

#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "aod_build.h"
#include "log.h"
#include "sources.h"
#include "sup.h"
#include "clock.h"

static void status_gather_finish(struct sup *s)
{
	s->gather.active = false;
	s->gather.waiting = 0;
	timer_arm_ms(s->gather.tfd, 0);
	control_status_ready(s);
}

static void status_on_timeout(struct loop_watch *lw, uint32_t events)
{
	struct sup *s = lw->obj;
	(void)events;

	timer_ack(s->gather.tfd);
	if (!s->gather.active)
		return;
	for (int i = 0; i < W_NR; i++)
		if (s->gather.waiting & (1u << i))
			log_debug("%s did not answer the stats request in time", s->workers[i].name);
	status_gather_finish(s);
}

int status_init(struct sup *s)
{
	s->gather.tfd = timer_new();
	if (s->gather.tfd < 0)
		return s->gather.tfd;
	return loop_add(s->loop, &s->gather.watch, s->gather.tfd, EPOLLIN, status_on_timeout, s);
}

void status_gather_start(struct sup *s)
{
	if (s->gather.active)
		return;
	s->gather.active = true;
	s->gather.waiting = 0;
	for (int i = 0; i < W_NR; i++) {
		struct worker *w = &s->workers[i];
		if (w->state != WS_RUNNING || w->shutdown_sent)
			continue;
		if (worker_send(w, PROTO_STATS_REQ, NULL, 0) == 0)
			s->gather.waiting |= 1u << i;
	}
	if (!s->gather.waiting) {
		status_gather_finish(s);
		return;
	}
	timer_arm_ms(s->gather.tfd, STATUS_GATHER_MS);
}

void status_gather_note(struct sup *s, struct worker *w)
{
	if (!s->gather.active)
		return;
	s->gather.waiting &= ~(1u << w->id);
	if (!s->gather.waiting)
		status_gather_finish(s);
}

/* The service user's name is known (it was resolved at start); another uid
 * is a worker about to be killed for it, the only case worth a lookup. */
static const char *uid_name(const struct sup *s, uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];

	if (uid == s->svc_uid)
		return s->svc_user;
	if (uid == (uid_t)-1 || getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) != 0 || !res)
		return "";
	snprintf(buf, len, "%s", pw.pw_name);
	return buf;
}

static double worker_uptime(const struct worker *w, uint64_t now)
{
	if (w->pid <= 0 || !w->started_ns)
		return 0;
	return (double)(now - w->started_ns) / 1e9;
}

static void json_caps(struct strbuf *b, const char *names)
{
	strbuf_add(b, "[", 1);
	if (strcmp(names, "none") != 0 && strcmp(names, "unknown") != 0) {
		char copy[256], *save = NULL;
		snprintf(copy, sizeof(copy), "%s", names);
		int first = 1;
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (!first)
				strbuf_add(b, ",", 1);
			strbuf_json_str(b, t);
			first = 0;
		}
	}
	strbuf_add(b, "]", 1);
}

static void render_workers(struct sup *s, bool json, struct strbuf *b, uint64_t now)
{
	char user[64];

	strbuf_printf(b, json ? "\"workers\":[" : "workers:\n");
	for (int i = 0; i < W_NR; i++) {
		const struct worker *w = &s->workers[i];
		const char *uname = uid_name(s, w->uid, user, sizeof(user));
		long uid = w->uid == (uid_t)-1 ? -1 : (long)w->uid;
		if (json) {
			strbuf_printf(b, "%s{\"name\":\"%s\",\"pid\":%d,\"state\":\"%s\",\"restarts\":%u,"
				      "\"uid\":%ld,\"user\":", i ? "," : "", w->name, (int)w->pid,
				      worker_state_name(w->state), w->restarts, uid);
			strbuf_json_str(b, uname);
			strbuf_printf(b, ",\"capabilities\":");
			json_caps(b, w->cap_names);
			strbuf_printf(b, ",\"uptime_sec\":%.1f}", worker_uptime(w, now));
		} else {
			strbuf_printf(b, "  %-10s pid %-7d %-10s up %8.1f s  restarts %-3u uid %ld (%s)  caps %s\n",
				      w->name, (int)w->pid, worker_state_name(w->state),
				      worker_uptime(w, now), w->restarts, uid, *uname ? uname : "-",
				      w->cap_names);
		}
	}
	if (json)
		strbuf_add(b, "],", 2);
}

static void render_ring(struct sup *s, bool json, struct strbuf *b)
{
	struct ring_stats st = { 0 };
	if (s->ring)
		ring_get_stats(s->ring, &st);
	strbuf_printf(b, json ? "\"ring\":{\"capacity\":%u,\"used\":%u,\"produced\":%" PRIu64
			      ",\"consumed\":%" PRIu64 ",\"dropped\":%" PRIu64 "},"
			      : "ring: capacity %u, used %u, produced %" PRIu64 ", consumed %" PRIu64
			      ", dropped %" PRIu64 "\n",
		      st.capacity, st.used, st.produced, st.consumed, st.dropped);
}

static void render_anomalies(struct sup *s, bool json, struct strbuf *b)
{
	const struct worker *d = &s->workers[W_DETECTOR];
	unsigned n = d->stats_valid ? d->stats.det.n_anomalies : 0;

	if (json)
		strbuf_printf(b, "\"anomalies\":[");
	else
		strbuf_printf(b, "anomalies: %" PRIu64 " reported by detectord, %" PRIu64 " sent to "
			      "collectord, %u queued, %" PRIu64 " dropped (queue full)%s\n",
			      s->anomalies_received, s->anomalies_forwarded, s->queue.count,
			      s->queue.dropped, d->stats_valid ? "" : " (detectord stats unavailable)");
	for (unsigned i = 0; i < n; i++) {
		const struct proto_anomaly_counts *a = &d->stats.det.anomalies[i];
		if (json) {
			strbuf_printf(b, "%s{\"name\":", i ? "," : "");
			strbuf_json_str(b, a->name);
			strbuf_printf(b, ",\"judged\":%" PRIu64 ",\"detected\":%" PRIu64 ",\"sent\":%" PRIu64
				      ",\"suppressed\":%" PRIu64 "}", a->judged, a->detected, a->sent,
				      a->suppressed);
		} else {
			strbuf_printf(b, "  %-16s judged %" PRIu64 ", detected %" PRIu64 ", sent %" PRIu64
				      ", suppressed by cooldown %" PRIu64 "\n", a->name, a->judged,
				      a->detected, a->sent, a->suppressed);
		}
	}
	if (json)
		strbuf_printf(b, "],\"routing\":{\"received\":%" PRIu64 ",\"forwarded\":%" PRIu64
			      ",\"queued\":%u,\"queue_dropped\":%" PRIu64 ",\"in_flight\":%u},",
			      s->anomalies_received, s->anomalies_forwarded, s->queue.count,
			      s->queue.dropped, s->in_flight);
}

static uint64_t suppressed_total(const struct sup *s)
{
	const struct worker *d = &s->workers[W_DETECTOR];
	uint64_t n = 0;
	if (d->stats_valid)
		for (unsigned i = 0; i < d->stats.det.n_anomalies; i++)
			n += d->stats.det.anomalies[i].suppressed;
	return n;
}

static void render_collections(struct sup *s, bool json, struct strbuf *b)
{
	const struct worker *c = &s->workers[W_COLLECTOR];
	const struct proto_stats_collector *st = &c->stats.col;
	bool v = c->stats_valid;

	if (json) {
		strbuf_printf(b, "\"collections\":{\"stats_available\":%s", v ? "true" : "false");
		if (v)
			strbuf_printf(b, ",\"running\":%" PRIu64 ",\"done\":%" PRIu64 ",\"failed\":%" PRIu64
				      ",\"received\":%" PRIu64 ",\"actions_run\":%" PRIu64
				      ",\"actions_failed\":%" PRIu64 ",\"actions_timed_out\":%" PRIu64
				      ",\"write_errors\":%" PRIu64, st->running, st->done, st->failed,
				      st->received, st->actions_run, st->actions_failed,
				      st->actions_timed_out, st->write_errors);
		strbuf_printf(b, ",\"suppressed\":%" PRIu64 ",\"completed_seen\":%" PRIu64
			      ",\"failed_seen\":%" PRIu64 ",\"manual\":%" PRIu64 "},", suppressed_total(s),
			      s->collections_done, s->collections_failed, s->manual_collections);
		return;
	}
	if (v)
		strbuf_printf(b, "collections: running %" PRIu64 ", done %" PRIu64 ", failed %" PRIu64
			      ", suppressed by cooldown %" PRIu64 "; actions run %" PRIu64 ", failed %" PRIu64
			      ", timed out %" PRIu64 "; write errors %" PRIu64 "\n", st->running, st->done,
			      st->failed, suppressed_total(s), st->actions_run, st->actions_failed,
			      st->actions_timed_out, st->write_errors);
	else
		strbuf_printf(b, "collections: done %" PRIu64 ", failed %" PRIu64
			      " (collectord stats unavailable)\n", s->collections_done, s->collections_failed);
}

static void render_output_dir(struct sup *s, bool json, struct strbuf *b)
{
	const struct worker *w = &s->workers[W_SWEEPER];
	const struct proto_stats_sweeper *st = &w->stats.swp;

	if (json) {
		strbuf_printf(b, "\"output_dir\":{\"path\":");
		strbuf_json_str(b, s->cfg->output_dir);
		if (w->stats_valid)
			strbuf_printf(b, ",\"bytes\":%" PRIu64 ",\"limit_bytes\":%" PRIu64
				      ",\"collections\":%" PRIu64 ",\"deleted\":%" PRIu64
				      ",\"deleted_bytes\":%" PRIu64 ",\"last_sweep_unix\":%" PRIu64,
				      st->output_bytes, st->limit_bytes, st->collections, st->deleted,
				      st->deleted_bytes, st->last_sweep_unix);
		strbuf_printf(b, ",\"stats_available\":%s},", w->stats_valid ? "true" : "false");
		return;
	}
	if (w->stats_valid)
		strbuf_printf(b, "output dir: %s: %.1f MiB of %.1f MiB, %" PRIu64 " collections, %" PRIu64
			      " deleted\n", s->cfg->output_dir, st->output_bytes / 1048576.0,
			      st->limit_bytes / 1048576.0, st->collections, st->deleted);
	else
		strbuf_printf(b, "output dir: %s (sweeperd stats unavailable)\n", s->cfg->output_dir);
}

static void render_config(struct sup *s, bool json, struct strbuf *b)
{
	strbuf_printf(b, json ? "\"config_files\":[" : "config files:");
	for (unsigned i = 0; i < s->cfg->n_files; i++) {
		if (json) {
			if (i)
				strbuf_add(b, ",", 1);
			strbuf_json_str(b, s->cfg->files[i]);
		} else {
			strbuf_printf(b, " %s", s->cfg->files[i]);
		}
	}
	strbuf_printf(b, json ? "],\"reloads\":%" PRIu64 ",\"reload_failures\":%" PRIu64
			      : "\nreloads: %" PRIu64 " (%" PRIu64 " refused)\n",
		      s->reloads, s->reload_failures);
}

static void render_probes(struct sup *s, bool json, struct strbuf *b)
{
	strbuf_printf(b, json ? "\"probes\":" : "probes: ");
	if (s->replay)
		source_replay_render(s->replay, json, b);
	else if (s->bpf)
		source_bpf_render(s->bpf, json, b);
	else
		strbuf_printf(b, json ? "{\"source\":\"none\"}" : "no event source\n");
	if (json)
		strbuf_add(b, ",", 1);
}

int status_render(struct sup *s, bool json, struct strbuf *b)
{
	uint64_t now = clock_mono_ns();

	if (json)
		strbuf_printf(b, "{\"version\":\"%s\",\"pid\":%d,\"state\":\"%s\",", AOD_VERSION,
			      (int)getpid(), s->phase == PHASE_RUNNING ? "running" : "stopping");
	else
		strbuf_printf(b, "aodv2-supervisor %s (pid %d), %s\n", AOD_VERSION, (int)getpid(),
			      s->phase == PHASE_RUNNING ? "running" : "stopping");
	render_workers(s, json, b, now);
	render_probes(s, json, b);
	render_ring(s, json, b);
	render_anomalies(s, json, b);
	render_collections(s, json, b);
	render_output_dir(s, json, b);
	render_config(s, json, b);
	if (json)
		strbuf_add(b, "}\n", 2);
	return strbuf_failed(b) ? -ENOMEM : 0;
}
