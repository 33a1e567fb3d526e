// SPDX-License-Identifier: GPL-2.0-only
#include "tracetime.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "writeall.h"

int tracetime_parse(const char *line, uint64_t *ns)
{
	const char *cpu = strstr(line, "] ");
	const char *colon = cpu ? strstr(cpu, ": ") : NULL;
	if (!colon)
		return -EINVAL;
	const char *p = colon, *dot = NULL;
	while (p > cpu && ((p[-1] >= '0' && p[-1] <= '9') || (p[-1] == '.' && !dot))) {
		if (p[-1] == '.')
			dot = p - 1;
		p--;
	}
	size_t frac = dot ? (size_t)(colon - dot - 1) : 0;
	if (!dot || dot == p || (frac != 6 && frac != 9) || dot - p > 12)
		return -EINVAL;
	uint64_t secs = 0, sub = 0;
	for (const char *q = p; q < dot; q++)
		secs = secs * 10 + (uint64_t)(*q - '0');
	for (const char *q = dot + 1; q < colon; q++)
		sub = sub * 10 + (uint64_t)(*q - '0');
	*ns = secs * 1000000000ull + (frac == 6 ? sub * 1000u : sub);
	return 0;
}

void tracecut_init(struct tracecut *c, uint64_t from, uint64_t to, int out)
{
	memset(c, 0, offsetof(struct tracecut, line));
	c->from = from;
	c->to = to;
	c->out = out;
	c->keep = true; /* the header before the first event */
}

static int tc_flush(struct tracecut *c)
{
	int rc = writeall_fd(c->out, c->outbuf, c->outlen);
	c->outlen = 0;
	return rc;
}

static int tc_put(struct tracecut *c, const char *s, size_t n)
{
	while (n) {
		if (c->outlen == sizeof(c->outbuf)) {
			int rc = tc_flush(c);
			if (rc < 0)
				return rc;
		}
		size_t k = sizeof(c->outbuf) - c->outlen < n ? sizeof(c->outbuf) - c->outlen : n;
		memcpy(c->outbuf + c->outlen, s, k);
		c->outlen += k;
		s += k;
		n -= k;
	}
	return 0;
}

/* Decides the line in line[] (its start, for an overlong one). */
static void tc_decide(struct tracecut *c)
{
	uint64_t ts;
	c->line[c->len] = '\0';
	if (c->line[0] == '#' || tracetime_parse(c->line, &ts) != 0)
		return; /* a header line is kept; any other follows its event */
	if (!c->oldest)
		c->oldest = ts;
	if (ts > c->to) {
		c->past = true;
		c->keep = false;
		return;
	}
	c->keep = ts >= c->from;
	if (!c->keep) {
		c->before++;
		return;
	}
	if (!c->first)
		c->first = ts;
	c->last = ts;
	c->kept++;
}

static bool tc_keeps_line(const struct tracecut *c)
{
	return c->line[0] == '#' || c->keep;
}

int tracecut_feed(struct tracecut *c, const char *buf, size_t n)
{
	int rc = 0;
	for (size_t i = 0; i < n && !c->past && rc == 0; i++) {
		if (c->streaming) {
			if (c->stream_keep)
				rc = tc_put(c, &buf[i], 1);
			c->streaming = buf[i] != '\n';
			continue;
		}
		if (buf[i] != '\n' && c->len < sizeof(c->line) - 1) {
			c->line[c->len++] = buf[i];
			continue;
		}
		tc_decide(c);
		c->stream_keep = !c->past && tc_keeps_line(c);
		if (c->stream_keep) {
			rc = tc_put(c, c->line, c->len);
			if (rc == 0)
				rc = tc_put(c, &buf[i], 1);
		}
		c->streaming = buf[i] != '\n'; /* the rest of an overlong line follows */
		c->len = 0;
	}
	return rc < 0 ? rc : c->past;
}

int tracecut_finish(struct tracecut *c)
{
	if (c->len && !c->past) {
		tc_decide(c);
		if (!c->past && tc_keeps_line(c)) {
			int rc = tc_put(c, c->line, c->len);
			if (rc < 0)
				return rc;
		}
		c->len = 0;
	}
	return tc_flush(c);
}
