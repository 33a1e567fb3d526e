/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A log-linear latency histogram: values below 64 have a bucket each, larger
 * values fall into one of 32 buckets per power of two, so a bucket is never
 * wider than 1/32 (3.1 %) of the values it holds. Fixed size, no allocation;
 * adding a value is a count-leading-zeros, a shift and an increment.
 *
 * Promise: lathist_percentile() returns the largest value of the bucket that
 * holds the nearest-rank percentile, so it is at most 3.1 % above the exact
 * nearest-rank value and never below it.
 */
#ifndef AOD_LATHIST_H
#define AOD_LATHIST_H

#include <stdint.h>

#define LATHIST_SUB_BITS 5u
#define LATHIST_SUB (1u << LATHIST_SUB_BITS)
/* shifts 0..58 of 64-bit values, each with LATHIST_SUB buckets, after the
 * LATHIST_SUB exact ones */
#define LATHIST_BUCKETS ((64u - LATHIST_SUB_BITS) * LATHIST_SUB + LATHIST_SUB)

struct lathist {
	uint32_t bucket[LATHIST_BUCKETS]; /* saturating counts */
};

static inline unsigned lathist_bucket(uint64_t v)
{
	if (v < 2 * LATHIST_SUB)
		return (unsigned)v;
	unsigned shift = 63u - (unsigned)__builtin_clzll(v) - LATHIST_SUB_BITS;
	return (shift << LATHIST_SUB_BITS) + (unsigned)(v >> shift);
}

static inline void lathist_add(struct lathist *h, uint64_t v)
{
	uint32_t *b = &h->bucket[lathist_bucket(v)];
	if (*b != UINT32_MAX)
		(*b)++;
}

/* The smallest and the largest value that land in bucket b. */
uint64_t lathist_bucket_low(unsigned b);
uint64_t lathist_bucket_high(unsigned b);

/* Nearest-rank percentile (pct in (0, 100]) of the values added, or 0 when
 * the histogram is empty. */
uint64_t lathist_percentile(const struct lathist *h, unsigned pct);

/* Nearest rank of pct in n values (1-based): ceil(pct * n / 100). */
uint64_t lathist_rank(uint64_t n, unsigned pct);

#endif
