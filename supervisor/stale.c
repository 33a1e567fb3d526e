// SPDX-License-Identifier: GPL-2.0-only
#include "stale.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool stale_owner_gone(const char *name, const char *prefix)
{
	size_t plen = strlen(prefix);
	char *end, path[64], comm[32] = "";

	if (strncmp(name, prefix, plen) != 0 || name[plen] < '1' || name[plen] > '9')
		return false;
	long pid = strtol(name + plen, &end, 10);
	if (*end || pid <= 0 || pid > 4194304 || pid == (long)getpid())
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	ssize_t n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	if (n <= 0)
		return true;
	comm[n] = '\0';
	/* comm is cut at 15 characters: "aodv2-superviso" */
	return strncmp(comm, "aodv2-superviso", 15) != 0;
}
