// SPDX-License-Identifier: GPL-2.0-only
/*
 * The libyaml pass over one file. It walks the document against the libcyaml
 * schema tables so that every unknown key, wrong kind, duplicate key and
 * alias is reported with its exact line (libcyaml stops at the first problem
 * and reports the line of the enclosing mapping), and records the origin of
 * every value. It fills the overlay with what is valid: guardian.anomalies,
 * a map with user-chosen keys that libcyaml cannot describe, is always read
 * here; the rest is replaced by libcyaml's load when the file is clean, and
 * kept when it is not so that bad values are reported alongside bad keys.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "proto.h"

struct walk {
	struct cfg_ctx *ctx;
	unsigned layer_idx;
	struct cfg_layer *layer;
	yaml_document_t *doc;
	unsigned char *seen; /* per node: visited already = reached through an alias */
};

#define PATH_MAX_LEN 256

static unsigned line_of(const yaml_node_t *n)
{
	return (unsigned)n->start_mark.line + 1;
}

static yaml_node_t *node_at(struct walk *w, int id)
{
	return yaml_document_get_node(w->doc, id);
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* An empty value (`key:`) means "not set", as CYAML_FLAG_POINTER_NULL does. */
static bool is_null(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.length == 0;
}

static const char *kind_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return "a single value";
	}
}

/* A node reached twice came through an alias; scan_aliases reported it. */
static bool visit(struct walk *w, yaml_node_t *n)
{
	size_t idx = (size_t)(n - w->doc->nodes.start);

	if (w->seen[idx])
		return false;
	w->seen[idx] = 1;
	return true;
}

static void path_join(char *out, const char *path, const char *key)
{
	char q[96];

	cfg_pathf(out, PATH_MAX_LEN, "%s%s%s", path ? path : "", path ? "." : "",
		 cfg_quote(key, q, sizeof(q)));
}

static const cyaml_schema_field_t *field_find(const cyaml_schema_field_t *fields,
					      const char *key, size_t len)
{
	for (; fields->key; fields++)
		if (strlen(fields->key) == len && memcmp(fields->key, key, len) == 0)
			return fields;
	return NULL;
}

static void err_unknown_key(struct walk *w, const yaml_node_t *key, const char *path,
			    const cyaml_schema_field_t *fields)
{
	char known[400] = "", q[96];
	size_t off = 0;

	for (; fields->key && off < sizeof(known); fields++)
		off += (size_t)snprintf(known + off, sizeof(known) - off, "%s%s",
					off ? ", " : "", fields->key);
	cfg_err_at(w->ctx, w->layer_idx, line_of(key), "unknown key '%s' in %s (expected one of: %s)",
		   cfg_quote(scalar(key), q, sizeof(q)), path ? path : "the top level", known);
}

/* Keys must be scalars and unique; libyaml itself accepts duplicates. */
static bool key_ok(struct walk *w, yaml_node_t *map, yaml_node_pair_t *pair, const char *path)
{
	yaml_node_t *key = node_at(w, pair->key);
	char q[96];

	if (!visit(w, key))
		return false;
	if (key->type != YAML_SCALAR_NODE) {
		cfg_err_at(w->ctx, w->layer_idx, line_of(key), "%s: keys must be plain names, not %s",
			   path ? path : "top level", kind_name(key));
		return false;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < pair; p++) {
		yaml_node_t *k = node_at(w, p->key);

		if (k->type == YAML_SCALAR_NODE && k->data.scalar.length == key->data.scalar.length &&
		    memcmp(k->data.scalar.value, key->data.scalar.value, k->data.scalar.length) == 0) {
			cfg_err_at(w->ctx, w->layer_idx, line_of(key),
				   "duplicate key '%s' (first given on line %u)",
				   cfg_quote(scalar(key), q, sizeof(q)), line_of(k));
			return false;
		}
	}
	return true;
}

static bool expect_kind(struct walk *w, yaml_node_t *n, yaml_node_type_t type, const char *path)
{
	static const char *const want[] = {
		[YAML_SCALAR_NODE] = "a single value",
		[YAML_SEQUENCE_NODE] = "a list",
		[YAML_MAPPING_NODE] = "a mapping",
	};

	if (n->type == type)
		return true;
	cfg_err_at(w->ctx, w->layer_idx, line_of(n), "%s: expected %s, got %s", path, want[type],
		   kind_name(n));
	return false;
}

static void walk_mapping(struct walk *w, yaml_node_t *map, const cyaml_schema_field_t *fields,
			 const char *path, void *base);
static void walk_anomalies(struct walk *w, yaml_node_t *map, const char *path);

static char *dup_scalar(struct walk *w, const yaml_node_t *n)
{
	size_t len = n->data.scalar.length;
	char *s = malloc(len + 1);

	if (!s) {
		w->ctx->oom = true;
		return NULL;
	}
	memcpy(s, n->data.scalar.value, len);
	s[len] = '\0';
	return s;
}

static void *fill_new(struct walk *w, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		w->ctx->oom = true;
	return p;
}

static void store_ptr(void *base, uint32_t off, void *ptr)
{
	memcpy((char *)base + off, &ptr, sizeof(ptr));
}

/* Items that fail their check stay NULL (strings) or zeroed (mappings, with
 * no origin): the error is reported once, here. */
static void walk_sequence(struct walk *w, yaml_node_t *seq, const cyaml_schema_field_t *f,
			  const char *path, void *base)
{
	const cyaml_schema_value_t *entry = f->value.sequence.entry;
	size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	size_t size = entry->type == CYAML_STRING ? sizeof(char *) : entry->data_size;
	char item_path[PATH_MAX_LEN], *arr = fill_new(w, n, size);
	uint32_t count = (uint32_t)n;

	if (n > CFG_MAX_LIST_ITEMS) {
		free(arr);
		cfg_err_at(w->ctx, w->layer_idx, line_of(seq), "%s: a list of %zu items (at most %d)",
			   path, n, CFG_MAX_LIST_ITEMS);
		return;
	}
	if (!arr)
		return;
	store_ptr(base, f->data_offset, arr);
	memcpy((char *)base + f->count_offset, &count, sizeof(count));
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = node_at(w, seq->data.sequence.items.start[i]);

		cfg_pathf(item_path, sizeof(item_path), "%s[%zu]", path, i);
		if (!visit(w, item))
			continue;
		if (entry->type == CYAML_STRING) {
			if (!expect_kind(w, item, YAML_SCALAR_NODE, item_path))
				continue;
			cfg_origin_add(w->ctx, w->layer_idx, item_path, line_of(item));
			store_ptr(arr, (uint32_t)(i * size), dup_scalar(w, item));
		} else if (expect_kind(w, item, YAML_MAPPING_NODE, item_path)) {
			cfg_origin_add(w->ctx, w->layer_idx, item_path, line_of(item));
			walk_mapping(w, item, entry->mapping.fields, item_path, arr + i * size);
		}
	}
}

static void walk_value(struct walk *w, const cyaml_schema_field_t *f, yaml_node_t *key,
		       yaml_node_t *val, const char *path, void *base)
{
	void *child;

	switch (f->value.type) {
	case CYAML_STRING:
		if (!expect_kind(w, val, YAML_SCALAR_NODE, path))
			break;
		cfg_origin_add(w->ctx, w->layer_idx, path, line_of(val));
		store_ptr(base, f->data_offset, dup_scalar(w, val));
		break;
	case CYAML_MAPPING:
		if (!expect_kind(w, val, YAML_MAPPING_NODE, path))
			break;
		cfg_origin_add(w->ctx, w->layer_idx, path, line_of(key));
		child = fill_new(w, 1, f->value.data_size);
		if (!child)
			break;
		store_ptr(base, f->data_offset, child);
		walk_mapping(w, val, f->value.mapping.fields, path, child);
		break;
	case CYAML_SEQUENCE:
		if (!expect_kind(w, val, YAML_SEQUENCE_NODE, path))
			break;
		cfg_origin_add(w->ctx, w->layer_idx, path, line_of(key));
		walk_sequence(w, val, f, path, base);
		break;
	case CYAML_IGNORE: /* the parts libcyaml skips */
		if (!expect_kind(w, val, YAML_MAPPING_NODE, path))
			break;
		cfg_origin_add(w->ctx, w->layer_idx, path, line_of(key));
		if (strcmp(path, "guardian") == 0)
			walk_mapping(w, val, cfg_guardian_fields, path, NULL);
		else
			walk_anomalies(w, val, path);
		break;
	default:
		cfg_err_at(w->ctx, w->layer_idx, line_of(key), "%s: unsupported schema type", path);
	}
}

/* Checks map against fields and fills the overlay struct at base with what
 * is valid; reports the rest. */
static void walk_mapping(struct walk *w, yaml_node_t *map, const cyaml_schema_field_t *fields,
			 const char *path, void *base)
{
	char child[PATH_MAX_LEN];

	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top && !w->ctx->oom; pair++) {
		yaml_node_t *key, *val;
		const cyaml_schema_field_t *f;

		if (!key_ok(w, map, pair, path))
			continue;
		key = node_at(w, pair->key);
		val = node_at(w, pair->value);
		f = field_find(fields, scalar(key), key->data.scalar.length);
		if (!f) {
			err_unknown_key(w, key, path, fields);
			continue;
		}
		if (!visit(w, val) || is_null(val))
			continue;
		path_join(child, path, f->key);
		walk_value(w, f, key, val, child, base);
	}
}

static struct ov_named_anomaly *anomaly_add(struct walk *w, const char *name)
{
	struct cfg_layer *l = w->layer;
	struct ov_named_anomaly *v = realloc(l->anomalies, (l->n_anomalies + 1) * sizeof(*v));

	if (!v) {
		w->ctx->oom = true;
		return NULL;
	}
	l->anomalies = v;
	v = &v[l->n_anomalies];
	*v = (struct ov_named_anomaly){ .name = strdup(name) };
	if (!v->name) {
		w->ctx->oom = true;
		return NULL;
	}
	l->n_anomalies++;
	return v;
}

static void walk_anomalies(struct walk *w, yaml_node_t *map, const char *path)
{
	char child[PATH_MAX_LEN], q[96];

	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top && !w->ctx->oom; pair++) {
		yaml_node_t *key, *val;
		struct ov_named_anomaly *na;

		if (!key_ok(w, map, pair, path))
			continue;
		key = node_at(w, pair->key);
		val = node_at(w, pair->value);
		if (!cfg_anomaly_name_valid(scalar(key)) ||
		    strlen(scalar(key)) != key->data.scalar.length) {
			cfg_err_at(w->ctx, w->layer_idx, line_of(key),
				   "anomaly name '%s' must be 1..%d of A-Z a-z 0-9 _ . -",
				   cfg_quote(scalar(key), q, sizeof(q)), CFG_ANOMALY_NAME_MAX);
			continue;
		}
		if (!visit(w, val))
			continue;
		if (w->layer->n_anomalies == PROTO_MAX_ANOMALIES) {
			cfg_err_at(w->ctx, w->layer_idx, line_of(key),
				   "more than %d anomalies; the rest of %s is not read",
				   PROTO_MAX_ANOMALIES, path);
			break;
		}
		cfg_pathf(child, sizeof(child), "%s.%s", path, scalar(key));
		if (!is_null(val) && !expect_kind(w, val, YAML_MAPPING_NODE, child))
			continue;
		cfg_origin_add(w->ctx, w->layer_idx, child, line_of(key));
		na = anomaly_add(w, scalar(key));
		if (na && !is_null(val))
			walk_mapping(w, val, cfg_anomaly_fields, child, &na->a);
	}
}

/* ---- the document ---- */

static void err_parser(struct cfg_ctx *ctx, unsigned layer, const yaml_parser_t *p)
{
	char ctxt[160] = "";

	if (p->error == YAML_MEMORY_ERROR) {
		ctx->oom = true;
		return;
	}
	if (p->context)
		snprintf(ctxt, sizeof(ctxt), " %s (line %zu)", p->context, p->context_mark.line + 1);
	cfg_err_at(ctx, layer, (unsigned)p->problem_mark.line + 1, "YAML syntax error: %s%s",
		   p->problem ? p->problem : "unknown problem", ctxt);
}

/* A second document would be silently ignored by libcyaml: refuse it. */
static int check_single_document(struct cfg_ctx *ctx, unsigned layer, yaml_parser_t *p)
{
	yaml_document_t next;
	yaml_node_t *root;

	if (!yaml_parser_load(p, &next)) {
		err_parser(ctx, layer, p);
		return -EINVAL;
	}
	root = yaml_document_get_root_node(&next);
	if (root)
		cfg_err_at(ctx, layer, line_of(root),
			   "a config file holds one YAML document; remove the '---' and what follows");
	yaml_document_delete(&next);
	return root ? -EINVAL : 0;
}

static int walk_document(struct cfg_ctx *ctx, unsigned layer_idx, yaml_document_t *doc,
			 struct cfg_layer *layer)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	size_t n_nodes = (size_t)(doc->nodes.top - doc->nodes.start);
	struct walk w = { .ctx = ctx, .layer_idx = layer_idx, .layer = layer, .doc = doc };
	unsigned before = cfg_nerrors(ctx);

	if (!root || is_null(root))
		return 0; /* an empty file, or one that is all comments */
	if (root->type != YAML_MAPPING_NODE) {
		cfg_err_at(ctx, layer_idx, line_of(root), "expected a mapping of keys at the top, got %s",
			   kind_name(root));
		return -EINVAL;
	}
	w.seen = calloc(n_nodes, 1);
	if (!w.seen)
		return -ENOMEM;
	w.seen[root - doc->nodes.start] = 1;
	layer->top = calloc(1, sizeof(*layer->top));
	if (layer->top)
		walk_mapping(&w, root, cfg_top_fields, NULL, layer->top);
	else
		ctx->oom = true;
	free(w.seen);
	if (ctx->oom)
		return -ENOMEM;
	return cfg_nerrors(ctx) == before ? 1 : -EINVAL;
}

/* One pass over the events before anything is built: nesting deeper than
 * CFG_MAX_DEPTH or more than CFG_MAX_NODES values stop the file here (the
 * document API and libcyaml would spend time and memory in proportion, and
 * libyaml's scanner is quadratic in flow nesting), and aliases are refused
 * (libcyaml is run with CYAML_CFG_NO_ALIAS: expanding them can blow up;
 * the document API resolves them, so each is reported where it is used).
 * Returns 0, -EINVAL (reported) or -E2BIG (a bound: reported, not loaded). */
static int scan_events(struct cfg_ctx *ctx, unsigned layer_idx, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	bool done = false;
	int found = 0;
	unsigned depth = 0, nodes = 0;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	/* a syntax error ends the scan quietly: the document load reports it */
	while (!done && found != -E2BIG && yaml_parser_parse(&parser, &ev)) {
		unsigned line = (unsigned)ev.start_mark.line + 1;
		switch (ev.type) {
		case YAML_ALIAS_EVENT:
			cfg_err_at(ctx, layer_idx, line,
				   "YAML aliases (*name) are not supported in aodv2 config");
			found = -EINVAL;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > CFG_MAX_DEPTH) {
				cfg_err_at(ctx, layer_idx, line,
					   "nested deeper than %d levels; not an aodv2 config",
					   CFG_MAX_DEPTH);
				found = -E2BIG;
			}
			/* a collection counts as a value too */
			/* fall through */
		case YAML_SCALAR_EVENT:
			if (found != -E2BIG && ++nodes > CFG_MAX_NODES) {
				cfg_err_at(ctx, layer_idx, line,
					   "more than %d values; not an aodv2 config", CFG_MAX_NODES);
				found = -E2BIG;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return found;
}

int cfg_yaml_pass(struct cfg_ctx *ctx, unsigned layer_idx, const char *text, size_t len,
		  struct cfg_layer *layer)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	int r;

	r = scan_events(ctx, layer_idx, text, len);
	if (r == -ENOMEM || r == -E2BIG)
		return r == -E2BIG ? -EINVAL : r;
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		err_parser(ctx, layer_idx, &parser);
		yaml_parser_delete(&parser);
		return ctx->oom ? -ENOMEM : -EINVAL;
	}
	{
		int walked = walk_document(ctx, layer_idx, &doc, layer);

		if (walked == -ENOMEM || r == 0)
			r = walked;
	}
	if (yaml_document_get_root_node(&doc) && check_single_document(ctx, layer_idx, &parser) < 0)
		r = ctx->oom ? -ENOMEM : -EINVAL;
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return r;
}
