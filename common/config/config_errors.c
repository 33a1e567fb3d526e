// SPDX-License-Identifier: GPL-2.0-only
/*
 * Error lines ("file:line: reason") and origins (which file and line wrote
 * each value). Origins are kept for every layer in load order; the origin of
 * an effective value is the last layer that wrote its path, because a later
 * file overrides scalars and replaces lists as a whole.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

void cfg_ctx_free(struct cfg_ctx *ctx)
{
	for (unsigned i = 0; i < ctx->n_origins; i++)
		free(ctx->origins[i].path);
	free(ctx->origins);
	free(ctx->origin_heads);
	ctx->origin_heads = NULL;
	ctx->n_heads = 0;
	free(ctx->err_keys);
	ctx->err_keys = NULL;
	cfg_strv_free(ctx->files, ctx->n_files);
	ctx->origins = NULL;
	ctx->files = NULL;
	ctx->n_origins = ctx->cap_origins = ctx->n_files = 0;
}

int cfg_ctx_add_file(struct cfg_ctx *ctx, const char *name)
{
	char **files = realloc(ctx->files, (ctx->n_files + 1) * sizeof(*files));
	char *copy = strdup(name);

	if (files)
		ctx->files = files;
	if (!files || !copy) {
		free(copy);
		ctx->oom = true;
		return -1;
	}
	files[ctx->n_files] = copy;
	return (int)ctx->n_files++;
}

unsigned cfg_nerrors(const struct cfg_ctx *ctx)
{
	return ctx->errs->n - ctx->errs_base;
}

/* key orders the lines for reading: by file, then line. */
static void errs_push(struct cfg_ctx *ctx, char *line, uint64_t key)
{
	struct config_errors *e = ctx->errs;
	uint64_t *keys;
	char **lines;

	if (!line) {
		ctx->oom = true;
		return;
	}
	lines = realloc(e->lines, (e->n + 1) * sizeof(*lines));
	keys = lines ? realloc(ctx->err_keys, (cfg_nerrors(ctx) + 1) * sizeof(*keys)) : NULL;
	if (lines)
		e->lines = lines;
	if (!keys) {
		free(line);
		ctx->oom = true;
		return;
	}
	ctx->err_keys = keys;
	keys[cfg_nerrors(ctx)] = key;
	e->lines[e->n++] = line;
}

void cfg_errors_sort(struct cfg_ctx *ctx)
{
	uint64_t *keys = ctx->err_keys;
	char **lines;

	if (cfg_nerrors(ctx) < 2)
		return;
	lines = ctx->errs->lines + ctx->errs_base;

	/* insertion sort: stable, and there are at most CFG_MAX_ERRORS + 1 */
	for (unsigned i = 1; i < cfg_nerrors(ctx); i++) {
		uint64_t k = keys[i];
		char *l = lines[i];
		unsigned j = i;

		for (; j > 0 && keys[j - 1] > k; j--) {
			keys[j] = keys[j - 1];
			lines[j] = lines[j - 1];
		}
		keys[j] = k;
		lines[j] = l;
	}
}

static void err_vadd(struct cfg_ctx *ctx, uint64_t key, const char *file, unsigned line,
		     const char *fmt, va_list ap)
{
	char msg[512], *out = NULL;

	if (cfg_nerrors(ctx) > CFG_MAX_ERRORS)
		return;
	if (cfg_nerrors(ctx) == CFG_MAX_ERRORS) {
		if (asprintf(&out, "%s: too many errors, stopping here", file) < 0)
			out = NULL;
		errs_push(ctx, out, UINT64_MAX);
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if ((line ? asprintf(&out, "%s:%u: %s", file, line, msg)
		  : asprintf(&out, "%s: %s", file, msg)) < 0)
		out = NULL;
	errs_push(ctx, out, key);
}

void cfg_err_at(struct cfg_ctx *ctx, unsigned layer, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vadd(ctx, ((uint64_t)layer + 1) << 32 | line,
		 layer < ctx->n_files ? ctx->files[layer] : "<config>", line, fmt, ap);
	va_end(ap);
}

void cfg_err_name(struct cfg_ctx *ctx, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vadd(ctx, 0, name, 0, fmt, ap);
	va_end(ap);
}

static unsigned origin_hash(const char *path, unsigned n_heads)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h & (n_heads - 1);
}

/* The newest origin of path in a layer <= upto, or with first the oldest
 * one: a walk of one hash bucket, newest first. */
static const struct cfg_origin *origin_find(const struct cfg_ctx *ctx, unsigned upto,
					    const char *path, bool first)
{
	const struct cfg_origin *found = NULL;

	if (!ctx->n_heads)
		return NULL;
	for (unsigned i = ctx->origin_heads[origin_hash(path, ctx->n_heads)]; i;
	     i = ctx->origins[i - 1].older) {
		const struct cfg_origin *o = &ctx->origins[i - 1];

		if (o->layer > upto || strcmp(o->path, path) != 0)
			continue;
		found = o;
		if (!first)
			break;
	}
	return found;
}

/* Keeps the table at most half full, so a bucket holds about one path
 * (and each of the layers that set it). */
static bool origin_rehash(struct cfg_ctx *ctx)
{
	unsigned n = ctx->n_heads ? ctx->n_heads * 2 : 256;
	unsigned *heads = calloc(n, sizeof(*heads));

	if (!heads)
		return false;
	for (unsigned i = 0; i < ctx->n_origins; i++) {
		unsigned b = origin_hash(ctx->origins[i].path, n);
		ctx->origins[i].older = heads[b];
		heads[b] = i + 1;
	}
	free(ctx->origin_heads);
	ctx->origin_heads = heads;
	ctx->n_heads = n;
	return true;
}

static void err_vpath(struct cfg_ctx *ctx, const struct cfg_origin *o, const char *path,
		      const char *fmt, va_list ap)
{
	char msg[480];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (o)
		cfg_err_at(ctx, o->layer, o->line, "%s: %s", path, msg);
	else /* a value that came from a default: name the base file */
		cfg_err_at(ctx, 0, 0, "%s: %s", path, msg);
}

void cfg_err_path(struct cfg_ctx *ctx, unsigned upto, const char *path, const char *fmt, ...)
{
	va_list ap;

	if (cfg_nerrors(ctx) > CFG_MAX_ERRORS)
		return; /* already "too many errors": not even the lookup */
	va_start(ap, fmt);
	err_vpath(ctx, origin_find(ctx, upto, path, false), path, fmt, ap);
	va_end(ap);
}

void cfg_err_first(struct cfg_ctx *ctx, const char *path, const char *fmt, ...)
{
	va_list ap;

	if (cfg_nerrors(ctx) > CFG_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	err_vpath(ctx, origin_find(ctx, CFG_ALL_LAYERS, path, true), path, fmt, ap);
	va_end(ap);
}

void cfg_origin_add(struct cfg_ctx *ctx, unsigned layer, const char *path, unsigned line)
{
	struct cfg_origin *o;

	if (ctx->n_origins == ctx->cap_origins) {
		unsigned cap = ctx->cap_origins ? ctx->cap_origins * 2 : 64;

		o = realloc(ctx->origins, cap * sizeof(*o));
		if (!o) {
			ctx->oom = true;
			return;
		}
		ctx->origins = o;
		ctx->cap_origins = cap;
	}
	o = &ctx->origins[ctx->n_origins];
	o->path = strdup(path);
	if (!o->path) {
		ctx->oom = true;
		return;
	}
	o->layer = layer;
	o->line = line;
	ctx->n_origins++;
	if (ctx->n_origins * 2 > ctx->n_heads) {
		if (!origin_rehash(ctx))
			ctx->oom = true;
		return; /* the rehash linked the new origin too */
	}
	unsigned b = origin_hash(path, ctx->n_heads);
	o->older = ctx->origin_heads[b];
	ctx->origin_heads[b] = ctx->n_origins;
}

const struct cfg_origin *cfg_origin_find(const struct cfg_ctx *ctx, unsigned upto,
				       const char *path)
{
	return origin_find(ctx, upto, path, false);
}

bool cfg_origin_in_layer(const struct cfg_ctx *ctx, unsigned layer, const char *path)
{
	const struct cfg_origin *o = origin_find(ctx, layer, path, false);

	return o && o->layer == layer;
}

void cfg_pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap); /* paths are bounded: names <= 63 characters */
	va_end(ap);
}

const char *cfg_quote(const char *text, char *buf, size_t size)
{
	size_t i = 0, max = size - 1;

	for (; text && *text && i < max; text++) {
		unsigned char c = (unsigned char)*text;

		buf[i++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (text && *text && max >= 3) { /* truncated: say so */
		buf[max - 3] = buf[max - 2] = buf[max - 1] = '.';
		i = max;
	}
	buf[i] = '\0';
	return buf;
}
