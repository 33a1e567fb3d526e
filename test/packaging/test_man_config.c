// SPDX-License-Identifier: GPL-2.0-only
/*
 * aodv2.yaml(5) against the config code: every setting in cfg_rules is
 * documented as a tagged entry with the default and range the code applies,
 * and every key config_dump prints (the effective config a user sees from
 * --check-config) is documented. The page is the configured one from the
 * build tree (AOD_MAN_CONFIG), so its paths are the ones meson installs.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_internal.h"
#include "pkgtest.h"

struct man_entry {
	char *tag;  /* the word after .B on the line after .TP */
	char *body; /* the text up to the next .TP or .SH, macros stripped */
};

struct man_page {
	char *raw;
	struct man_entry *e;
	size_t n;
};

static struct man_page page;

/* Appends one source line to body as plain text: a leading macro name is
 * dropped, \- becomes -, font escapes and quotes go. */
static void body_append(char *body, size_t cap, const char *line)
{
	size_t len = strlen(body);

	if (line[0] == '.') {
		const char *sp = strchr(line, ' ');
		if (!sp)
			return;
		line = sp + 1;
	}
	if (len && len + 1 < cap)
		body[len++] = ' ';
	for (const char *p = line; *p && len + 1 < cap; p++) {
		if (p[0] == '\\' && p[1] == '-') {
			body[len++] = '-';
			p++;
		} else if (p[0] == '\\' && p[1] == 'f' && p[2]) {
			p += 2;
		} else if (*p != '"') {
			body[len++] = *p;
		}
	}
	body[len] = '\0';
}

static void page_load(void)
{
	const char *path = getenv("AOD_MAN_CONFIG");
	char *text, **lines;
	size_t n;

	ck_assert_msg(path && *path, "AOD_MAN_CONFIG is not set");
	page.raw = pkgtest_read_file(path);
	text = strdup(page.raw);
	ck_assert(text);
	lines = pkgtest_lines(text, &n);
	for (size_t i = 0; i + 1 < n; i++) {
		if (strcmp(lines[i], ".TP") != 0 || strncmp(lines[i + 1], ".B ", 3) != 0)
			continue;
		struct man_entry *e;
		page.e = realloc(page.e, (page.n + 1) * sizeof(*page.e));
		ck_assert(page.e);
		e = &page.e[page.n++];
		e->tag = strdup(lines[i + 1] + 3);
		e->body = calloc(1, 8192);
		ck_assert(e->tag && e->body);
		for (size_t j = i + 2; j < n; j++) {
			if (strncmp(lines[j], ".TP", 3) == 0 || strncmp(lines[j], ".SH", 3) == 0)
				break;
			body_append(e->body, 8192, lines[j]);
		}
	}
	free(lines);
	free(text);
}

static void page_free(void)
{
	for (size_t i = 0; i < page.n; i++) {
		free(page.e[i].tag);
		free(page.e[i].body);
	}
	free(page.e);
	free(page.raw);
	memset(&page, 0, sizeof(page));
}

static const struct man_entry *entry(const char *tag)
{
	for (size_t i = 0; i < page.n; i++)
		if (strcmp(page.e[i].tag, tag) == 0)
			return &page.e[i];
	return NULL;
}

/* Numbers as a person writes them: 3600, 0.05, 16777216. */
static void fmt_num(char *buf, size_t len, double v)
{
	if (v == (double)(long long)v)
		snprintf(buf, len, "%lld", (long long)v);
	else
		snprintf(buf, len, "%g", v);
}

static void rule_tag(const struct cfg_rule *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", r->sec == SEC_ANOMALY ? "" : cfg_section_prefix(r->sec), r->key);
}

START_TEST(test_rule_documented)
{
	const struct cfg_rule *r = &cfg_rules[_i];
	char tag[128], want[256], lo[32], hi[32], def[32];
	const struct man_entry *e;

	rule_tag(r, tag, sizeof(tag));
	e = entry(tag);
	ck_assert_msg(e, "aodv2.yaml(5) has no entry (.TP/.B %s)", tag);
	switch (r->kind) {
	case CFG_U32:
	case CFG_DOUBLE:
		fmt_num(def, sizeof(def), r->def);
		fmt_num(lo, sizeof(lo), r->min);
		fmt_num(hi, sizeof(hi), r->max);
		snprintf(want, sizeof(want), "Default %s; range %s to %s.", def, lo, hi);
		break;
	case CFG_BOOL:
		snprintf(want, sizeof(want), "Default %s.", r->def != 0 ? "true" : "false");
		break;
	case CFG_ABSPATH:
	case CFG_SOCKPATH:
	case CFG_USER:
		snprintf(want, sizeof(want), "Default %s", r->def_str);
		break;
	case CFG_MODE:
		snprintf(want, sizeof(want), "Default %s", config_mode_name((enum aod_mode)r->def));
		break;
	case CFG_SCOPE:
		snprintf(want, sizeof(want), "Default %s", config_scope_name((enum aod_scope)r->def));
		break;
	default: /* type and tool: no default of their own */
		snprintf(want, sizeof(want), "%s", r->no_default ? "" : "Default");
		break;
	}
	ck_assert_msg(strstr(e->body, want), "%s: the page says \"%s\", wanted \"%s\"", tag, e->body,
		      want);
}
END_TEST

/* A config with one anomaly of each type and a per-command threshold, so the
 * dump shows every key there is. */
static const char sample[] =
	"guardian:\n"
	"  anomalies:\n"
	"    lat:\n"
	"      type: Latency\n"
	"      track_commands:\n"
	"        - command: SMB2_READ\n"
	"          threshold: 30\n"
	"    err:\n"
	"      type: Error\n"
	"      mode: trackonly\n"
	"      track_codes: [EIO]\n";

struct dump_key {
	int indent;
	char name[64];
};

/* Checks one key of the dump, given the keys above it. */
static void check_dump_key(struct dump_key *stack, int depth, const char *line)
{
	char tag[200];
	const char *key = stack[depth].name;

	if (depth >= 1 && strcmp(stack[0].name, "guardian") == 0) {
		if (depth == 1) {
			ck_assert_msg(strstr(page.raw, "guardian.anomalies"), "guardian.anomalies undocumented");
		} else if (depth == 3) {
			ck_assert_msg(entry(key), "anomaly key %s (dump: \"%s\") has no entry", key, line);
		} else if (depth >= 4) {
			/* a key inside a list item: described in its list's entry */
			const struct man_entry *e = entry(stack[3].name);
			ck_assert_msg(e && strstr(e->body, key), "%s.%s is not described under %s",
				      stack[3].name, key, stack[3].name);
		}
		return;
	}
	if (depth == 0) {
		/* a section (watcher:) or a top-level setting */
		if (!strchr(line, ':') || strchr(line, ':')[1] == '\0') {
			ck_assert_msg(strstr(page.raw, key), "section %s is not mentioned", key);
			return;
		}
		snprintf(tag, sizeof(tag), "%s", key);
	} else if (depth == 1) {
		snprintf(tag, sizeof(tag), "%s.%s", stack[0].name, key);
	} else { /* a key of a section's mapping (watcher.flight_recorder) */
		snprintf(tag, sizeof(tag), "%s.%s.%s", stack[0].name, stack[1].name, key);
	}
	ck_assert_msg(entry(tag), "%s (dump: \"%s\") has no entry", tag, line);
}

START_TEST(test_dump_keys_documented)
{
	struct aod_config *cfg = NULL;
	struct config_errors errs = { 0 };
	struct dump_key stack[16];
	int depth = -1;
	unsigned checked = 0;
	char *dump, *save = NULL;

	ck_assert_int_eq(config_load_text(sample, strlen(sample), "sample", &cfg, &errs), 0);
	dump = config_dump(cfg);
	ck_assert(dump);
	for (char *l = strtok_r(dump, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		int indent = 0;
		char *k, *colon;

		while (l[indent] == ' ')
			indent++;
		k = l + indent;
		if (*k == '#' || *k == '\0')
			continue;
		if (k[0] == '-' && k[1] == ' ') {
			k += 2;
			indent += 2;
		}
		colon = strchr(k, ':');
		ck_assert_msg(colon, "dump line without a key: \"%s\"", l);
		while (depth >= 0 && stack[depth].indent >= indent)
			depth--;
		ck_assert_int_lt(depth + 1, 16);
		depth++;
		stack[depth].indent = indent;
		snprintf(stack[depth].name, sizeof(stack[depth].name), "%.*s", (int)(colon - k),
			 k[0] == '"' ? k + 1 : k);
		char *q = strchr(stack[depth].name, '"');
		if (q)
			*q = '\0';
		check_dump_key(stack, depth, l);
		checked++;
	}
	ck_assert_uint_gt(checked, 30);
	free(dump);
	config_free(cfg);
	config_errors_free(&errs);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("man_config");
	TCase *tc = tcase_create("aodv2.yaml.5");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, page_load, page_free);
	tcase_add_loop_test(tc, test_rule_documented, 0, (int)cfg_n_rules);
	tcase_add_test(tc, test_dump_keys_documented);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
