/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which capabilities each QuickAction needs, so the supervisor can start
 * collectord with exactly the union its configured actions need, and
 * collectord can give each helper program only its own (as ambient caps).
 * The flight recorder's parts have entries too, but are no config names.
 */
#ifndef AOD_ACTION_CAPS_H
#define AOD_ACTION_CAPS_H

#include <stdbool.h>
#include <stddef.h>

/* True when name is a QuickAction collectord implements. */
bool action_known(const char *name);
/* Writes the CAP_* numbers action needs into caps (up to max); returns the
 * count, or -EINVAL for an unknown action. */
int action_caps(const char *name, int *caps, size_t max);
/* Union over a list of actions, without duplicates; returns the count. */
int action_caps_union(char *const *actions, unsigned n, int *caps, size_t max);
/* What collectord needs for cfg: its watcher.actions and the flight
 * recorder's parts it runs (action_caps knows their names too). */
struct aod_config;
int action_caps_for_config(const struct aod_config *cfg, int *caps, size_t max);

#endif
