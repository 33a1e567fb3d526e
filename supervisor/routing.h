/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Messages from workers, validated before use, and the hub-and-spoke routing:
 * detectord's anomalies go to collectord (queued, bounded, while it is not
 * ready or its socket is full), collectord's COLLECTION_DONE makes sweeperd
 * sweep. A message a worker may not send, or one that fails validation, gets
 * that worker killed and restarted.
 */
#ifndef SUP_ROUTING_H
#define SUP_ROUTING_H

#include "children.h"
#include "proto.h"

struct sup;

/* Socket readiness of a worker (EPOLLIN / EPOLLOUT / errors). */
void routing_on_worker_io(struct loop_watch *lw, uint32_t events);
/* Queues an anomaly for collectord and tries to deliver. */
void routing_anomaly(struct sup *s, const struct proto_anomaly *a);
/* Delivers queued anomalies while collectord is ready and accepts them. */
void routing_flush(struct sup *s);

#endif
