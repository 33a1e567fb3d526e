// SPDX-License-Identifier: GPL-2.0-only
#include "openmetrics.h"

#include <inttypes.h>
#include <string.h>

void om_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void om_label_value(FILE *f, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;

	fputc('"', f);
	while (*s) {
		size_t n = utf8_len(s);

		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (n == 0)
			fputc('?', f);
		else
			fwrite(s, 1, n, f);
		s += n ? n : 1;
	}
	fputc('"', f);
}

static void labels(FILE *f, const struct om_label *l, size_t nl, const char *le)
{
	if (!nl && !le)
		return;
	fputc('{', f);
	for (size_t i = 0; i < nl; i++) {
		fprintf(f, "%s%s=", i ? "," : "", l[i].name);
		om_label_value(f, l[i].value);
	}
	if (le)
		fprintf(f, "%sle=\"%s\"", nl ? "," : "", le);
	fputc('}', f);
}

void om_sample(FILE *f, const char *name, const struct om_label *l, size_t nl, uint64_t value)
{
	fputs(name, f);
	labels(f, l, nl, NULL);
	fprintf(f, " %" PRIu64 "\n", value);
}

void om_sample_double(FILE *f, const char *name, const struct om_label *l, size_t nl, double value)
{
	fputs(name, f);
	labels(f, l, nl, NULL);
	fprintf(f, " %.9g\n", value);
}

void om_histogram_log2_us(FILE *f, const char *name, const struct om_label *l, size_t nl,
			  const uint64_t *slots, size_t nslots, uint64_t sum_us)
{
	uint64_t cum = 0;
	char le[32];

	for (size_t i = 0; i + 1 < nslots; i++) {
		cum += slots[i];
		snprintf(le, sizeof(le), "%.9g", (double)(1ull << (i + 1)) / 1e6);
		fprintf(f, "%s_bucket", name);
		labels(f, l, nl, le);
		fprintf(f, " %" PRIu64 "\n", cum);
	}
	if (nslots)
		cum += slots[nslots - 1];
	fprintf(f, "%s_bucket", name);
	labels(f, l, nl, "+Inf");
	fprintf(f, " %" PRIu64 "\n", cum);
	fprintf(f, "%s_sum", name);
	labels(f, l, nl, NULL);
	fprintf(f, " %.9g\n", (double)sum_us / 1e6);
	fprintf(f, "%s_count", name);
	labels(f, l, nl, NULL);
	fprintf(f, " %" PRIu64 "\n", cum);
}
