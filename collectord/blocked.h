/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The blocked_tasks snapshots the supervisor hands collectord
 * (PROTO_BLOCKED_TASKS, sent just before the anomaly it belongs to): the
 * last BLOCKED_KEEP of them, by the anomaly's timestamp, until a collection
 * takes its own. Reading other tasks' kernel stacks needs CAP_SYS_ADMIN and
 * ptrace rights, which collectord does not get: the root supervisor reads
 * them (aodv2-supervisor(8), PRIVILEGES).
 */
#ifndef AOD_COLLECTORD_BLOCKED_H
#define AOD_COLLECTORD_BLOCKED_H

#include <stddef.h>
#include <stdint.h>

#define BLOCKED_KEEP 4

struct blocked_store {
	struct {
		uint64_t timestamp_ns;
		char *text;
		size_t len;
	} s[BLOCKED_KEEP];
	unsigned next;
};

/* Keeps a copy (the oldest kept one makes room). 0 or -ENOMEM. */
int blocked_store_put(struct blocked_store *b, uint64_t timestamp_ns, const char *text, size_t len);
/* Hands over the snapshot of that anomaly (the caller frees it), or NULL. */
char *blocked_store_take(struct blocked_store *b, uint64_t timestamp_ns, size_t *len);
void blocked_store_free(struct blocked_store *b);

#endif
