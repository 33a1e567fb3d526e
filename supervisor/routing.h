/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Messages from workers, validated before use, and the hub-and-spoke routing:
 * detectord's anomalies go to collectord (queued, bounded, while it is not
 * ready or its socket is full), collectord's COLLECTION_DONE makes sweeperd
 * sweep. A message a worker may not send, or one that fails validation, gets
 * that worker killed and restarted. What follows from a message for the
 * supervisor's lifecycle is settled by the loop (settle.h), not here.
 */
#ifndef SUP_ROUTING_H
#define SUP_ROUTING_H

#include <stdbool.h>

#include "loop.h"
#include "proto.h"

struct sup;
struct worker;
struct msg;

/* Socket readiness of a worker (EPOLLIN / EPOLLOUT / errors). */
void routing_on_worker_io(struct loop_watch *lw, uint32_t events);
/* Queues an anomaly for collectord and tries to deliver. */
void routing_anomaly(struct sup *s, const struct proto_anomaly *a);
/* Delivers queued anomalies while collectord is ready and accepts them. */
void routing_flush(struct sup *s);

/* The worker table's hooks (worker_table.c). */
bool routing_from_detector(struct worker *w, const struct msg *m);
bool routing_from_collector(struct worker *w, const struct msg *m);
/* A (re)started detectord gets the cooldowns the supervisor keeps. */
void routing_detector_cooldowns(struct worker *w);
/* collectord died: the collections it had in hand failed. */
void routing_collector_gone(struct worker *w);
/* collectord is not told to stop while anomalies wait for it to be ready. */
bool routing_collector_hold(struct worker *w);

#endif
