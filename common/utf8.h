/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * UTF-8 checking for text that crosses a trust boundary (a task's comm, a
 * path, a recording's bytes) on its way into JSON (json.c) or a log line
 * (log.c): neither passes invalid UTF-8 or control bytes through.
 */
#ifndef AOD_UTF8_H
#define AOD_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes, n >= 1), 0 if
 * invalid. Rejects overlong forms, surrogates and code points above
 * U+10FFFF. */
size_t utf8_seq_len(const unsigned char *s, size_t n);

/* Copies the NUL-terminated in to out (outlen >= 1, always terminated),
 * writing control bytes (below 0x20, 0x7f) and bytes that are not valid
 * UTF-8 as \xNN; valid UTF-8 is copied as is. Stops before a piece that
 * does not fit. Returns the length written. */
size_t utf8_escape(char *out, size_t outlen, const char *in);

#endif
