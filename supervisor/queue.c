// SPDX-License-Identifier: GPL-2.0-only
#include "queue.h"

bool queue_push(struct anomaly_queue *q, const struct proto_anomaly *a)
{
	if (q->count == ANOMALY_QUEUE_CAP) {
		q->dropped++;
		return false;
	}
	q->items[(q->head + q->count) % ANOMALY_QUEUE_CAP] = *a;
	q->count++;
	return true;
}

const struct proto_anomaly *queue_peek(const struct anomaly_queue *q)
{
	return q->count ? &q->items[q->head] : (const struct proto_anomaly *)0;
}

void queue_pop(struct anomaly_queue *q)
{
	if (!q->count)
		return;
	q->head = (q->head + 1) % ANOMALY_QUEUE_CAP;
	q->count--;
}
