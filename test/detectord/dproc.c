// SPDX-License-Identifier: GPL-2.0-only
#include "dproc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aod_build.h"

uint64_t dproc_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void dproc_sleep_until(uint64_t mono_ns)
{
	struct timespec ts = { .tv_sec = (time_t)(mono_ns / 1000000000u),
			       .tv_nsec = (long)(mono_ns % 1000000000u) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

const char *dproc_binary(void)
{
	const char *bin = getenv("AOD_DETECTORD_BIN");

	return bin ? bin : AOD_BUILD_ROOT "/detectord/aodv2-detectord";
}

const char *dproc_user(void)
{
	static char name[64];
	struct passwd *pw;

	if (geteuid() == 0)
		return "nobody";
	pw = getpwuid(geteuid());
	snprintf(name, sizeof(name), "%s", pw ? pw->pw_name : "nobody");
	return name;
}

/* In the child: fds 3-6 as the supervisor passes them, then exec. */
static void __attribute__((noreturn)) dproc_exec(const int fds[4])
{
	int high[4];

	for (int i = 0; i < 4; i++)
		if ((high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 64)) < 0)
			_exit(127);
	for (int i = 0; i < 4; i++)
		if (dup2(high[i], MSG_WORKER_FD + i) < 0)
			_exit(127);
	/* LeakSanitizer cannot run in a process that dropped privileges. */
	setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
	execl(dproc_binary(), "aodv2-detectord", "-f", "--user", dproc_user(), (char *)NULL);
	_exit(127);
}

int dproc_start(struct dproc *p, uint32_t ring_capacity)
{
	int sv[2], fds[4], r;

	memset(p, 0, sizeof(*p));
	p->sock = -1;
	p->m = calloc(1, sizeof(*p->m));
	if (!p->m)
		return -ENOMEM;
	r = ring_create(ring_capacity, &p->ring);
	if (r < 0)
		return r;
	if (msg_socketpair(sv) != 0)
		return -errno;
	fds[0] = sv[1];
	ring_fds(p->ring, &fds[1], &fds[2], &fds[3]);
	p->pid = fork();
	if (p->pid < 0) {
		r = -errno;
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (p->pid == 0)
		dproc_exec(fds);
	close(sv[1]);
	p->sock = sv[0];
	return 0;
}

int dproc_send(struct dproc *p, uint16_t type, const void *body, size_t len)
{
	return msg_send(p->sock, type, body, len, -1);
}

int dproc_recv(struct dproc *p, int timeout_ms)
{
	struct pollfd pfd = { .fd = p->sock, .events = POLLIN };
	int r = poll(&pfd, 1, timeout_ms);

	if (r < 0)
		return -errno;
	if (r == 0)
		return 0;
	r = msg_recv(p->sock, p->m);
	return r == 0 ? -EPIPE : r;
}

int dproc_wait(struct dproc *p, int timeout_ms)
{
	uint64_t until = dproc_mono_ns() + (uint64_t)timeout_ms * 1000000u;

	for (;;) {
		int status;
		pid_t r = waitpid(p->pid, &status, WNOHANG);
		if (r == p->pid) {
			p->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		if (r < 0)
			return -errno;
		if (dproc_mono_ns() >= until)
			return -ETIMEDOUT;
		dproc_sleep_until(dproc_mono_ns() + 5000000u);
	}
}

void dproc_stop(struct dproc *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	if (p->sock >= 0)
		close(p->sock);
	if (p->ring)
		ring_close(p->ring);
	free(p->m);
	memset(p, 0, sizeof(*p));
	p->sock = -1;
}
