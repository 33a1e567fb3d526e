// SPDX-License-Identifier: GPL-2.0-only
#include "action_caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <string.h>

#include "config.h"

/*
 * Why each action needs what it needs (collectord runs as the service user):
 *  - dmesg reads the kernel log, closed by kernel.dmesg_restrict: CAP_SYSLOG.
 *  - journalctl reads the system journal, readable by root and a few groups
 *    only; syslogs reads /var/log/syslog (root:adm 0640); stats reads
 *    /proc/fs/cifs/open_files (0400 root); smbinfo opens each cifs mount point,
 *    which may deny search to others: CAP_DAC_READ_SEARCH (read-only bypass).
 *  - tcpdump opens a packet socket: CAP_NET_RAW.
 *  - debugdata (/proc/fs/cifs/DebugData 0444) and mounts need nothing.
 */
static const struct {
	const char *name;
	int caps[2];
	int ncaps;
} action_caps_table[] = {
	{ "dmesg", { CAP_SYSLOG }, 1 },
	{ "journalctl", { CAP_DAC_READ_SEARCH }, 1 },
	{ "debugdata", { 0 }, 0 },
	{ "stats", { CAP_DAC_READ_SEARCH }, 1 },
	{ "mounts", { 0 }, 0 },
	{ "smbinfo", { CAP_DAC_READ_SEARCH }, 1 },
	{ "syslogs", { CAP_DAC_READ_SEARCH }, 1 },
	{ "tcpdump", { CAP_NET_RAW }, 1 },
	/* the root supervisor reads the stacks (CAP_SYS_ADMIN + ptrace rights,
	 * which collectord must not have) and hands collectord the text */
	{ "blocked_tasks", { 0 }, 0 },
};

#define ACTION_CAPS_N (sizeof(action_caps_table) / sizeof(action_caps_table[0]))

/* The flight recorder's parts (collectord/flightrec.h), not names
 * watcher.actions takes: the snapshots read /proc/fs/cifs/open_files like
 * stats; the others read fds the supervisor passes, or run ss (no privilege
 * for inet_diag). */
static const struct {
	const char *name;
	int cap; /* -1: none */
} recorder_caps_table[] = {
	{ "snapshot", CAP_DAC_READ_SEARCH }, { "snapshot-end", CAP_DAC_READ_SEARCH },
	{ "tcp", -1 }, { "events", -1 }, { "cifs-trace", -1 }, { "packets", -1 },
};

static int action_caps_index(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < ACTION_CAPS_N; i++)
		if (strcmp(action_caps_table[i].name, name) == 0)
			return (int)i;
	return -1;
}

bool action_known(const char *name)
{
	return action_caps_index(name) >= 0;
}

int action_caps(const char *name, int *caps, size_t max)
{
	int i = action_caps_index(name);
	for (size_t r = 0; i < 0 && name && r < sizeof(recorder_caps_table) / sizeof(recorder_caps_table[0]); r++) {
		if (strcmp(recorder_caps_table[r].name, name) != 0)
			continue;
		if (recorder_caps_table[r].cap < 0 || max == 0)
			return 0;
		caps[0] = recorder_caps_table[r].cap;
		return 1;
	}
	if (i < 0)
		return -EINVAL;
	int n = 0;
	for (int k = 0; k < action_caps_table[i].ncaps && (size_t)n < max; k++)
		caps[n++] = action_caps_table[i].caps[k];
	return n;
}

static bool action_caps_has(const int *caps, int n, int cap)
{
	for (int i = 0; i < n; i++)
		if (caps[i] == cap)
			return true;
	return false;
}

int action_caps_for_config(const struct aod_config *cfg, int *caps, size_t max)
{
	static char *const snapshots[] = { "snapshot" };
	int n = action_caps_union(cfg->actions, cfg->n_actions, caps, max);
	int more[4];
	int m = cfg->recorder.snapshots ? action_caps_union(snapshots, 1, more, 4) : 0;
	for (int k = 0; k < m; k++)
		if (!action_caps_has(caps, n, more[k]) && (size_t)n < max)
			caps[n++] = more[k];
	return n;
}

int action_caps_union(char *const *actions, unsigned n, int *caps, size_t max)
{
	int count = 0;
	for (unsigned a = 0; a < n; a++) {
		int mine[4];
		int m = action_caps(actions[a], mine, 4);
		for (int k = 0; k < m; k++)
			if (!action_caps_has(caps, count, mine[k]) && (size_t)count < max)
				caps[count++] = mine[k];
	}
	return count;
}
