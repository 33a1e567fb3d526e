// SPDX-License-Identifier: GPL-2.0-only
/* Spawning workers: executable lookup, the fixed fd layout, fork + exec,
 * each worker in its own PID namespace. */
#include "children.h"

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "aod_build.h"
#include "log.h"
#include "msg.h"
#include "privdrop.h"
#include "sup.h"
#include "clock.h"

const char *worker_state_name(enum worker_state st)
{
	switch (st) {
	case WS_STARTING: return "starting";
	case WS_RUNNING: return "running";
	case WS_NOT_ANSWERING: return "not answering";
	case WS_RESTARTING: return "restarting";
	case WS_FAILED: return "failed";
	default: return "stopped";
	}
}

static void worker_on_timer(struct loop_watch *lw, uint32_t events);

int children_init(struct sup *s, const struct worker_kind *table,
		  void (*on_io)(struct loop_watch *lw, uint32_t events))
{
	for (int i = 0; i < W_NR; i++) {
		struct worker *w = &s->workers[i];
		memset(w, 0, sizeof(*w));
		w->sup = s;
		w->id = (enum worker_id)i;
		w->kind = &table[i];
		w->name = table[i].name;
		w->on_io = on_io;
		w->sock = -1;
		w->sock_watch.fd = -1;
		w->restart_watch.fd = -1;
		w->uid = (uid_t)-1;
		backoff_init(&w->backoff);
		snprintf(w->cap_names, sizeof(w->cap_names), "unknown");
		w->restart_tfd = timer_new();
		if (w->restart_tfd < 0)
			return w->restart_tfd;
		int rc = loop_add(s->loop, &w->restart_watch, w->restart_tfd, EPOLLIN, worker_on_timer, w);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* AOD_LIBEXECDIR from the environment wins (tests); a supervisor running
 * from the build tree uses the workers built beside it; else the installed
 * ones. */
static int worker_exe_path(const struct worker *w, char *buf, size_t len)
{
	const char *env = getenv("AOD_LIBEXECDIR");
	char self[PATH_MAX];
	ssize_t n;
	int rc;

	if (env && *env) {
		rc = snprintf(buf, len, "%s/aodv2-%s", env, w->name);
	} else if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0 &&
		   (self[n] = '\0', strncmp(self, AOD_BUILD_ROOT "/", strlen(AOD_BUILD_ROOT) + 1) == 0)) {
		rc = snprintf(buf, len, "%s/%s/aodv2-%s", AOD_BUILD_ROOT, w->name, w->name);
	} else {
		rc = snprintf(buf, len, "%s/aodv2-%s", AOD_LIBEXECDIR, w->name);
	}
	return rc > 0 && (size_t)rc < len ? 0 : -ENAMETOOLONG;
}

/* The capabilities a worker keeps, as its row plans them for the config. */
static void worker_plan_caps(struct worker *w)
{
	w->n_caps = w->kind->plan_caps ? w->kind->plan_caps(w->sup->cfg, w->caps) : 0;
}

static void caps_list_arg(const struct worker *w, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < w->n_caps && off < len; i++) {
		const char *name = capng_capability_to_name((unsigned)w->caps[i]);
		int n = snprintf(buf + off, len - off, "%scap_%s", i ? "," : "", name ? name : "unknown");
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/* In the child between fork and exec: the worker gets its socket on fd 3 and
 * its row's extra descriptors from fd 4 on; nothing else survives exec. */
static void __attribute__((noreturn))
worker_exec(const int *src, int n, const char *path, char *const argv[])
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* Its own process group: a terminal's ^C reaches only the supervisor,
	 * which stops the workers in order. */
	setpgid(0, 0);
	int high[1 + WORKER_MAX_EXTRA_FDS];
	for (int i = 0; i < n; i++) {
		high[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 64);
		if (high[i] < 0)
			_exit(127);
	}
	for (int i = 0; i < n; i++)
		if (dup2(high[i], MSG_WORKER_FD + i) < 0)
			_exit(127);
	privdrop_close_fds_raw(MSG_WORKER_FD + n);
	execv(path, argv);
	fprintf(stderr, "aodv2-supervisor: cannot execute %s: %s\n", path, strerror(errno));
	_exit(127);
}

/* fork(), the child as init of a new PID namespace: a worker (and whatever
 * collectord runs) can then name, so signal or ptrace, no process outside
 * its own namespace: not the other workers, not the supervisor, not the
 * packet ring's tcpdump, though all run as one uid. Its processes die with
 * it. unshare(CLONE_NEWPID) changes only where our next child goes; setns
 * back to our own namespace keeps every other child (tcpdump, ...) in it.
 * Without the privilege (a supervisor not run as root) the worker is
 * forked as before, which is logged once. */
static pid_t worker_fork_isolated(struct worker *w)
{
	int self = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);

	if (self < 0 || unshare(CLONE_NEWPID) != 0) {
		if (!w->sup->pidns_warned)
			log_warn("cannot give the workers their own PID namespaces (%s): "
				 "they can signal each other", strerror(errno));
		w->sup->pidns_warned = true;
		if (self >= 0)
			close(self);
		return fork();
	}
	pid_t pid = fork();
	int err = errno;
	if (pid != 0 && setns(self, CLONE_NEWPID) != 0) {
		/* Never expected; our next children would all land in one
		 * namespace that ends with this worker: stop here. */
		log_error("cannot return to our own PID namespace: %s", strerror(errno));
		abort();
	}
	if (pid != 0)
		close(self);
	errno = err;
	return pid;
}

static int worker_fork(struct worker *w, const char *path)
{
	struct sup *s = w->sup;
	char argv0[32], caps[256];
	char *argv[8];
	int argc = 0, sv[2], fds[1 + WORKER_MAX_EXTRA_FDS];

	snprintf(argv0, sizeof(argv0), "aodv2-%s", w->name);
	caps_list_arg(w, caps, sizeof(caps));
	argv[argc++] = argv0;
	if (s->args.foreground)
		argv[argc++] = (char *)"-f";
	argv[argc++] = (char *)"--user";
	argv[argc++] = s->svc_user;
	if (caps[0]) {
		argv[argc++] = (char *)"--caps";
		argv[argc++] = caps;
	}
	argv[argc] = NULL;

	int rc = msg_socketpair(sv);
	if (rc < 0) {
		log_error("cannot start %s: socketpair: %s", w->name, strerror(-rc));
		return rc;
	}
	/* Our end never blocks the single loop; the worker's end stays blocking. */
	int fl = fcntl(sv[0], F_GETFL);
	if (fl < 0 || fcntl(sv[0], F_SETFL, fl | O_NONBLOCK) < 0) {
		rc = -errno;
		log_error("cannot start %s: making its socket non-blocking: %s", w->name, strerror(-rc));
		close(sv[0]);
		close(sv[1]);
		return rc;
	}
	/* In the parent: detectord's resets the shared ring's consumer side
	 * against the producer's position, which a child's copy would see
	 * stale once the parent produced after the fork. */
	int n = w->kind->extra_fds ? w->kind->extra_fds(s, &fds[1]) : 0;
	pid_t pid = worker_fork_isolated(w);
	if (pid < 0) {
		rc = -errno;
		log_error("cannot start %s: fork: %s", w->name, strerror(-rc));
		close(sv[0]);
		close(sv[1]);
		return rc;
	}
	if (pid == 0) {
		fds[0] = sv[1];
		worker_exec(fds, 1 + n, path, argv);
	}
	close(sv[1]);
	w->pid = pid;
	w->sock = sv[0];
	return 0;
}

int worker_spawn(struct worker *w)
{
	struct sup *s = w->sup;
	char path[PATH_MAX];
	int rc = worker_exe_path(w, path, sizeof(path));

	if (rc == 0 && access(path, X_OK) != 0)
		rc = -errno;
	if (rc < 0) {
		log_error("cannot start %s: %s: %s", w->name, path, strerror(-rc));
		return rc;
	}
	worker_plan_caps(w);
	rc = worker_fork(w, path);
	if (rc < 0)
		return rc; /* logged */
	rc = loop_add(s->loop, &w->sock_watch, w->sock, EPOLLIN, w->on_io, w);
	if (rc < 0) {
		log_error("cannot watch %s's socket: %s", w->name, strerror(-rc));
		kill(w->pid, SIGKILL);
		close(w->sock);
		w->sock = -1;
		return rc;
	}
	w->state = WS_STARTING;
	w->started_ns = clock_mono_ns();
	w->started_reloads = s->reloads;
	w->ready_ns = 0;
	w->lost = w->verified = w->stats_asked = false;
	memset(&w->ping, 0, sizeof(w->ping));
	w->config_pending = 0;
	w->shutdown_sent = w->drained = w->out_blocked = false;
	w->uid = (uid_t)-1;
	snprintf(w->cap_names, sizeof(w->cap_names), "unknown");
	timer_arm_ms(w->restart_tfd, 0);
	log_info("started %s (pid %d) from %s", w->name, (int)w->pid, path);
	/* The process exists from here on: a failure is its death (reaped and
	 * restarted like any other), never "not started", which would lose
	 * track of it. */
	rc = worker_send_config(w);
	if (rc < 0) {
		char why[96];
		snprintf(why, sizeof(why), "cannot send its configuration: %s", strerror(-rc));
		worker_fail(w, why);
	} else if (w->kind->after_config) {
		w->kind->after_config(w);
	}
	return 0;
}

int children_start_all(struct sup *s)
{
	for (int i = 0; i < W_NR; i++) {
		struct worker *w = &s->workers[i];
		if (w->pid == 0 && w->state != WS_RESTARTING) {
			int rc = worker_spawn(w);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

int worker_send(struct worker *w, uint16_t type, const void *body, size_t len)
{
	if (w->sock < 0)
		return -ENOTCONN;
	int rc = msg_send(w->sock, type, body, len, -1);
	if (rc < 0 && rc != -EAGAIN)
		log_warn("sending message %u to %s (pid %d) failed: %s", type, w->name, (int)w->pid,
			 strerror(-rc));
	return rc;
}

int worker_send_config(struct worker *w)
{
	struct sup *s = w->sup;
	int rc = worker_send(w, PROTO_CONFIG, s->cfg_yaml, s->cfg_yaml_len);

	if (rc == -EAGAIN)
		log_warn("%s is not reading its socket; config not delivered", w->name);
	if (rc == 0)
		w->config_pending++;
	return rc == -EAGAIN ? 0 : rc;
}

bool worker_stop(struct worker *w, uint32_t deadline_ms)
{
	if (w->pid <= 0 || w->drained)
		return false;
	if (w->shutdown_sent)
		return true;
	if (w->sock < 0)
		return true; /* its death is imminent; reaping moves us on */
	int rc = worker_send(w, PROTO_SHUTDOWN, &deadline_ms, sizeof(deadline_ms));
	if (rc < 0) {
		worker_fail(w, "cannot be told to shut down");
		return true;
	}
	w->shutdown_sent = true;
	log_info("asked %s (pid %d) to finish within %u ms", w->name, (int)w->pid, deadline_ms);
	return true;
}

void worker_stats(struct worker *w, const void *body, size_t len)
{
	if (w->kind->stats_fold)
		w->kind->stats_fold(&w->stats, &w->carried, body);
	else
		memcpy(&w->stats, body, len);
	w->stats_valid = true;
	w->stats_asked = false;
}

static void worker_close_sock(struct worker *w)
{
	if (w->sock < 0)
		return;
	loop_del(w->sup->loop, &w->sock_watch);
	close(w->sock);
	w->sock = -1;
}

void worker_fail(struct worker *w, const char *why)
{
	log_error("%s (pid %d): %s; killing it", w->name, (int)w->pid, why);
	worker_close_sock(w);
	if (w->pid > 0)
		kill(w->pid, SIGKILL);
}

#define WORKER_LOST_GRACE_MS 2000u

/* EOF usually means the worker is exiting; give it a moment to do so with
 * its own status (78 must stay visible) before killing it. */
void worker_lost(struct worker *w, const char *why)
{
	log_debug("%s (pid %d): %s", w->name, (int)w->pid, why);
	worker_close_sock(w);
	w->lost = true;
	timer_arm_ms(w->restart_tfd, WORKER_LOST_GRACE_MS);
}

static void worker_on_timer(struct loop_watch *lw, uint32_t events)
{
	struct worker *w = lw->obj;
	(void)events;

	timer_ack(w->restart_tfd);
	if (w->pid > 0 && w->lost) {
		log_warn("%s (pid %d) closed its socket but did not exit; killing it", w->name,
			 (int)w->pid);
		kill(w->pid, SIGKILL);
		return;
	}
	if (w->state != WS_RESTARTING || w->sup->phase != PHASE_RUNNING)
		return;
	w->restarts++;
	if (worker_spawn(w) < 0) {
		/* The executable vanished or fork failed: that counts as a death. */
		w->pid = 0;
		children_died_without_pid(w);
	}
}

void children_kill_all(struct sup *s)
{
	for (int i = 0; i < W_NR; i++) {
		struct worker *w = &s->workers[i];
		if (w->pid > 0) {
			kill(-w->pid, SIGKILL);
			kill(w->pid, SIGKILL);
		}
	}
}

bool children_any_alive(const struct sup *s)
{
	for (int i = 0; i < W_NR; i++)
		if (s->workers[i].pid > 0)
			return true;
	return false;
}

bool children_gave_up(const struct sup *s)
{
	for (int i = 0; i < W_NR; i++)
		if (s->workers[i].gave_up)
			return true;
	return false;
}

void children_close(struct sup *s)
{
	for (int i = 0; i < W_NR; i++) {
		struct worker *w = &s->workers[i];
		worker_close_sock(w);
		loop_del(s->loop, &w->restart_watch);
		if (w->restart_tfd >= 0)
			close(w->restart_tfd);
		w->restart_tfd = -1;
	}
}
