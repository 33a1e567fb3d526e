/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the config lets the kernel side filter: the probes' options derived
 * from the anomalies. Promises that no event an anomaly could act on is
 * filtered (its thresholds and its emergency bound), so pushing work into
 * the kernel never changes what detectord decides.
 */
#ifndef SUP_PROBE_FILTER_H
#define SUP_PROBE_FILTER_H

#include "config.h"
#include "probes.h"

void probe_filter_from_config(const struct aod_config *cfg, struct probes_opts *o);
/* Widens o to also pass everything `also` passes: while a reload reaches
 * detectord, the kernel must emit what either configuration acts on. */
void probe_filter_union(struct probes_opts *o, const struct probes_opts *also);

#endif
