// SPDX-License-Identifier: GPL-2.0-only
#include "metrics_render.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "openmetrics.h"
#include "smb_tables.h"

/* One (server, share, command) after merging the (session, tree) keys. */
struct series {
	const char *server, *share;
	uint16_t command;
	uint16_t err;
	uint32_t status;
	uint64_t slots[PROBES_HIST_SLOTS];
	uint64_t sum_us, count;
};

static void where_names(const struct metrics_snap *m, uint64_t ses, uint32_t tid, const char **server,
			const char **share)
{
	const struct smb_where *w = m->where ? smb_where_find(m->where, ses, tid) : NULL;

	*server = *share = "";
	if (w) {
		*server = w->server;
		*share = w->share;
		return;
	}
	w = m->where ? smb_where_find_session(m->where, ses) : NULL;
	if (w)
		*server = w->server;
}

static struct series *series_get(struct series *v, size_t *n, const struct series *k, bool errs)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i].command == k->command && strcmp(v[i].server, k->server) == 0 &&
		    strcmp(v[i].share, k->share) == 0 &&
		    (!errs || (v[i].err == k->err && v[i].status == k->status)))
			return &v[i];
	v[*n] = *k;
	return &v[(*n)++];
}

static void command_label(uint16_t cmd, char *buf, size_t len)
{
	const char *name = smb2_command_name(cmd);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "0x%02x", cmd);
}

static void render_hist(const struct metrics_snap *m, struct series *v, FILE *f)
{
	const char *name = "aodv2_smb_request_duration_seconds";
	size_t n = 0;

	om_family(f, name, "histogram", "Latency of every SMB request the cifs client completed, by server, "
		  "share and command (in-kernel log2 histogram).");
	for (size_t i = 0; m->pm && i < m->pm->n_hist; i++) {
		const struct probes_hist *h = &m->pm->hist[i];
		struct series k = { .command = h->command };
		struct series *s;

		where_names(m, h->session_id, h->tree_id, &k.server, &k.share);
		s = series_get(v, &n, &k, false);
		for (int j = 0; j < PROBES_HIST_SLOTS; j++)
			s->slots[j] += h->slots[j];
		s->sum_us += h->sum_us;
	}
	for (size_t i = 0; i < n; i++) {
		char cmd[16];
		struct om_label l[] = { { "server", v[i].server }, { "share", v[i].share }, { "command", cmd } };

		command_label(v[i].command, cmd, sizeof(cmd));
		om_histogram_log2_us(f, name, l, 3, v[i].slots, PROBES_HIST_SLOTS, v[i].sum_us);
	}
}

static void render_errs(const struct metrics_snap *m, struct series *v, FILE *f)
{
	const char *name = "aodv2_smb_errors_total";
	size_t n = 0;

	om_family(f, name, "counter", "SMB error responses (normal protocol flow left out), by server, share, "
		  "command, errno and NT status.");
	for (size_t i = 0; m->pm && i < m->pm->n_errs; i++) {
		const struct probes_errs *e = &m->pm->errs[i];
		struct series k = { .command = e->command, .err = e->err, .status = e->nt_status };

		where_names(m, e->session_id, e->tree_id, &k.server, &k.share);
		series_get(v, &n, &k, true)->count += e->count;
	}
	for (size_t i = 0; i < n; i++) {
		char cmd[16], err[16], status[16];
		const char *en = errno_name(v[i].err);
		struct om_label l[] = { { "server", v[i].server }, { "share", v[i].share }, { "command", cmd },
					{ "errno", err }, { "status", status } };

		command_label(v[i].command, cmd, sizeof(cmd));
		snprintf(err, sizeof(err), "%s", v[i].err == 0 ? "" : en ? en : "");
		if (v[i].err && !en)
			snprintf(err, sizeof(err), "%u", v[i].err);
		snprintf(status, sizeof(status), "0x%08x", v[i].status);
		om_sample(f, name, l, 5, v[i].count);
	}
}

static void render_probes(const struct metrics_snap *m, FILE *f)
{
	om_family(f, "aodv2_smb_requests_in_flight", "gauge", "SMB requests sent and not answered yet.");
	if (m->pm)
		om_sample(f, "aodv2_smb_requests_in_flight", NULL, 0, m->inflight);
	om_family(f, "aodv2_smb_requests_stuck", "gauge", "SMB requests in flight longer than the stuck bound.");
	if (m->pm)
		om_sample(f, "aodv2_smb_requests_stuck", NULL, 0, m->stuck);
	om_family(f, "aodv2_smb_reconnects_total", "counter", "cifs reconnects seen since the probes loaded.");
	if (m->pm)
		om_sample(f, "aodv2_smb_reconnects_total", NULL, 0, m->reconnects);
}

static void render_drops(const struct metrics_snap *m, FILE *f)
{
	const char *name = "aodv2_events_dropped_total";
	struct om_label l = { "where", "" };

	om_family(f, name, "counter", "Events or figures lost, by where they were lost.");
	if (m->pm) {
		const struct { const char *where; uint64_t n; } kernel[] = {
			{ "bpf_ring", m->bpf_ring_dropped },
			{ "histogram_map_full", m->pm->overflow_hist },
			{ "error_map_full", m->pm->overflow_errs },
		};
		for (size_t i = 0; i < sizeof(kernel) / sizeof(kernel[0]); i++) {
			l.value = kernel[i].where;
			om_sample(f, name, &l, 1, kernel[i].n);
		}
	}
	l.value = "shared_ring";
	om_sample(f, name, &l, 1, m->ring_dropped);
	l.value = "anomaly_queue";
	om_sample(f, name, &l, 1, m->queue_dropped);
}

static void render_daemon(const struct metrics_snap *m, FILE *f)
{
	struct om_label l[2];

	om_family(f, "aodv2_ring_events_total", "counter", "Events written into the shared ring for detectord.");
	om_sample(f, "aodv2_ring_events_total", NULL, 0, m->ring_produced);
	om_family(f, "aodv2_anomalies_total", "counter", "Anomalies detectord declared, by anomaly and type.");
	for (unsigned i = 0; i < m->n_anomalies; i++) {
		l[0] = (struct om_label){ "anomaly", m->anomalies[i].name };
		l[1] = (struct om_label){ "type", m->anomalies[i].type };
		om_sample(f, "aodv2_anomalies_total", l, 2, m->anomalies[i].detected);
	}
	om_family(f, "aodv2_collections_total", "counter", "Evidence collections finished, by status.");
	l[0] = (struct om_label){ "status", "done" };
	om_sample(f, "aodv2_collections_total", l, 1, m->collections_done);
	l[0].value = "failed";
	om_sample(f, "aodv2_collections_total", l, 1, m->collections_failed);
	om_family(f, "aodv2_worker_restarts_total", "counter", "Worker restarts by the supervisor, by worker.");
	for (unsigned i = 0; i < m->n_workers; i++) {
		l[0] = (struct om_label){ "worker", m->workers[i].name };
		om_sample(f, "aodv2_worker_restarts_total", l, 1, m->workers[i].restarts);
	}
	om_family(f, "aodv2_build_info", "gauge", "aodv2's version (the value is always 1).");
	l[0] = (struct om_label){ "version", m->version };
	om_sample(f, "aodv2_build_info", l, 1, 1);
}

int metrics_render(const struct metrics_snap *m, FILE *f)
{
	size_t cap = m->pm ? (m->pm->n_hist > m->pm->n_errs ? m->pm->n_hist : m->pm->n_errs) : 0;
	struct series *v = calloc(cap ? cap : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	render_hist(m, v, f);
	memset(v, 0, (cap ? cap : 1) * sizeof(*v));
	render_errs(m, v, f);
	free(v);
	render_probes(m, f);
	render_drops(m, f);
	render_daemon(m, f);
	return 0;
}
