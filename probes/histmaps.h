/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reads the probes' metrics maps (probes_abi.h: aod_hist, aod_errs,
 * aod_metrics_overflow) into one summed-over-CPUs snapshot (probes.h's
 * struct probes_metrics). Private to probes/ and its tests.
 */
#ifndef AOD_PROBES_HISTMAPS_H
#define AOD_PROBES_HISTMAPS_H

#include "probes.h"

/* 0 or -errno; on error *out holds nothing to free. */
int histmaps_read(int hist_fd, int errs_fd, int ovf_fd, struct probes_metrics *out);

#endif
