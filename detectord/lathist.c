// SPDX-License-Identifier: GPL-2.0-only
#include "lathist.h"

uint64_t lathist_bucket_low(unsigned b)
{
	if (b < 2 * LATHIST_SUB)
		return b;
	unsigned shift = (b >> LATHIST_SUB_BITS) - 1u;
	uint64_t mant = (b & (LATHIST_SUB - 1u)) + LATHIST_SUB;
	return mant << shift;
}

uint64_t lathist_bucket_high(unsigned b)
{
	if (b < 2 * LATHIST_SUB)
		return b;
	unsigned shift = (b >> LATHIST_SUB_BITS) - 1u;
	return lathist_bucket_low(b) + ((1ull << shift) - 1u);
}

uint64_t lathist_rank(uint64_t n, unsigned pct)
{
	/* n * pct can overflow only past 1.8e17 values: not reachable in one
	 * window, but fall back to the division-first form to stay exact-ish. */
	if (n > UINT64_MAX / 100u)
		return n / 100u * pct;
	uint64_t r = (n * pct + 99u) / 100u;
	return r ? r : 1u;
}

uint64_t lathist_percentile(const struct lathist *h, unsigned pct)
{
	uint64_t total = 0;
	for (unsigned b = 0; b < LATHIST_BUCKETS; b++)
		total += h->bucket[b];
	if (total == 0)
		return 0;
	uint64_t rank = lathist_rank(total, pct), seen = 0;
	for (unsigned b = 0; b < LATHIST_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= rank)
			return lathist_bucket_high(b);
	}
	return lathist_bucket_high(LATHIST_BUCKETS - 1u);
}
