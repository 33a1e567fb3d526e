// SPDX-License-Identifier: GPL-2.0-only
/* A fake QuickAction for the benchmark: prints CLOCK_MONOTONIC in ns the
 * moment it runs, so the benchmark sees when the helper really started. */
#include <stdio.h>
#include <time.h>

int main(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	return 0;
}
