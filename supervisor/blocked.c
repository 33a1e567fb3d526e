// SPDX-License-Identifier: GPL-2.0-only
#include "blocked.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smb_tables.h"

struct blocked_out {
	char *buf;
	size_t cap, len;
	bool full;
	unsigned tasks;
};

static void out(struct blocked_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(struct blocked_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->full = true;
		return;
	}
	o->len += (size_t)n;
}

/* A small /proc file, NUL-free and terminated; "" when unreadable. */
static void read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, cap - 1);

	if (fd >= 0)
		close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
}

/* State letter and comm from .../stat ("pid (comm) S ..."; comm may hold
 * spaces and parentheses: the last ')' ends it). */
static bool task_state(const char *dir, char *state, char *comm, size_t ccap)
{
	char path[320], st[512];
	char *l, *r;

	snprintf(path, sizeof(path), "%s/stat", dir);
	read_small(path, st, sizeof(st));
	l = strchr(st, '(');
	r = strrchr(st, ')');
	if (!l || !r || r < l || r[1] != ' ' || !r[2])
		return false;
	snprintf(comm, ccap, "%.*s", (int)(r - l - 1), l + 1);
	*state = r[2];
	return true;
}

/* The in-flight worst request of this process, if any. */
static const struct proto_worst *inflight_of(const struct proto_anomaly *a, unsigned long pid)
{
	for (unsigned i = 0; i < a->n_worst && i < PROTO_WORST; i++)
		if (a->worst[i].in_flight && a->worst[i].pid == pid)
			return &a->worst[i];
	return NULL;
}

static void one_task(struct blocked_out *o, const char *dir, unsigned long pid, unsigned long tid,
		     char state, const char *comm, const struct proto_worst *w)
{
	char path[320], wchan[128], stack[4096];
	const char *cmd;

	snprintf(path, sizeof(path), "%s/wchan", dir);
	read_small(path, wchan, sizeof(wchan));
	snprintf(path, sizeof(path), "%s/stack", dir);
	read_small(path, stack, sizeof(stack));
	out(o, "pid %lu tid %lu comm %s state %c wchan %s\n", pid, tid, comm, state, wchan[0] ? wchan : "?");
	if (w) {
		cmd = smb2_command_name(w->command);
		out(o, "  request in flight: %s, waiting %" PRIu64 " ms (when the anomaly was raised)%s%s\n",
		    cmd ? cmd : "?", w->latency_ns / 1000000u, w->share[0] ? " on " : "", w->share);
	} else {
		out(o, "  blocked for: not known (no request of it in flight)\n");
	}
	out(o, "%s%s\n", stack[0] ? stack : "  (no stack: not readable)\n", "");
	o->tasks++;
}

static void one_process(struct blocked_out *o, const char *proc, unsigned long pid, const struct proto_anomaly *a)
{
	const struct proto_worst *w = inflight_of(a, pid);
	char tdir[128];
	DIR *d;
	struct dirent *de;

	snprintf(tdir, sizeof(tdir), "%s/%lu/task", proc, pid);
	d = opendir(tdir);
	if (!d)
		return;
	while ((de = readdir(d)) != NULL && o->tasks < BLOCKED_MAX_TASKS && !o->full) {
		char dir[160], comm[64], state;
		char *end;
		unsigned long tid = strtoul(de->d_name, &end, 10);

		if (!isdigit((unsigned char)de->d_name[0]) || *end)
			continue;
		snprintf(dir, sizeof(dir), "%s/%lu", tdir, tid);
		if (!task_state(dir, &state, comm, sizeof(comm)))
			continue;
		if (state == 'D' || w)
			one_task(o, dir, pid, tid, state, comm, w);
	}
	closedir(d);
}

size_t blocked_snapshot(const char *proc, const struct proto_anomaly *a, char *buf, size_t cap)
{
	struct blocked_out o = { .buf = buf, .cap = cap };
	DIR *d = opendir(proc);
	struct dirent *de;

	if (cap == 0)
		return 0;
	buf[0] = '\0';
	out(&o, "# tasks in uninterruptible sleep (D) and the threads of processes with a request in flight,\n"
		"# read when the supervisor routed anomaly %s (aod_%" PRIu64 ")\n\n", a->name, a->timestamp_ns);
	if (!d) {
		out(&o, "cannot list %s: %s\n", proc, strerror(errno));
		return o.len;
	}
	while ((de = readdir(d)) != NULL && o.tasks < BLOCKED_MAX_TASKS && !o.full) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);

		if (isdigit((unsigned char)de->d_name[0]) && !*end)
			one_process(&o, proc, pid, a);
	}
	closedir(d);
	if (o.full || o.tasks >= BLOCKED_MAX_TASKS) {
		o.full = false;
		if (o.len + 64 > cap)
			o.len = cap > 64 ? cap - 64 : 0;
		out(&o, "\n# truncated: at most %u tasks and %zu bytes\n", BLOCKED_MAX_TASKS, cap);
	}
	return o.len;
}
