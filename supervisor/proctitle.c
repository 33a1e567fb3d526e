// SPDX-License-Identifier: GPL-2.0-only
#include "proctitle.h"

#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

static char **argv_copy(int argc, char **argv)
{
	char **copy = calloc((size_t)argc + 1, sizeof(*copy));
	if (!copy)
		return NULL;
	for (int i = 0; i < argc; i++) {
		copy[i] = strdup(argv[i]);
		if (!copy[i]) {
			proctitle_free(i, copy);
			return NULL;
		}
	}
	return copy;
}

char **proctitle_set(int argc, char **argv, const char *name)
{
	char **copy = argv_copy(argc, argv);
	if (!copy)
		return NULL;
	prctl(PR_SET_NAME, name, 0, 0, 0);

	/* The kernel shows the contiguous area from argv[0] to the end of the
	 * last argument; rewrite it as "name\0arg1\0..." only when it fits. */
	char *start = argv[0], *end = argv[argc - 1] + strlen(argv[argc - 1]);
	size_t need = strlen(name) + 1;
	for (int i = 1; i < argc; i++)
		need += strlen(argv[i]) + 1;
	if (need > (size_t)(end - start) + 1)
		return copy;
	char *p = start;
	memcpy(p, name, strlen(name) + 1);
	p += strlen(name) + 1;
	for (int i = 1; i < argc; i++) {
		size_t n = strlen(copy[i]) + 1;
		memcpy(p, copy[i], n);
		p += n;
	}
	if (p <= end)
		memset(p, 0, (size_t)(end - p) + 1);
	return copy;
}

void proctitle_free(int argc, char **copy)
{
	if (!copy)
		return;
	for (int i = 0; i < argc; i++)
		free(copy[i]);
	free(copy);
}
