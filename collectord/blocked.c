// SPDX-License-Identifier: GPL-2.0-only
#include "blocked.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int blocked_store_put(struct blocked_store *b, uint64_t ts, const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	free(b->s[b->next].text);
	b->s[b->next].timestamp_ns = ts;
	b->s[b->next].text = copy;
	b->s[b->next].len = len;
	b->next = (b->next + 1u) % BLOCKED_KEEP;
	return 0;
}

char *blocked_store_take(struct blocked_store *b, uint64_t ts, size_t *len)
{
	for (unsigned i = 0; i < BLOCKED_KEEP; i++) {
		if (b->s[i].text && b->s[i].timestamp_ns == ts) {
			char *t = b->s[i].text;
			*len = b->s[i].len;
			b->s[i].text = NULL;
			return t;
		}
	}
	return NULL;
}

void blocked_store_free(struct blocked_store *b)
{
	for (unsigned i = 0; i < BLOCKED_KEEP; i++) {
		free(b->s[i].text);
		b->s[i].text = NULL;
	}
}
