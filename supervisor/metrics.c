// SPDX-License-Identifier: GPL-2.0-only
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aod_build.h"
#include "log.h"
#include "metrics_render.h"
#include "sources.h"
#include "status.h"
#include "sup.h"
#include "textfile.h"
#include "where.h"

static void metrics_on_timer(struct loop_watch *lw, uint32_t events)
{
	struct sup *s = lw->obj;
	(void)events;

	timer_ack(s->metrics.tfd);
	s->metrics.pending = true;
	status_gather_start(s);
	metrics_configure(s); /* the next round */
}

int metrics_init(struct sup *s)
{
	s->metrics.tfd = timer_new();
	if (s->metrics.tfd < 0)
		return s->metrics.tfd;
	int rc = loop_add(s->loop, &s->metrics.watch, s->metrics.tfd, EPOLLIN, metrics_on_timer, s);
	if (rc == 0)
		metrics_configure(s);
	return rc;
}

void metrics_configure(struct sup *s)
{
	bool on = s->cfg->metrics_textfile[0] != '\0';

	if (s->metrics.tfd < 0)
		return; /* the first config, before metrics_init (which arms it) */
	timer_arm_ms(s->metrics.tfd, on ? (uint64_t)s->cfg->metrics_interval_sec * 1000u : 0);
}

void metrics_close(struct sup *s)
{
	if (s->metrics.tfd >= 0)
		loop_del_close(s->loop, &s->metrics.watch);
	s->metrics.tfd = -1;
}

static void snap_daemon(struct sup *s, struct metrics_snap *m)
{
	const struct worker *d = &s->workers[W_DETECTOR];
	struct ring_stats rs = { 0 };

	m->version = AOD_VERSION;
	if (s->ring)
		ring_get_stats(s->ring, &rs);
	m->ring_produced = rs.produced;
	m->ring_dropped = rs.dropped;
	m->queue_dropped = s->queue.dropped;
	m->collections_done = s->collections_done;
	m->collections_failed = s->collections_failed;
	for (unsigned i = 0; d->stats_valid && i < d->stats.det.n_anomalies && i < PROTO_MAX_ANOMALIES; i++) {
		const struct proto_anomaly_counts *a = &d->stats.det.anomalies[i];
		const struct aod_anomaly_cfg *c = config_anomaly(s->cfg, a->name);

		m->anomalies[m->n_anomalies].name = a->name;
		m->anomalies[m->n_anomalies].type = c ? config_type_name(c->type) : "";
		m->anomalies[m->n_anomalies++].detected = a->detected;
	}
	for (int i = 0; i < W_NR && i < METRICS_MAX_WORKERS; i++) {
		m->workers[m->n_workers].name = s->workers[i].name;
		m->workers[m->n_workers++].restarts = s->workers[i].restarts;
	}
}

int metrics_exposition(struct sup *s, char **text, size_t *len)
{
	struct metrics_snap m = { 0 };
	struct probes_metrics pm = { 0 };
	struct probes_status st;
	int rc = 0;

	*text = NULL;
	*len = 0;

	snap_daemon(s, &m);
	if (s->bpf) {
		rc = source_bpf_metrics(s->bpf, &pm, &st);
		if (rc < 0) {
			log_warn("metrics: cannot read the probes' maps: %s", strerror(-rc));
			return rc;
		}
		m.pm = &pm;
		m.where = s->where ? &s->where->t : NULL;
		m.inflight = st.inflight;
		m.stuck = st.stuck;
		m.reconnects = st.reconnects;
		m.bpf_ring_dropped = st.counters[AOD_CNT_RB_DROPPED];
	}
	FILE *f = open_memstream(text, len);
	if (!f)
		rc = -errno;
	if (!rc)
		rc = metrics_render(&m, f);
	if (f && fclose(f) != 0 && !rc)
		rc = -ENOMEM;
	probes_metrics_free(&pm);
	return rc;
}

void metrics_gathered(struct sup *s)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (!s->metrics.pending)
		return;
	s->metrics.pending = false;
	if (!s->cfg->metrics_textfile[0])
		return;
	rc = metrics_exposition(s, &text, &len);
	if (!rc)
		rc = textfile_replace(s->cfg->metrics_textfile, text ? text : "", len);
	free(text);
	/* one line when writing starts failing and one when it works again */
	if (rc && s->metrics.last_err != rc)
		log_warn("metrics: cannot write %s: %s (retrying every %u s; logged again when it works)",
			 s->cfg->metrics_textfile, strerror(-rc), s->cfg->metrics_interval_sec);
	else if (!rc && s->metrics.last_err)
		log_info("metrics: %s written again", s->cfg->metrics_textfile);
	s->metrics.last_err = rc;
	if (rc)
		s->metrics.write_errors++;
	else
		s->metrics.writes++;
}
