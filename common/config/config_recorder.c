// SPDX-License-Identifier: GPL-2.0-only
/*
 * watcher.flight_recorder: its schema, the trace event list (the one list
 * in the section), the filter's syntax check, the cross-checks, the dump.
 * Its scalars are rows of config_rules.c like every other setting.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

#define OPT (CYAML_FLAG_OPTIONAL | CYAML_FLAG_POINTER_NULL)
#define STR(key, member) CYAML_FIELD_STRING_PTR(key, OPT, struct ov_recorder, member, 0, \
						CYAML_UNLIMITED)
#define LIST_PATH "watcher.flight_recorder.cifs_trace_events"
#define GLOB_MAX 63
#define FILTER_MAX 255

static const cyaml_schema_value_t glob_entry = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};

const cyaml_schema_field_t cfg_recorder_fields[] = {
	STR("pre_sec", pre_sec),
	STR("post_sec", post_sec),
	STR("events", events),
	STR("snapshots", snapshots),
	STR("cifs_trace", cifs_trace),
	STR("cifs_trace_buffer_kb", cifs_trace_buffer_kb),
	CYAML_FIELD_SEQUENCE("cifs_trace_events", OPT, struct ov_recorder, cifs_trace_events,
			     &glob_entry, 0, CYAML_UNLIMITED),
	STR("packets", packets),
	STR("packet_filter", packet_filter),
	STR("packet_snaplen", packet_snaplen),
	STR("packet_file_mb", packet_file_mb),
	STR("packet_files", packet_files),
	CYAML_FIELD_END,
};

int cfg_parse_filter(const char *text, const char **why)
{
	size_t n = strlen(text);

	if (n == 0 || n > FILTER_MAX) {
		*why = "must be 1..255 characters";
		return -EINVAL;
	}
	if (text[0] == '-') {
		*why = "must not start with '-' (it would read as an option)";
		return -EINVAL;
	}
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p < 0x20 || *p > 0x7e) {
			*why = "must be printable ASCII";
			return -EINVAL;
		}
	}
	return 0;
}

static bool glob_valid(const char *g)
{
	size_t n = strlen(g);

	if (n == 0 || n > GLOB_MAX)
		return false;
	return strspn(g, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_*?[]-") == n;
}

static struct ov_recorder *layer_recorder(struct cfg_layer *l, bool create)
{
	if (!l->top && (!create || !(l->top = calloc(1, sizeof(*l->top)))))
		return NULL;
	if (!l->top->watcher && (!create || !(l->top->watcher = calloc(1, sizeof(*l->top->watcher)))))
		return NULL;
	if (!l->top->watcher->flight_recorder && create)
		l->top->watcher->flight_recorder = calloc(1, sizeof(struct ov_recorder));
	return l->top->watcher->flight_recorder;
}

int cfg_recorder_mark_lists(struct cfg_ctx *ctx, unsigned idx, struct cfg_layer *layer)
{
	struct ov_recorder *r;

	if (!cfg_origin_in_layer(ctx, idx, LIST_PATH))
		return 0;
	r = layer_recorder(layer, true);
	if (!r)
		return -ENOMEM;
	r->cifs_trace_events_set = true;
	return 0;
}

void cfg_recorder_merge(struct ov_recorder *d, struct ov_recorder *s)
{
	if (!s->cifs_trace_events_set)
		return;
	cfg_strv_free(d->cifs_trace_events, d->cifs_trace_events_count);
	d->cifs_trace_events = s->cifs_trace_events;
	d->cifs_trace_events_count = s->cifs_trace_events_count;
	d->cifs_trace_events_set = true;
	s->cifs_trace_events = NULL;
	s->cifs_trace_events_count = 0;
}

static bool listed_before(char *const *v, unsigned i)
{
	for (unsigned j = 0; j < i; j++)
		if (v[j] && strcmp(v[j], v[i]) == 0)
			return true;
	return false;
}

int cfg_recorder_convert(struct cfg_ctx *ctx, unsigned upto, const struct ov_top *top,
			 struct aod_config *cfg)
{
	const struct ov_recorder *r = top && top->watcher ? top->watcher->flight_recorder : NULL;
	struct aod_recorder_cfg *out = &cfg->recorder;
	char item[256], q[96];
	char **v;

	if (!r || !r->cifs_trace_events_set)
		return 0;
	v = calloc(r->cifs_trace_events_count ? r->cifs_trace_events_count : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (unsigned i = 0; i < r->cifs_trace_events_count; i++) {
		const char *g = r->cifs_trace_events[i];

		if (!g) /* an item the walk refused (a broken file) */
			continue;
		cfg_pathf(item, sizeof(item), LIST_PATH "[%u]", i);
		if (!glob_valid(g))
			cfg_err_path(ctx, upto, item, "'%s' is not a cifs event name or glob "
				     "(1..%d of A-Z a-z 0-9 _ * ? [ ] -)", cfg_quote(g, q, sizeof(q)),
				     GLOB_MAX);
		else if (listed_before(r->cifs_trace_events, i))
			cfg_err_path(ctx, upto, item, "'%s' is listed twice", cfg_quote(g, q, sizeof(q)));
		v[i] = strdup(g);
		if (!v[i]) {
			cfg_strv_free(v, i);
			return -ENOMEM;
		}
	}
	cfg_strv_free(out->cifs_trace_events, out->n_cifs_trace_events);
	out->cifs_trace_events = v;
	out->n_cifs_trace_events = r->cifs_trace_events_count;
	return 0;
}

int cfg_recorder_defaults(struct aod_config *cfg, const struct ov_top *merged)
{
	const struct ov_recorder *r =
		merged && merged->watcher ? merged->watcher->flight_recorder : NULL;
	struct aod_recorder_cfg *out = &cfg->recorder;

	if (r && r->cifs_trace_events_set)
		return 0;
	cfg_strv_free(out->cifs_trace_events, out->n_cifs_trace_events);
	out->n_cifs_trace_events = 0;
	out->cifs_trace_events = calloc(1, sizeof(char *));
	if (!out->cifs_trace_events || !(out->cifs_trace_events[0] = strdup("*")))
		return -ENOMEM;
	out->n_cifs_trace_events = 1;
	return 0;
}

void cfg_recorder_validate(struct cfg_ctx *ctx, const struct aod_config *cfg)
{
	const struct aod_recorder_cfg *r = &cfg->recorder;

	if (r->packets && r->post_sec >= cfg->action_timeout_sec)
		cfg_err_path(ctx, CFG_ALL_LAYERS, "watcher.flight_recorder.post_sec",
			     "%u s must be shorter than watcher.action_timeout_sec (%u s): the packets "
			     "are cut after it", r->post_sec, cfg->action_timeout_sec);
	if (r->cifs_trace && r->n_cifs_trace_events == 0)
		cfg_err_path(ctx, CFG_ALL_LAYERS, LIST_PATH,
			     "is empty while cifs_trace is on (set cifs_trace: false instead)");
}

void cfg_recorder_dump(FILE *f, const struct aod_recorder_cfg *r)
{
	fprintf(f, "  flight_recorder:\n    pre_sec: %u\n    post_sec: %u\n", r->pre_sec,
		r->post_sec);
	fprintf(f, "    events: %s\n    snapshots: %s\n", r->events ? "true" : "false",
		r->snapshots ? "true" : "false");
	fprintf(f, "    cifs_trace: %s\n    cifs_trace_buffer_kb: %u\n    cifs_trace_events: [",
		r->cifs_trace ? "true" : "false", r->cifs_trace_buffer_kb);
	for (unsigned i = 0; i < r->n_cifs_trace_events; i++) {
		fputs(i ? ", " : "", f);
		cfg_put_str(f, r->cifs_trace_events[i]);
	}
	fprintf(f, "]\n    packets: %s\n    packet_filter: ", r->packets ? "true" : "false");
	cfg_put_str(f, r->packet_filter ? r->packet_filter : "");
	fprintf(f, "\n    packet_snaplen: %u\n    packet_file_mb: %u\n    packet_files: %u\n",
		r->packet_snaplen, r->packet_file_mb, r->packet_files);
}

bool cfg_recorder_equal(const struct aod_recorder_cfg *a, const struct aod_recorder_cfg *b)
{
	if (a->pre_sec != b->pre_sec || a->post_sec != b->post_sec || a->events != b->events ||
	    a->snapshots != b->snapshots || a->cifs_trace != b->cifs_trace ||
	    a->cifs_trace_buffer_kb != b->cifs_trace_buffer_kb || a->packets != b->packets ||
	    a->packet_snaplen != b->packet_snaplen || a->packet_file_mb != b->packet_file_mb ||
	    a->packet_files != b->packet_files ||
	    a->n_cifs_trace_events != b->n_cifs_trace_events ||
	    strcmp(a->packet_filter ? a->packet_filter : "", b->packet_filter ? b->packet_filter : ""))
		return false;
	for (unsigned i = 0; i < a->n_cifs_trace_events; i++)
		if (strcmp(a->cifs_trace_events[i], b->cifs_trace_events[i]) != 0)
			return false;
	return true;
}

void cfg_recorder_free(struct aod_recorder_cfg *r)
{
	cfg_strv_free(r->cifs_trace_events, r->n_cifs_trace_events);
	free(r->packet_filter);
	r->cifs_trace_events = NULL;
	r->n_cifs_trace_events = 0;
	r->packet_filter = NULL;
}

bool config_recorder_armed(const struct aod_config *cfg)
{
	const struct aod_recorder_cfg *r = &cfg->recorder;

	return r->events || r->snapshots || r->cifs_trace || r->packets;
}

uint64_t config_recorder_ring_bytes(const struct aod_config *cfg)
{
	const struct aod_recorder_cfg *r = &cfg->recorder;

	/* tcpdump -C counts millions of bytes; a file ends after the packet
	 * that crossed it: one snaplen more each */
	return r->packets ? (uint64_t)r->packet_files *
				    ((uint64_t)r->packet_file_mb * 1000000u + r->packet_snaplen + 16u)
			  : 0;
}
