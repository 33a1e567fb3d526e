// SPDX-License-Identifier: GPL-2.0-only
#include "cooldown.h"

#include <stdio.h>
#include <string.h>

static int cooldown_find(const struct cooldowns *c, const char *name, const char *key)
{
	for (unsigned i = 0; i < c->n; i++)
		if (strncmp(c->e[i].name, name, PROTO_NAME_LEN) == 0 &&
		    strncmp(c->e[i].key, key, PROTO_SHARE_LEN) == 0)
			return (int)i;
	return -1;
}

const char *cooldown_key_of(const struct proto_anomaly *a)
{
	if (a->scope == PROTO_SCOPE_SHARE)
		return a->share;
	return a->scope == PROTO_SCOPE_SERVER ? a->server : "";
}

/* A free entry, or the one whose last anomaly is the oldest. */
static unsigned cooldown_slot(struct cooldowns *c)
{
	unsigned oldest = 0;

	if (c->n < COOLDOWN_MAX)
		return c->n++;
	for (unsigned i = 1; i < c->n; i++)
		if (c->e[i].last_ns < c->e[oldest].last_ns)
			oldest = i;
	return oldest;
}

bool cooldown_admit(struct cooldowns *c, const char *name, const char *key, uint64_t ts_ns,
		    uint64_t cooldown_ns)
{
	if (!key)
		key = "";
	int i = cooldown_find(c, name, key);

	if (!cooldown_ns)
		return true;
	if (i >= 0) {
		uint64_t last = c->e[i].last_ns;
		uint64_t gap = ts_ns > last ? ts_ns - last : last - ts_ns;
		if (gap < cooldown_ns) {
			c->dropped++;
			return false;
		}
	} else {
		i = (int)cooldown_slot(c);
		snprintf(c->e[i].name, sizeof(c->e[i].name), "%s", name);
		snprintf(c->e[i].key, sizeof(c->e[i].key), "%s", key);
	}
	c->e[i].last_ns = ts_ns;
	return true;
}
