// SPDX-License-Identifier: GPL-2.0-only
/*
 * A fake QuickAction program for test_collector: reports how collectord
 * started it - argv, environment, stdin, open descriptors, process group,
 * blocked and ignored signals, capabilities - one "key: value" line each.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static void status_line(const char *key)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ':')
			fputs(line, stdout);
	fclose(f);
}

int main(int argc, char **argv)
{
	char target[256];
	ssize_t n;

	printf("argv:");
	for (int i = 0; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	for (char **e = environ; *e; e++)
		printf("env: %s\n", *e);
	n = readlink("/proc/self/fd/0", target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	printf("stdin: %s\n", target);
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 1;
	printf("fds:");
	struct dirent *de;
	int fds[64], nfds = 0;
	while ((de = readdir(d)) != NULL && nfds < 64)
		if (de->d_name[0] != '.' && atoi(de->d_name) != dirfd(d))
			fds[nfds++] = atoi(de->d_name);
	closedir(d);
	for (int i = 0; i < nfds; i++) /* in order: readdir gives no promise */
		for (int j = i + 1; j < nfds; j++)
			if (fds[j] < fds[i]) {
				int t = fds[i];
				fds[i] = fds[j];
				fds[j] = t;
			}
	for (int i = 0; i < nfds; i++)
		printf(" %d", fds[i]);
	printf("\nleader: %s\n", getpgrp() == getpid() ? "yes" : "no");
	status_line("SigBlk");
	status_line("SigIgn");
	status_line("CapEff");
	status_line("CapAmb");
	return fflush(stdout) == 0 ? 0 : 1;
}
