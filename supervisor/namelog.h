/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Share-name records (ev_where.h) that found the shared ring full. A name
 * must reach detectord before the events it names, and a name lost to a
 * full ring used to stay lost until detectord restarted: the backlog keeps
 * what did not fit, and namelog_flush puts it into the ring, oldest first,
 * before the source produces anything else (the source then produces events
 * only once the backlog is empty, so the order holds). Bounded: room for
 * NAMELOG_MAX_NAMES names of the longest kind (more of shorter ones); a
 * name that does not fit is refused whole (-ENOSPC), so a partial name
 * never enters the stream.
 */
#ifndef AOD_NAMELOG_H
#define AOD_NAMELOG_H

#include <stdbool.h>
#include <stddef.h>

#include "aod_event.h"
#include "ev_where.h"

struct ring;

#define NAMELOG_MAX_NAMES 16

struct namelog {
	struct aod_event rec[NAMELOG_MAX_NAMES * EV_WHERE_RECORDS_MAX];
	size_t n;
};

/* Queues n records of one name behind the backlog: 0 or -ENOSPC. */
int namelog_add(struct namelog *q, const struct aod_event *rec, size_t n);
/* Produces the backlog into ring as far as it fits; returns the records
 * produced. The backlog is empty afterwards only if all fitted. */
size_t namelog_flush(struct namelog *q, struct ring *ring);
static inline bool namelog_empty(const struct namelog *q)
{
	return q->n == 0;
}

#endif
