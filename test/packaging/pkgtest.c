// SPDX-License-Identifier: GPL-2.0-only
#include "pkgtest.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *pkgtest_read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, len = 0, got;

	ck_assert_msg(f, "cannot open %s: %s", path, strerror(errno));
	do {
		if (cap - len < 4097) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			ck_assert(buf);
		}
		got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
	} while (got > 0);
	ck_assert_msg(!ferror(f), "reading %s failed", path);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

char **pkgtest_lines(char *text, size_t *n)
{
	char *save = NULL, **lines = NULL;

	*n = 0;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		lines = realloc(lines, (*n + 1) * sizeof(*lines));
		ck_assert(lines);
		lines[(*n)++] = l;
	}
	return lines;
}
