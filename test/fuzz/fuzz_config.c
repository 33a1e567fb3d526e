// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the config loader. The input is one or more YAML
 * fragments separated by a line "#~~8<~~" (merged in order, as drop-ins
 * are). Beyond "no crash, no leak, no UB" it checks the loader's promises:
 * a refused config has error lines naming a fragment and no config; an
 * accepted one dumps to YAML that loads back to an equal config and dumps
 * to the same text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

#define MAX_FRAGMENTS 4
#define SEPARATOR "\n#~~8<~~\n"

static const char *const names[MAX_FRAGMENTS] = { "f0.yaml", "f1.yaml", "f2.yaml", "f3.yaml" };

static unsigned split(const char *data, size_t size, const char **texts, size_t *lens)
{
	size_t sep = strlen(SEPARATOR);
	unsigned n = 0;

	while (n < MAX_FRAGMENTS - 1) {
		const char *at = memmem(data, size, SEPARATOR, sep);

		if (!at)
			break;
		texts[n] = data;
		lens[n++] = (size_t)(at - data);
		size -= (size_t)(at - data) + sep;
		data = at + sep;
	}
	texts[n] = data;
	lens[n++] = size;
	return n;
}

static void fail(const char *why, const char *text)
{
	fprintf(stderr, "fuzz_config: %s\n%s\n", why, text ? text : "");
	abort();
}

static void check_refused(const struct aod_config *cfg, const struct config_errors *errs)
{
	if (cfg)
		fail("a config was returned with an error", NULL);
	if (errs->n == 0)
		fail("refused without an error line", NULL);
	for (unsigned i = 0; i < errs->n; i++)
		if (strncmp(errs->lines[i], "f", 1) != 0 || !strchr(errs->lines[i], ':'))
			fail("error line does not name a fragment", errs->lines[i]);
}

static void check_round_trip(const struct aod_config *cfg)
{
	struct config_errors errs = { 0 };
	struct aod_config *back = NULL;
	char *text = config_dump(cfg), *again;

	if (!text)
		fail("config_dump failed", NULL);
	if (config_load_text(text, strlen(text), "dump", &back, &errs) != 0)
		fail(errs.n ? errs.lines[0] : "dump does not load back", text);
	if (!config_equal(cfg, back))
		fail("dump loads back to a different config", text);
	/* the header comments name different files: compare the settings */
	again = config_dump(back);
	if (!again || strcmp(strstr(text, "\nwatch_interval_sec"), strstr(again, "\nwatch_interval_sec")))
		fail("dump of the reloaded config differs", again);
	free(again);
	free(text);
	config_free(back);
	config_errors_free(&errs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *texts[MAX_FRAGMENTS];
	size_t lens[MAX_FRAGMENTS];
	unsigned n = split((const char *)data, size, texts, lens);
	struct config_errors errs = { 0 };
	struct aod_config *cfg = NULL;
	int rc = cfg_load_texts(texts, lens, names, n, &cfg, &errs);

	if (rc == 0) {
		if (!cfg || errs.n)
			fail("accepted without a config, or with errors", NULL);
		check_round_trip(cfg);
		config_free(cfg);
	} else {
		check_refused(cfg, &errs);
	}
	config_errors_free(&errs);
	return 0;
}
