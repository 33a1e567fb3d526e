/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writing the Prometheus text exposition format (version 0.0.4, what
 * node_exporter's textfile collector and `promtool check metrics` read):
 * a family's HELP and TYPE lines, samples with labels, and log2 histograms.
 * Promise: label values are escaped (backslash, double quote, newline) and
 * invalid UTF-8 is replaced by '?', so any bytes make a valid exposition;
 * names are the caller's constants. Output goes to a stdio stream (a file
 * or open_memstream); the caller checks ferror() once at the end.
 */
#ifndef AOD_OPENMETRICS_H
#define AOD_OPENMETRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct om_label {
	const char *name;
	const char *value;
};

/* "# HELP name help" and "# TYPE name type" (type: counter, gauge, histogram). */
void om_family(FILE *f, const char *name, const char *type, const char *help);
/* Writes v as a label value, quotes included. */
void om_label_value(FILE *f, const char *v);
/* name{labels} value */
void om_sample(FILE *f, const char *name, const struct om_label *l, size_t nl, uint64_t value);
void om_sample_double(FILE *f, const char *name, const struct om_label *l, size_t nl, double value);

/*
 * One histogram series from log2 slots of microseconds (slot i: [2^i,
 * 2^(i+1)) us; the last slot is unbounded): name_bucket{...,le="2^(i+1) us
 * in seconds"} cumulative for every slot but the last, le="+Inf", then
 * name_sum (seconds) and name_count.
 */
void om_histogram_log2_us(FILE *f, const char *name, const struct om_label *l, size_t nl,
			  const uint64_t *slots, size_t nslots, uint64_t sum_us);

#endif
