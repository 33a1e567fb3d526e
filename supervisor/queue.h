/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bounded queue of anomalies waiting for collectord (while it starts,
 * restarts, or its socket is full). When full, the newest anomaly is
 * dropped and counted: the oldest ones mark the start of an incident.
 */
#ifndef SUP_QUEUE_H
#define SUP_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "proto.h"

#define ANOMALY_QUEUE_CAP 64

struct anomaly_queue {
	struct proto_anomaly items[ANOMALY_QUEUE_CAP];
	unsigned head, count;
	uint64_t dropped;
};

/* Returns false (and counts a drop) when the queue is full. */
bool queue_push(struct anomaly_queue *q, const struct proto_anomaly *a);
const struct proto_anomaly *queue_peek(const struct anomaly_queue *q);
void queue_pop(struct anomaly_queue *q);

#endif
