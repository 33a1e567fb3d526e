// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading config files: the base file, then the drop-in directory's *.yaml
 * in strcmp order. Each file is loaded on its own (libyaml pass, then
 * libcyaml) so that every error names the file it is in.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_internal.h"
#include "readall.h"

/* libcyaml reports problems only as log text: the reason, then a backtrace
 * of "in mapping field 'x' (line: N, column: M)" lines. */
struct cyaml_log_buf {
	char text[2048];
	size_t len;
};

static void cyaml_capture(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
	struct cyaml_log_buf *b = ctx;
	int n;

	(void)level;
	if (b->len >= sizeof(b->text) - 1)
		return;
	n = vsnprintf(b->text + b->len, sizeof(b->text) - b->len, fmt, args);
	if (n > 0)
		b->len += (size_t)n < sizeof(b->text) - b->len ? (size_t)n : sizeof(b->text) - 1 - b->len;
}

static void report_cyaml(struct cfg_ctx *ctx, unsigned idx, cyaml_err_t err,
			 const struct cyaml_log_buf *b)
{
	const char *reason = b->text, *at = strstr(b->text, "(line: ");
	unsigned line = at ? (unsigned)strtoul(at + 7, NULL, 10) : 0;
	size_t reason_len;

	if (strncmp(reason, "Load: ", 6) == 0)
		reason += 6;
	reason_len = strcspn(reason, "\n");
	if (reason_len == 0) {
		reason = cyaml_strerror(err);
		reason_len = strlen(reason);
	}
	cfg_err_at(ctx, idx, line, "%.*s", (int)reason_len, reason);
}

static int mark_anomaly_lists(struct cfg_ctx *ctx, unsigned idx, struct ov_named_anomaly *na)
{
	char path[256];

	cfg_pathf(path, sizeof(path), "guardian.anomalies.%s.track_commands", na->name);
	na->a.track_commands_set = cfg_origin_in_layer(ctx, idx, path);
	cfg_pathf(path, sizeof(path), "guardian.anomalies.%s.track_codes", na->name);
	na->a.track_codes_set = cfg_origin_in_layer(ctx, idx, path);
	cfg_pathf(path, sizeof(path), "guardian.anomalies.%s.actions", na->name);
	na->a.actions_set = cfg_origin_in_layer(ctx, idx, path);
	return 0;
}

/* A list given, even as [], replaces the list; an empty one loads as NULL,
 * so the walk's origins say which lists this file gave. */
static int mark_lists(struct cfg_ctx *ctx, unsigned idx, struct cfg_layer *layer)
{
	for (unsigned i = 0; i < layer->n_anomalies; i++)
		mark_anomaly_lists(ctx, idx, &layer->anomalies[i]);
	if (cfg_recorder_mark_lists(ctx, idx, layer) < 0)
		return -ENOMEM;
	if (!cfg_origin_in_layer(ctx, idx, "watcher.actions"))
		return 0;
	if (!layer->top && !(layer->top = calloc(1, sizeof(*layer->top))))
		return -ENOMEM;
	if (!layer->top->watcher && !(layer->top->watcher = calloc(1, sizeof(*layer->top->watcher))))
		return -ENOMEM;
	layer->top->watcher->actions_set = true;
	return 0;
}

static int layer_cyaml(struct cfg_ctx *ctx, unsigned idx, const char *text, size_t len,
		       struct cfg_layer *layer)
{
	struct cyaml_log_buf buf = { .len = 0 };
	cyaml_config_t c;
	cyaml_err_t err;

	/* libcyaml is the loader of record for a clean file; the walk's copy of
	 * the fixed part was only needed to report values of a broken one */
	cfg_layer_clear_top(layer);
	cfg_cyaml_config(&c, cyaml_capture, &buf);
	err = cyaml_load_data((const uint8_t *)text, len, &c, &cfg_top_schema,
			      (cyaml_data_t **)&layer->top, NULL);
	if (err == CYAML_ERR_OOM)
		return -ENOMEM;
	if (err != CYAML_OK) {
		/* the walk should have caught it; report what libcyaml says */
		report_cyaml(ctx, idx, err, &buf);
		return -EINVAL;
	}
	return 0;
}

int cfg_layer_load(struct cfg_ctx *ctx, unsigned idx, const char *text, size_t len,
		   struct cfg_layer *layer)
{
	int r;

	if (len > CFG_MAX_FILE_SIZE) {
		cfg_err_at(ctx, idx, 0, "larger than %u bytes; not a config file?", CFG_MAX_FILE_SIZE);
		return -EINVAL;
	}
	r = cfg_yaml_pass(ctx, idx, text, len, layer);
	if (r == 1)
		r = layer_cyaml(ctx, idx, text, len, layer);
	if (r != -ENOMEM && mark_lists(ctx, idx, layer) < 0)
		r = -ENOMEM;
	layer->ok = r == 0;
	return r;
}

/* ---- files ---- */

/* A drop-in is opened without following a symlink: root reads it, and a
 * link could make the errors quote another file's lines. */
static int load_file(struct cfg_ctx *ctx, const char *path, bool dropin, struct cfg_layer *layer)
{
	int idx = cfg_ctx_add_file(ctx, path), fd, r;
	struct stat st;
	char *text = NULL;
	size_t len = 0;

	if (idx < 0)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (dropin ? O_NOFOLLOW : 0));
	if (fd < 0 && errno == ELOOP && dropin) {
		cfg_err_at(ctx, (unsigned)idx, 0, "a symbolic link; a drop-in must be a regular "
			   "file (links are not followed)");
		return -ELOOP;
	}
	if (fd < 0) {
		r = -errno;
		cfg_err_at(ctx, (unsigned)idx, 0, "cannot open: %s", strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		cfg_err_at(ctx, (unsigned)idx, 0, "cannot stat: %s", strerror(-r));
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		cfg_err_at(ctx, (unsigned)idx, 0, "not a regular file");
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	r = readall_fd(fd, CFG_MAX_FILE_SIZE + 1, &text, &len); /* longer: refused below */
	close(fd);
	if (r < 0) {
		cfg_err_at(ctx, (unsigned)idx, 0, "cannot read: %s", strerror(-r));
		return r;
	}
	ctx->total_size += len;
	if (ctx->total_size > CFG_MAX_TOTAL_SIZE) {
		cfg_err_at(ctx, (unsigned)idx, 0,
			   "the configuration files exceed %u bytes together; not read",
			   CFG_MAX_TOTAL_SIZE);
		free(text);
		return 0;
	}
	r = cfg_layer_load(ctx, (unsigned)idx, text, len, layer);
	free(text);
	return r == -EINVAL ? 0 : r; /* config errors are collected, not fatal */
}

static bool dropin_name(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len > 5 && strcmp(name + len - 5, ".yaml") == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Full paths of the drop-ins, sorted. A missing directory has none. */
static int list_dropins(struct cfg_ctx *ctx, const char *dir, char ***out, unsigned *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL, **nv;
	int r = 0;

	*out = NULL;
	*n = 0;
	if (!d && errno == ENOENT)
		return 0;
	if (!d) {
		r = -errno;
		cfg_err_name(ctx, dir, "cannot read the drop-in directory: %s", strerror(-r));
		return r;
	}
	while ((errno = 0, e = readdir(d))) {
		if (!dropin_name(e->d_name))
			continue;
		if (*n == CFG_MAX_DROPINS) {
			/* refused whole: which ones would win is unknowable */
			cfg_err_name(ctx, dir, "more than %d drop-ins (*.yaml); not a configuration "
				     "aodv2 loads", CFG_MAX_DROPINS);
			r = -E2BIG;
			break;
		}
		nv = realloc(v, (*n + 1) * sizeof(*v));
		if (!nv || asprintf(&nv[*n], "%s/%s", dir, e->d_name) < 0) {
			v = nv ? nv : v;
			r = -ENOMEM;
			break;
		}
		v = nv;
		(*n)++;
	}
	if (!r && errno) { /* readdir's error, not a bound */
		r = -errno;
		cfg_err_name(ctx, dir, "cannot read the drop-in directory: %s", strerror(-r));
	}
	closedir(d);
	if (r < 0) {
		cfg_strv_free(v, *n);
		*n = 0;
		return r;
	}
	if (v)
		qsort(v, *n, sizeof(*v), cmp_str);
	*out = v;
	return 0;
}

static int finish(struct cfg_ctx *ctx, struct config_errors *scratch, int rc)
{
	if (ctx->oom && rc != -ENOMEM) {
		rc = -ENOMEM;
		cfg_err_name(ctx, "config", "out of memory");
	}
	cfg_errors_sort(ctx);
	cfg_ctx_free(ctx);
	config_errors_free(scratch);
	return rc;
}

int config_load(const char *base, const char *dropin_dir, struct aod_config **out,
		struct config_errors *errs)
{
	struct config_errors scratch = { 0 };
	struct cfg_ctx ctx = { .errs = errs ? errs : &scratch };
	struct cfg_layer *layers = NULL;
	char **names = NULL;
	unsigned n_names = 0, n;
	int rc = 0, io = 0;

	*out = NULL;
	ctx.errs_base = ctx.errs->n;
	if (dropin_dir)
		io = list_dropins(&ctx, dropin_dir, &names, &n_names);
	layers = calloc(n_names + 1, sizeof(*layers));
	if (!layers) {
		cfg_strv_free(names, n_names);
		return finish(&ctx, &scratch, -ENOMEM);
	}
	for (n = 0; n < n_names + 1 && rc != -ENOMEM; n++) {
		rc = load_file(&ctx, n ? names[n - 1] : base, n > 0, &layers[n]);
		if (rc < 0 && !io)
			io = rc;
	}
	cfg_strv_free(names, n_names);
	if (io < 0) {
		for (unsigned i = 0; i < n; i++)
			cfg_layer_clear(&layers[i]);
		free(layers);
		return finish(&ctx, &scratch, io);
	}
	rc = cfg_build(&ctx, layers, n, out);
	free(layers);
	return finish(&ctx, &scratch, rc);
}

int cfg_load_texts(const char *const *texts, const size_t *lens, const char *const *names,
		   unsigned n, struct aod_config **out, struct config_errors *errs)
{
	struct config_errors scratch = { 0 };
	struct cfg_ctx ctx = { .errs = errs ? errs : &scratch };
	struct cfg_layer *layers = calloc(n ? n : 1, sizeof(*layers));
	int rc = 0;

	*out = NULL;
	ctx.errs_base = ctx.errs->n;
	for (unsigned i = 0; layers && i < n && rc != -ENOMEM; i++) {
		if (cfg_ctx_add_file(&ctx, names[i] ? names[i] : "<text>") < 0)
			rc = -ENOMEM;
		else
			rc = cfg_layer_load(&ctx, i, texts[i] ? texts[i] : "", texts[i] ? lens[i] : 0,
					    &layers[i]);
	}
	if (!layers || rc == -ENOMEM) {
		for (unsigned i = 0; layers && i < n; i++)
			cfg_layer_clear(&layers[i]);
		free(layers);
		return finish(&ctx, &scratch, -ENOMEM);
	}
	rc = cfg_build(&ctx, layers, n, out);
	free(layers);
	return finish(&ctx, &scratch, rc);
}

int config_load_text(const char *text, size_t len, const char *name, struct aod_config **out,
		     struct config_errors *errs)
{
	return cfg_load_texts(&text, &len, &name, 1, out, errs);
}
