// SPDX-License-Identifier: GPL-2.0-only
#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

void json_init(struct json *j, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->pretty = pretty;
}

void json_free(struct json *j)
{
	free(j->buf);
	j->buf = NULL;
	j->len = j->cap = 0;
}

static void json_fail(struct json *j, int err)
{
	if (!j->err)
		j->err = err;
}

static bool json_reserve(struct json *j, size_t more)
{
	if (j->err)
		return false;
	if (j->len + more + 1 <= j->cap)
		return true;
	size_t cap = j->cap ? j->cap : 256;
	while (cap < j->len + more + 1) {
		if (cap > SIZE_MAX / 2) {
			json_fail(j, -ENOMEM);
			return false;
		}
		cap *= 2;
	}
	char *buf = realloc(j->buf, cap);
	if (!buf) {
		json_fail(j, -ENOMEM);
		return false;
	}
	j->buf = buf;
	j->cap = cap;
	return true;
}

static void json_put(struct json *j, const char *s, size_t n)
{
	if (!json_reserve(j, n))
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void json_puts(struct json *j, const char *s)
{
	json_put(j, s, strlen(s));
}

static void json_newline(struct json *j)
{
	if (!j->pretty)
		return;
	json_put(j, "\n", 1);
	for (unsigned i = 0; i < j->depth; i++)
		json_put(j, "  ", 2);
}

/* Everything a value needs before it: a comma after a sibling, the indent,
 * and the check that an object member got its key. */
static bool json_value_prefix(struct json *j)
{
	if (j->err)
		return false;
	if (j->after_key) {
		j->after_key = false;
		return true;
	}
	if (j->depth == 0) {
		if (j->has_items[0]) {
			json_fail(j, -EINVAL); /* a second top-level value */
			return false;
		}
		j->has_items[0] = true;
		return true;
	}
	if (j->is_obj[j->depth]) {
		json_fail(j, -EINVAL); /* a value without a key */
		return false;
	}
	if (j->has_items[j->depth])
		json_put(j, ",", 1);
	j->has_items[j->depth] = true;
	json_newline(j);
	return true;
}

static void json_open(struct json *j, bool obj)
{
	if (!json_value_prefix(j))
		return;
	if (j->depth >= JSON_MAX_DEPTH) {
		json_fail(j, -EINVAL);
		return;
	}
	json_put(j, obj ? "{" : "[", 1);
	j->depth++;
	j->is_obj[j->depth] = obj;
	j->has_items[j->depth] = false;
}

static void json_close(struct json *j, bool obj)
{
	if (j->err)
		return;
	if (j->depth == 0 || j->is_obj[j->depth] != obj || j->after_key) {
		json_fail(j, -EINVAL);
		return;
	}
	bool had = j->has_items[j->depth];
	j->depth--;
	if (had)
		json_newline(j);
	json_put(j, obj ? "}" : "]", 1);
}

void json_obj_begin(struct json *j) { json_open(j, true); }
void json_obj_end(struct json *j) { json_close(j, true); }
void json_arr_begin(struct json *j) { json_open(j, false); }
void json_arr_end(struct json *j) { json_close(j, false); }

static void json_escaped(struct json *j, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	json_put(j, "\"", 1);
	for (size_t i = 0; i < n && !j->err;) {
		unsigned char c = s[i];
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c;
			json_put(j, esc, 2);
			i++;
		} else if (c == '\n') {
			json_put(j, "\\n", 2), i++;
		} else if (c == '\t') {
			json_put(j, "\\t", 2), i++;
		} else if (c == '\r') {
			json_put(j, "\\r", 2), i++;
		} else if (c < 0x20 || c == 0x7F) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			json_put(j, esc, 6);
			i++;
		} else {
			size_t len = utf8_seq_len(s + i, n - i);
			if (len == 0) {
				json_puts(j, "\\ufffd");
				i++;
			} else {
				json_put(j, (const char *)s + i, len);
				i += len;
			}
		}
	}
	json_put(j, "\"", 1);
}

void json_key(struct json *j, const char *key)
{
	if (j->err)
		return;
	if (j->depth == 0 || !j->is_obj[j->depth] || j->after_key || !key) {
		json_fail(j, -EINVAL);
		return;
	}
	if (j->has_items[j->depth])
		json_put(j, ",", 1);
	j->has_items[j->depth] = true;
	json_newline(j);
	json_escaped(j, key, strlen(key));
	json_put(j, j->pretty ? ": " : ":", j->pretty ? 2 : 1);
	j->after_key = true;
}

void json_strn(struct json *j, const char *s, size_t n)
{
	if (json_value_prefix(j))
		json_escaped(j, s, n);
}

void json_str(struct json *j, const char *s)
{
	if (!s)
		json_null(j);
	else
		json_strn(j, s, strlen(s));
}

void json_u64(struct json *j, uint64_t v)
{
	char num[24];
	if (!json_value_prefix(j))
		return;
	snprintf(num, sizeof(num), "%" PRIu64, v);
	json_puts(j, num);
}

void json_i64(struct json *j, int64_t v)
{
	char num[24];
	if (!json_value_prefix(j))
		return;
	snprintf(num, sizeof(num), "%" PRId64, v);
	json_puts(j, num);
}

void json_fixed(struct json *j, uint64_t v, unsigned decimals)
{
	char num[48];
	uint64_t scale = 1;
	if (decimals > 18) {
		json_fail(j, -EINVAL);
		return;
	}
	if (!json_value_prefix(j))
		return;
	for (unsigned i = 0; i < decimals; i++)
		scale *= 10;
	if (decimals == 0)
		snprintf(num, sizeof(num), "%" PRIu64, v);
	else
		snprintf(num, sizeof(num), "%" PRIu64 ".%0*" PRIu64, v / scale, (int)decimals,
			 v % scale);
	json_puts(j, num);
}

void json_bool(struct json *j, bool v)
{
	if (json_value_prefix(j))
		json_puts(j, v ? "true" : "false");
}

void json_null(struct json *j)
{
	if (json_value_prefix(j))
		json_puts(j, "null");
}

void json_kv_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void json_kv_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}

void json_kv_i64(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_i64(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

int json_finish(struct json *j, const char **text, size_t *len)
{
	if (!j->err && (j->depth != 0 || !j->has_items[0] || j->after_key))
		json_fail(j, -EINVAL);
	if (!j->err && j->pretty)
		json_put(j, "\n", 1);
	if (j->err)
		return j->err;
	*text = j->buf;
	*len = j->len;
	return 0;
}
