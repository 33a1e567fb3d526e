/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Names that carry the pid of the supervisor that made them
 * (<prefix><pid>): the flight recorder's tracefs instance and ring
 * directory. One whose supervisor no longer runs is stale.
 */
#ifndef SUP_STALE_H
#define SUP_STALE_H

#include <stdbool.h>

/* True when name is <prefix><pid>, pid is not this process, and no
 * aodv2-supervisor runs as pid. */
bool stale_owner_gone(const char *name, const char *prefix);

#endif
