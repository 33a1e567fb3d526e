// SPDX-License-Identifier: GPL-2.0-only
/*
 * From loaded layers to a config: each file's values are checked on their
 * own (so a bad value is reported even when a later file overrides it),
 * then the layers are merged in order, converted, defaulted and checked as
 * a whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

static int check_layer(struct cfg_ctx *ctx, unsigned idx, const struct cfg_layer *l)
{
	struct aod_config *scratch = calloc(1, sizeof(*scratch));
	int rc;

	if (!scratch)
		return -ENOMEM;
	rc = cfg_convert(ctx, idx, l, scratch);
	config_free(scratch);
	return rc;
}

static int copy_files(const struct cfg_ctx *ctx, struct aod_config *cfg)
{
	cfg->files = calloc(ctx->n_files ? ctx->n_files : 1, sizeof(*cfg->files));
	if (!cfg->files)
		return -ENOMEM;
	for (; cfg->n_files < ctx->n_files; cfg->n_files++) {
		cfg->files[cfg->n_files] = strdup(ctx->files[cfg->n_files]);
		if (!cfg->files[cfg->n_files])
			return -ENOMEM;
	}
	return 0;
}

static int build_merged(struct cfg_ctx *ctx, struct cfg_layer *merged, struct aod_config **out)
{
	struct aod_config *cfg = calloc(1, sizeof(*cfg));

	*out = cfg;
	if (!cfg || cfg_convert(ctx, CFG_ALL_LAYERS, merged, cfg) < 0 ||
	    cfg_defaults_apply(cfg, merged) < 0)
		return -ENOMEM;
	cfg_validate(ctx, cfg, merged);
	if (copy_files(ctx, cfg) < 0)
		return -ENOMEM;
	return 0;
}

int cfg_build(struct cfg_ctx *ctx, struct cfg_layer *layers, unsigned n,
	      struct aod_config **out)
{
	struct cfg_layer merged = { 0 };
	struct aod_config *cfg = NULL;
	bool all_ok = true;
	int rc = 0;

	*out = NULL;
	/* a layer with structural errors is checked too: its values are partial */
	for (unsigned i = 0; i < n && rc == 0; i++) {
		all_ok &= layers[i].ok;
		rc = check_layer(ctx, i, &layers[i]);
	}
	if (rc == 0 && (!all_ok || cfg_nerrors(ctx)))
		rc = -EINVAL;
	for (unsigned i = 0; i < n && rc == 0; i++)
		rc = cfg_merge(&merged, &layers[i]);
	if (rc == 0)
		rc = build_merged(ctx, &merged, &cfg);
	if (rc == 0 && ctx->oom)
		rc = -ENOMEM;
	if (rc == 0 && cfg_nerrors(ctx))
		rc = -EINVAL;
	for (unsigned i = 0; i < n; i++)
		cfg_layer_clear(&layers[i]);
	cfg_layer_clear(&merged);
	if (rc < 0)
		config_free(cfg);
	else
		*out = cfg;
	return rc;
}
