/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A growable text buffer with printf-style appends and JSON string escaping,
 * for status replies. An allocation failure is sticky: later appends are
 * ignored and strbuf_failed() reports it, so callers check once at the end.
 */
#ifndef SUP_STRBUF_H
#define SUP_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len, cap;
	bool failed;
};

void strbuf_init(struct strbuf *b);
void strbuf_free(struct strbuf *b);
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_add(struct strbuf *b, const char *s, size_t n);
/* Appends s as a JSON string literal, quotes included. */
void strbuf_json_str(struct strbuf *b, const char *s);
bool strbuf_failed(const struct strbuf *b);

#endif
