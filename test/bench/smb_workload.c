// SPDX-License-Identifier: GPL-2.0-only
/*
 * A fixed small-I/O workload for the probe overhead figure (the VM
 * scenario test/vm/scenarios/bench-probes.sh): in DIR, for SECONDS, rounds
 * of create + write 4 KiB + fsync + close, open + read + close, stat,
 * unlink; every step is at least one SMB request on a cifs mount with
 * cache=none. Prints "ops N seconds S ops_per_s R".
 *
 * Usage: smb_workload DIR SECONDS
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One round; returns the operations done, or -1 on a failure. */
static int round_once(const char *path, char *buf, size_t len)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, buf, len) != (ssize_t)len || fsync(fd) < 0 || close(fd) < 0)
		return -1;
	fd = open(path, O_RDONLY);
	if (fd < 0 || read(fd, buf, len) != (ssize_t)len || close(fd) < 0)
		return -1;
	if (stat(path, &st) < 0 || unlink(path) < 0)
		return -1;
	return 9; /* open, write, fsync, close, open, read, close, stat, unlink */
}

int main(int argc, char **argv)
{
	char path[4096], buf[4096];
	unsigned long ops = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: smb_workload DIR SECONDS\n");
		return 2;
	}
	double secs = atof(argv[2]);
	snprintf(path, sizeof(path), "%s/aod-workload.%d", argv[1], (int)getpid());
	memset(buf, 'a', sizeof(buf));
	double t0 = now_s(), t;
	do {
		int n = round_once(path, buf, sizeof(buf));
		if (n < 0) {
			perror(path);
			return 1;
		}
		ops += (unsigned long)n;
		t = now_s();
	} while (t - t0 < secs);
	printf("ops %lu seconds %.3f ops_per_s %.1f\n", ops, t - t0, (double)ops / (t - t0));
	return 0;
}
