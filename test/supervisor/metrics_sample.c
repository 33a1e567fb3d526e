// SPDX-License-Identifier: GPL-2.0-only
/* Prints the exposition of test/supervisor/metrics_sample.h on stdout (for
 * promtool and the dashboard test). */
#include <stdio.h>

#include "metrics_sample.h"

int main(void)
{
	static struct sample x;

	sample_init(&x);
	if (metrics_render(&x.snap, stdout) != 0 || fflush(stdout) != 0 || ferror(stdout))
		return 1;
	return 0;
}
