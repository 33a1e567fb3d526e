// SPDX-License-Identifier: GPL-2.0-only
#include "readall.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define READALL_FIRST 65536u

/* The next capacity: doubled, never past max. */
static size_t readall_grow(size_t cap, size_t max)
{
	return cap > max / 2 ? max : cap * 2;
}

int readall_fd(int fd, size_t max, char **out, size_t *len)
{
	size_t cap = max < READALL_FIRST ? max : READALL_FIRST, n = 0;
	char *buf = malloc(cap + 1);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap == max)
				break;
			size_t ncap = readall_grow(cap, max);
			char *nb = realloc(buf, ncap + 1);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;
			free(buf);
			return err;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}
