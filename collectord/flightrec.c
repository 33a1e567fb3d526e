// SPDX-License-Identifier: GPL-2.0-only
#include "flightrec.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SPAN_TAG "aodv2-span "

void flightrec_stash_init(struct flightrec_stash *s)
{
	memset(s, 0, sizeof(*s));
	for (int k = 0; k < PROTO_REC_NR; k++)
		s->fd[k] = -1;
}

void flightrec_stash_put(struct flightrec_stash *s, const struct proto_recorder_input *in, int fd)
{
	if (s->fd[in->kind] >= 0)
		close(s->fd[in->kind]);
	s->fd[in->kind] = fd;
	s->in[in->kind] = *in;
}

void flightrec_stash_clear(struct flightrec_stash *s)
{
	for (int k = 0; k < PROTO_REC_NR; k++)
		if (s->fd[k] >= 0)
			close(s->fd[k]);
	flightrec_stash_init(s);
}

unsigned flightrec_names(const struct aod_recorder_cfg *cfg, char *const *actions, unsigned n,
			 char **out, unsigned cap)
{
	unsigned k = 0;
	const struct {
		bool on;
		const char *name;
	} first[] = {
		{ cfg->snapshots, "snapshot" }, { cfg->snapshots, "tcp" },
		{ cfg->events, "events" },      { cfg->cifs_trace, "cifs-trace" },
		{ cfg->packets, "packets" },
	};
	if (cap < n + FLIGHTREC_MAX_PARTS)
		return 0;
	for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		if (first[i].on)
			out[k++] = (char *)first[i].name;
	for (unsigned i = 0; i < n; i++)
		if (!(cfg->snapshots && strcmp(actions[i], "stats") == 0))
			out[k++] = actions[i];
	if (cfg->snapshots)
		out[k++] = "snapshot-end";
	return k;
}

void flightrec_attach(struct collection *col, struct flightrec_stash *s)
{
	for (int k = PROTO_REC_EVENTS; k < PROTO_REC_NR; k++) {
		if (s->fd[k] < 0)
			continue;
		if (s->in[k].anomaly_ts_ns != col->anomaly.timestamp_ns)
			goto drop; /* its anomaly never came (or was refused) */
		for (unsigned i = 0; i < col->n; i++) {
			struct action_result *r = &col->res[i];
			if (!r->qa || r->qa->input != k || r->input_fd >= 0)
				continue;
			r->input_fd = s->fd[k];
			s->fd[k] = -1;
			col->params.inputs |= 1u << k;
			if (k == PROTO_REC_EVENTS) {
				col->params.mono_to_wall_ns = s->in[k].mono_to_wall_ns;
				col->params.events_from_ns = s->in[k].from_ns;
				col->params.events_to_ns = s->in[k].to_ns;
			} else if (k == PROTO_REC_CIFS_TRACE) {
				col->params.trace.from_ns = s->in[k].from_ns;
				col->params.trace.to_ns = s->in[k].to_ns;
				col->params.trace.mono_to_wall_ns = s->in[k].mono_to_wall_ns;
			}
			break;
		}
drop:
		if (s->fd[k] >= 0)
			close(s->fd[k]);
		s->fd[k] = -1;
	}
}

void flightrec_report_span(uint64_t from_ns, uint64_t to_ns)
{
	dprintf(STDERR_FILENO, SPAN_TAG "%" PRIu64 " %" PRIu64 "\n", from_ns, to_ns);
}

void flightrec_take_span(struct action_result *r)
{
	char *tail = r->stderr_tail, *end = tail + r->stderr_len;
	char *p = memmem(tail, r->stderr_len, SPAN_TAG, strlen(SPAN_TAG));
	char *nl = p ? memchr(p, '\n', (size_t)(end - p)) : NULL;
	char line[64];
	uint64_t from, to;

	if (!nl || (size_t)(nl - p) >= sizeof(line))
		return;
	memcpy(line, p, (size_t)(nl - p));
	line[nl - p] = '\0';
	if (sscanf(line, SPAN_TAG "%" SCNu64 " %" SCNu64, &from, &to) == 2 && from <= to) {
		r->span_from_ns = from;
		r->span_to_ns = to;
	}
	memmove(p, nl + 1, (size_t)(end - nl - 1));
	r->stderr_len -= (unsigned)(nl + 1 - p);
}
