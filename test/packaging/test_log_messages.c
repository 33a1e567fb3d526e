// SPDX-License-Identifier: GPL-2.0-only
/*
 * aodv2-supervisor(8), section LOG MESSAGES, against the code: every line
 * documented there is a format string some log_info/log_warn/log_error call
 * (or journal_at(LOG_INFO | LOG_WARNING | LOG_ERR, id, fields, n, format ...))
 * in the named process's folder really logs, at the documented level, so an
 * operator's grep pattern taken from the page matches what aodv2 writes.
 * The section covers what issue 8 lists (anomaly detected, collection
 * started / finished / failed, worker restarted, probes attached / waiting,
 * config reloaded / refused).
 *
 * A documented line becomes a glob: its bold words literally, each italic
 * word (a variable part) and "..." as '*'. A C format string is the
 * concatenation of the call's first argument's literals, PRIu64 and friends
 * expanded. The page is the configured one from the build tree
 * (AOD_MAN_SUPERVISOR); the sources are read from AOD_SOURCE_ROOT.
 */
#include <check.h>
#include <ctype.h>
#include <dirent.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aod_build.h"
#include "pkgtest.h"

struct log_call {
	char dir[16];   /* the source folder */
	char level[8];  /* INFO, WARNING, ERROR */
	char *fmt;
	char where[96]; /* file:line */
};

struct doc_line {
	char *glob;     /* the documented line as a glob */
	char *text;     /* as the page shows it, variable parts as <word> */
	char ident[32]; /* aodv2-supervisor, ... */
	char level[8];
};

static struct {
	struct log_call *calls;
	size_t n_calls;
	struct doc_line *docs;
	size_t n_docs;
} t;

/* Which folders' code logs under each identifier. The probes run inside the
 * supervisor; every worker runs on the skeleton in common/ (wproc.h). */
static const struct {
	const char *ident;
	const char *dirs[2];
} idents[] = {
	{ "aodv2-supervisor", { "supervisor", "probes" } },
	{ "aodv2-detectord", { "detectord", "common" } },
	{ "aodv2-collectord", { "collectord", "common" } },
	{ "aodv2-sweeperd", { "sweeperd", "common" } },
};

/* ---- C sources: the format strings of log calls ---- */

static const char *skip_space(const char *p)
{
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
		} else if (p[0] == '/' && p[1] == '/') {
			p += strcspn(p, "\n");
		} else {
			return p;
		}
	}
}

static void append(char **s, size_t *len, const char *add, size_t n)
{
	*s = realloc(*s, *len + n + 1);
	ck_assert(*s);
	memcpy(*s + *len, add, n);
	*len += n;
	(*s)[*len] = '\0';
}

/* p at the opening quote: appends the unescaped literal, returns the char
 * after the closing quote. */
static const char *take_literal(const char *p, char **s, size_t *len)
{
	for (p++; *p && *p != '"'; p++) {
		char c = *p;
		if (c == '\\' && p[1]) {
			p++;
			c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
		}
		append(s, len, &c, 1);
	}
	return *p ? p + 1 : p;
}

/* The format argument at p (after "log_xxx("): adjacent literals and
 * PRI macros; NULL when the first argument is not a literal. */
static char *take_format(const char *p)
{
	char *fmt = NULL;
	size_t len = 0;

	p = skip_space(p);
	if (*p != '"')
		return NULL;
	for (;;) {
		p = skip_space(p);
		if (*p == '"') {
			p = take_literal(p, &fmt, &len);
		} else if (isalpha((unsigned char)*p) || *p == '_') {
			const char *e = p;
			while (isalnum((unsigned char)*e) || *e == '_')
				e++;
			size_t n = (size_t)(e - p);
			const char *exp = "%s"; /* a string macro: a variable part */
			if (n == 6 && !strncmp(p, "PRIu64", 6))
				exp = "lu";
			else if (n == 6 && !strncmp(p, "PRId64", 6))
				exp = "ld";
			else if (n == 6 && !strncmp(p, "PRIx64", 6))
				exp = "lx";
			else if (n > 3 && !strncmp(p, "PRI", 3))
				exp = "u";
			append(&fmt, &len, exp, strlen(exp));
			p = e;
		} else {
			break; /* ',' or ')' ends the format */
		}
	}
	return fmt;
}

/* journal_at(LEVEL, msgid, fields, n, format...): the level's name and
 * the format's position; NULL when p is not such a call. */
static const char *journal_call(const char *p, const char **level)
{
	static const struct {
		const char *prio, *level;
	} prios[] = { { "LOG_INFO,", "INFO" }, { "LOG_WARNING,", "WARNING" }, { "LOG_ERR,", "ERROR" } };

	p = skip_space(p);
	*level = NULL;
	for (size_t i = 0; i < sizeof(prios) / sizeof(prios[0]); i++)
		if (!strncmp(p, prios[i].prio, strlen(prios[i].prio)))
			*level = prios[i].level;
	for (int commas = 0; *level && *p && commas < 4; p++)
		commas += *p == ',';
	return *level ? p : NULL;
}

static void add_call(const char *dir, const char *level, const char *text, const char *at,
		     const char *short_name, char *fmt)
{
	unsigned line = 1;
	for (const char *q = text; q < at; q++)
		line += *q == '\n';
	t.calls = realloc(t.calls, (t.n_calls + 1) * sizeof(*t.calls));
	ck_assert(t.calls);
	struct log_call *c = &t.calls[t.n_calls++];
	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	snprintf(c->level, sizeof(c->level), "%s", level);
	snprintf(c->where, sizeof(c->where), "%s/%s:%u", dir, short_name, line);
	c->fmt = fmt;
}

static void scan_file(const char *dir, const char *path, const char *short_name)
{
	static const struct {
		const char *call;
		const char *level;
	} levels[] = { { "log_info(", "INFO" },       { "log_warn(", "WARNING" },
		       { "log_error(", "ERROR" },     { "log_info_rl(", "INFO" },
		       { "log_warn_rl(", "WARNING" }, { "log_error_rl(", "ERROR" } };
	char *text = pkgtest_read_file(path);

	for (size_t k = 0; k < sizeof(levels) / sizeof(levels[0]); k++) {
		size_t clen = strlen(levels[k].call);
		for (const char *p = strstr(text, levels[k].call); p; p = strstr(p + clen, levels[k].call)) {
			if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
				continue;
			char *fmt = take_format(p + clen);
			if (fmt)
				add_call(dir, levels[k].level, text, p, short_name, fmt);
		}
	}
	for (const char *p = strstr(text, "journal_at("); p; p = strstr(p + 11, "journal_at(")) {
		const char *level, *f = journal_call(p + 11, &level);
		char *fmt = f ? take_format(f) : NULL;
		if (fmt)
			add_call(dir, level, text, p, short_name, fmt);
	}
	free(text);
}

static void scan_dir(const char *dir)
{
	char path[512];
	struct dirent *de;

	snprintf(path, sizeof(path), "%s/%s", AOD_SOURCE_ROOT, dir);
	DIR *d = opendir(path);
	ck_assert_msg(d, "cannot open %s", path);
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (n < 3 || strcmp(de->d_name + n - 2, ".c") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", AOD_SOURCE_ROOT, dir, de->d_name);
		scan_file(dir, path, de->d_name);
	}
	closedir(d);
}

/* ---- the man page: LOG MESSAGES entries as globs ---- */

struct roff_out {
	char *glob, *text;
	size_t glen, tlen;
	bool last_var; /* the glob ends with '*' */
};

static void out_literal(struct roff_out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strchr("*?[\\", s[i]))
			append(&o->glob, &o->glen, "\\", 1);
		append(&o->glob, &o->glen, &s[i], 1);
	}
	append(&o->text, &o->tlen, s, n);
	if (n)
		o->last_var = false;
}

static void out_var(struct roff_out *o, const char *name, size_t n)
{
	if (!o->last_var)
		append(&o->glob, &o->glen, "*", 1);
	o->last_var = true;
	append(&o->text, &o->tlen, "<", 1);
	append(&o->text, &o->tlen, name, n);
	append(&o->text, &o->tlen, ">", 1);
}

/* One piece of text in one font: roff escapes resolved, "..." variable. */
static void out_text(struct roff_out *o, const char *s, bool italic)
{
	char plain[512];
	size_t n = 0;

	for (const char *p = s; *p && n + 1 < sizeof(plain); p++) {
		if (p[0] == '\\' && p[1] == '-') {
			plain[n++] = '-';
			p++;
		} else if (p[0] == '\\' && p[1] == '(' && p[2] && p[3]) {
			plain[n++] = !strncmp(p + 2, "aq", 2) ? '\'' : !strncmp(p + 2, "dq", 2) ? '"' : '?';
			p += 3;
		} else if (p[0] == '\\' && p[1] == '&') {
			p++;
		} else if (p[0] == '\\' && p[1] == 'e') {
			plain[n++] = '\\';
			p++;
		} else {
			plain[n++] = *p;
		}
	}
	plain[n] = '\0';
	if (italic) {
		out_var(o, plain, n);
		return;
	}
	for (char *p = plain;;) {
		char *dots = strstr(p, "...");
		if (!dots) {
			out_literal(o, p, strlen(p));
			return;
		}
		out_literal(o, p, (size_t)(dots - p));
		out_var(o, "...", 3);
		p = dots + 3;
	}
}

/* Splits a macro's arguments: spaces separate, double quotes group. */
static size_t roff_args(const char *s, char args[][256], size_t max)
{
	size_t n = 0;

	while (*s && n < max) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		size_t len = 0;
		if (*s == '"') {
			for (s++; *s && *s != '"'; s++)
				if (len + 1 < 256)
					args[n][len++] = *s;
			if (*s)
				s++;
		} else {
			for (; *s && *s != ' '; s++)
				if (len + 1 < 256)
					args[n][len++] = *s;
		}
		args[n++][len] = '\0';
	}
	return n;
}

/* A tag line such as `.BI "anomaly " name ": " ...` -> glob and text. */
static bool roff_tag(const char *line, struct doc_line *d)
{
	struct roff_out o = { 0 };
	char args[32][256];

	if (line[0] != '.' || !line[1] || !line[2])
		return false;
	const char *macro = line + 1;
	const char *rest = strchr(line, ' ');
	if (!rest)
		return false;
	size_t mlen = (size_t)(rest - macro);
	size_t n = roff_args(rest, args, 32);
	if (mlen == 1 && (*macro == 'B' || *macro == 'I')) {
		/* one font; the arguments are words joined by spaces */
		for (size_t i = 0; i < n; i++) {
			if (i)
				out_text(&o, " ", false);
			out_text(&o, args[i], *macro == 'I');
		}
	} else if (mlen == 2 && strchr("BIR", macro[0]) && strchr("BIR", macro[1])) {
		for (size_t i = 0; i < n; i++)
			out_text(&o, args[i], macro[i % 2] == 'I');
	} else {
		return false;
	}
	d->glob = o.glob;
	d->text = o.text;
	return d->glob != NULL;
}

static void load_page(void)
{
	const char *path = getenv("AOD_MAN_SUPERVISOR");
	char **lines;
	size_t n;

	ck_assert_msg(path && *path, "AOD_MAN_SUPERVISOR is not set");
	char *text = pkgtest_read_file(path);
	lines = pkgtest_lines(text, &n);
	size_t i = 0;
	while (i < n && strcmp(lines[i], ".SH LOG MESSAGES") != 0)
		i++;
	ck_assert_msg(i < n, "%s has no section LOG MESSAGES", path);
	for (i++; i < n && strncmp(lines[i], ".SH ", 4) != 0; i++) {
		if (strcmp(lines[i], ".TP") != 0)
			continue;
		ck_assert_msg(i + 3 < n, "LOG MESSAGES: .TP at the end");
		struct doc_line d = { 0 };
		ck_assert_msg(roff_tag(lines[i + 1], &d), "LOG MESSAGES: cannot read the entry %s",
			      lines[i + 1]);
		/* ".B aodv2\-xxx" then "LEVEL: what it means" */
		ck_assert_msg(!strncmp(lines[i + 2], ".B aodv2\\-", 10),
			      "LOG MESSAGES: %s: the identifier must follow as .B aodv2\\-...", d.text);
		snprintf(d.ident, sizeof(d.ident), "aodv2-%s", lines[i + 2] + 10);
		size_t lv = strcspn(lines[i + 3], ":");
		ck_assert_msg(lines[i + 3][lv] == ':' && lv < sizeof(d.level),
			      "LOG MESSAGES: %s: the level must follow as INFO:, WARNING: or ERROR:", d.text);
		memcpy(d.level, lines[i + 3], lv);
		d.level[lv] = '\0';
		t.docs = realloc(t.docs, (t.n_docs + 1) * sizeof(*t.docs));
		ck_assert(t.docs);
		t.docs[t.n_docs++] = d;
	}
	free(lines);
	free(text);
}

static void setup(void)
{
	load_page();
	for (size_t i = 0; i < sizeof(idents) / sizeof(idents[0]); i++)
		for (size_t j = 0; j < 2 && idents[i].dirs[j]; j++)
			scan_dir(idents[i].dirs[j]);
}

static void teardown(void)
{
	for (size_t i = 0; i < t.n_calls; i++)
		free(t.calls[i].fmt);
	for (size_t i = 0; i < t.n_docs; i++) {
		free(t.docs[i].glob);
		free(t.docs[i].text);
	}
	free(t.calls);
	free(t.docs);
	memset(&t, 0, sizeof(t));
}

/* The call logging d, or NULL. */
static const struct log_call *logged_by(const struct doc_line *d, const char *glob)
{
	for (size_t i = 0; i < sizeof(idents) / sizeof(idents[0]); i++) {
		if (strcmp(idents[i].ident, d->ident) != 0)
			continue;
		for (size_t c = 0; c < t.n_calls; c++) {
			const struct log_call *lc = &t.calls[c];
			bool in_dir = !strcmp(lc->dir, idents[i].dirs[0]) ||
				      (idents[i].dirs[1] && !strcmp(lc->dir, idents[i].dirs[1]));
			if (in_dir && !strcmp(lc->level, d->level) && fnmatch(glob, lc->fmt, 0) == 0)
				return lc;
		}
	}
	return NULL;
}

START_TEST(entries_name_a_known_process_and_level)
{
	ck_assert_uint_ge(t.n_docs, 30);
	ck_assert_uint_ge(t.n_calls, 100);
	for (size_t i = 0; i < t.n_docs; i++) {
		const struct doc_line *d = &t.docs[i];
		bool known = false;
		for (size_t k = 0; k < sizeof(idents) / sizeof(idents[0]); k++)
			known |= !strcmp(d->ident, idents[k].ident);
		ck_assert_msg(known, "%s: unknown identifier %s", d->text, d->ident);
		ck_assert_msg(!strcmp(d->level, "INFO") || !strcmp(d->level, "WARNING") ||
				      !strcmp(d->level, "ERROR"),
			      "%s: unknown level %s", d->text, d->level);
		/* a line made mostly of variable parts would match anything */
		size_t fixed = 0;
		for (const char *p = d->glob; *p; p++)
			fixed += *p != '*' && *p != '\\';
		ck_assert_msg(fixed >= 8, "%s: too little fixed text to grep for", d->text);
	}
}
END_TEST

START_TEST(every_documented_line_is_logged)
{
	char missing[8192] = "";
	size_t len = 0;

	for (size_t i = 0; i < t.n_docs; i++) {
		const struct doc_line *d = &t.docs[i];
		if (!logged_by(d, d->glob) && len + 1 < sizeof(missing))
			len += (size_t)snprintf(missing + len, sizeof(missing) - len, " [%s %s: %s]", d->ident,
						d->level, d->text);
	}
	ck_assert_msg(len == 0, "documented in aodv2-supervisor(8) but logged nowhere:%s", missing);
}
END_TEST

/* The matcher must be able to say no: each entry with one word of its
 * fixed text changed, or at another level, matches nothing. */
START_TEST(a_changed_word_or_level_does_not_match)
{
	for (size_t i = 0; i < t.n_docs; i++) {
		struct doc_line d = t.docs[i];
		char *glob = strdup(d.glob);
		ck_assert(glob);
		char *p = glob;
		while (*p && !isalpha((unsigned char)*p))
			p++;
		ck_assert_msg(*p, "%s has no word", d.text);
		*p = *p == 'Q' ? 'X' : 'Q';
		ck_assert_msg(!logged_by(&d, glob), "%s still matches with a changed word", d.text);
		free(glob);
		snprintf(d.level, sizeof(d.level), "%s", strcmp(d.level, "INFO") ? "INFO" : "ERROR");
		ck_assert_msg(!logged_by(&d, d.glob), "%s also matches at level %s", d.text, d.level);
	}
}
END_TEST

static bool documented(const char *ident, const char *needle)
{
	for (size_t i = 0; i < t.n_docs; i++)
		if (!strcmp(t.docs[i].ident, ident) && strstr(t.docs[i].text, needle))
			return true;
	return false;
}

START_TEST(the_lines_operators_grep_for_are_documented)
{
	static const struct {
		const char *ident, *needle, *what;
	} want[] = {
		{ "aodv2-detectord", "violations of", "anomaly detected" },
		{ "aodv2-supervisor", "collecting into aod_", "collection started" },
		{ "aodv2-supervisor", "manual collection (", "manual collection started" },
		{ "aodv2-collectord", "complete in", "collection finished" },
		{ "aodv2-supervisor", "> complete (", "collection finished" },
		{ "aodv2-supervisor", "> failed: ", "collection failed" },
		{ "aodv2-collectord", "> failed: ", "collection failed" },
		{ "aodv2-supervisor", "restarting it in", "worker restarted" },
		{ "aodv2-supervisor", "giving up", "worker restarts given up" },
		{ "aodv2-supervisor", "probes: attached to cifs", "probe attached" },
		{ "aodv2-supervisor", "the cifs probes wait for the module", "probe waiting" },
		{ "aodv2-supervisor", "configuration reloaded", "config reloaded" },
		{ "aodv2-supervisor", "the configuration is invalid; keeping the running one", "config refused" },
		{ "aodv2-supervisor", "rejected the configuration", "config refused by a worker" },
		{ "aodv2-detectord", "configuration refused", "config refused (detectord)" },
		{ "aodv2-collectord", "configuration refused", "config refused (collectord)" },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(documented(want[i].ident, want[i].needle),
			      "LOG MESSAGES has no %s line (%s: ...%s...)", want[i].what, want[i].ident,
			      want[i].needle);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("log_messages");
	TCase *tc = tcase_create("log_messages");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, entries_name_a_known_process_and_level);
	tcase_add_test(tc, every_documented_line_is_logged);
	tcase_add_test(tc, a_changed_word_or_level_does_not_match);
	tcase_add_test(tc, the_lines_operators_grep_for_are_documented);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
