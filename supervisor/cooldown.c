// SPDX-License-Identifier: GPL-2.0-only
#include "cooldown.h"

#include <stdio.h>
#include <string.h>

static int cooldown_find(const struct cooldowns *c, const char *name)
{
	for (unsigned i = 0; i < c->n; i++)
		if (strncmp(c->e[i].name, name, PROTO_NAME_LEN) == 0)
			return (int)i;
	return -1;
}

/* A free entry, or the one whose last anomaly is the oldest. */
static unsigned cooldown_slot(struct cooldowns *c)
{
	unsigned oldest = 0;

	if (c->n < PROTO_MAX_ANOMALIES)
		return c->n++;
	for (unsigned i = 1; i < c->n; i++)
		if (c->e[i].last_ns < c->e[oldest].last_ns)
			oldest = i;
	return oldest;
}

bool cooldown_admit(struct cooldowns *c, const char *name, uint64_t ts_ns, uint64_t cooldown_ns)
{
	int i = cooldown_find(c, name);

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
	}
	c->e[i].last_ns = ts_ns;
	return true;
}
