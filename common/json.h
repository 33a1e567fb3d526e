/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small JSON writer into a growing memory buffer, for collectord's
 * manifest.json and `aodctl status --json`.
 *
 * Promise: whatever the caller passes, json_finish hands back valid JSON or
 * an error: strings are escaped (quotes, backslash, control characters) and
 * bytes that are not valid UTF-8 become U+FFFD, so kernel-supplied text (a
 * task's comm, a mount path) cannot break the document. Misuse (a value
 * without a key inside an object, unbalanced ends, nesting deeper than
 * JSON_MAX_DEPTH) is recorded as -EINVAL, running out of memory as -ENOMEM;
 * after the first error every call is a no-op and json_finish reports it.
 */
#ifndef AOD_JSON_H
#define AOD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 32

struct json {
	char *buf;
	size_t len, cap;
	int err;                          /* first error, 0 or -errno */
	unsigned depth;
	bool pretty;                      /* newlines and two-space indent */
	bool after_key;                   /* a key was written, its value is due */
	bool is_obj[JSON_MAX_DEPTH + 1];  /* container kind per depth */
	bool has_items[JSON_MAX_DEPTH + 1];
};

void json_init(struct json *j, bool pretty);
/* Releases the buffer (also after json_finish failed). */
void json_free(struct json *j);

void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
void json_key(struct json *j, const char *key);

void json_str(struct json *j, const char *s);           /* NULL writes null */
void json_strn(struct json *j, const char *s, size_t n); /* n bytes, NULs escaped */
void json_u64(struct json *j, uint64_t v);
void json_i64(struct json *j, int64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* A decimal number with a fixed point: json_fixed(j, 53120, 3) writes 53.120. */
void json_fixed(struct json *j, uint64_t v, unsigned decimals);

/* Key + value shorthands for objects. */
void json_kv_str(struct json *j, const char *key, const char *s);
void json_kv_u64(struct json *j, const char *key, uint64_t v);
void json_kv_i64(struct json *j, const char *key, int64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);

/* Checks the document is complete and returns it (NUL-terminated, owned by
 * j until json_free) with its length. Returns 0 or the first error. */
int json_finish(struct json *j, const char **text, size_t *len);

#endif
