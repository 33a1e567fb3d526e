// SPDX-License-Identifier: GPL-2.0-only
#include "tracetime.h"

#include <errno.h>
#include <string.h>

int tracetime_parse(const char *line, uint64_t *ns)
{
	const char *cpu = strstr(line, "] ");
	const char *colon = cpu ? strstr(cpu, ": ") : NULL;
	if (!colon)
		return -EINVAL;
	const char *p = colon, *dot = NULL;
	while (p > cpu && ((p[-1] >= '0' && p[-1] <= '9') || (p[-1] == '.' && !dot))) {
		if (p[-1] == '.')
			dot = p - 1;
		p--;
	}
	size_t frac = dot ? (size_t)(colon - dot - 1) : 0;
	if (!dot || dot == p || (frac != 6 && frac != 9) || dot - p > 12)
		return -EINVAL;
	uint64_t secs = 0, sub = 0;
	for (const char *q = p; q < dot; q++)
		secs = secs * 10 + (uint64_t)(*q - '0');
	for (const char *q = dot + 1; q < colon; q++)
		sub = sub * 10 + (uint64_t)(*q - '0');
	*ns = secs * 1000000000ull + (frac == 6 ? sub * 1000u : sub);
	return 0;
}
