// SPDX-License-Identifier: GPL-2.0-only
#include "namelog.h"

#include <errno.h>
#include <string.h>

#include "ring.h"

int namelog_add(struct namelog *q, const struct aod_event *rec, size_t n)
{
	size_t cap = sizeof(q->rec) / sizeof(q->rec[0]);

	if (n > cap - q->n)
		return -ENOSPC;
	memcpy(&q->rec[q->n], rec, n * sizeof(*rec));
	q->n += n;
	return 0;
}

size_t namelog_flush(struct namelog *q, struct ring *ring)
{
	size_t put = q->n ? ring_produce(ring, q->rec, q->n) : 0;

	memmove(q->rec, q->rec + put, (q->n - put) * sizeof(q->rec[0]));
	q->n -= put;
	return put;
}
