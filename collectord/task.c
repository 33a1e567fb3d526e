// SPDX-License-Identifier: GPL-2.0-only
#include "task.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "action_caps.h"
#include "log.h"
#include "flightrec.h"
#include "spawn.h"
#include "clock.h"

#define NS_PER_SEC 1000000000ull
#define NS_PER_MS 1000000ull


static void task_error(struct action_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void task_error(struct action_result *r, const char *fmt, ...)
{
	if (r->error[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
}

/* A failure to store output costs the collection data: count it once per
 * action, and mark the collection incomplete. */
static void task_write_error(struct task *t, int err)
{
	struct action_result *r = t->res;
	if (t->write_failed)
		return;
	t->write_failed = true;
	task_error(r, "writing %s: %s", r->output, strerror(-err));
	t->c->stats.write_errors++;
	collection_error(t->col, err, "%s: writing %s: %s", r->name, r->output, strerror(-err));
	log_error("collection %s: writing %s: %s", t->col->name, r->output, strerror(-err));
}

static int task_arm(struct task *t, uint64_t at_ns)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = (time_t)(at_ns / NS_PER_SEC),
			      .tv_nsec = (long)(at_ns % NS_PER_SEC) },
	};
	return timerfd_settime(t->timer.fd, TFD_TIMER_ABSTIME, &its, NULL) == 0 ? 0 : -errno;
}

static bool task_finished(const struct task *t)
{
	return t->reaped && t->out.fd < 0 && t->err.fd < 0;
}

static void task_settle(struct task *t)
{
	struct action_result *r = t->res;
	bool stopped_by_us = (r->stopped || r->truncated) && r->term_signal == SIGTERM;

	if (t->phase == TASK_KILLED_TIMEOUT) {
		r->state = RES_TIMED_OUT;
		task_error(r, "timed out after %u s: process group killed", t->col->timeout_sec);
	} else if (t->phase == TASK_KILLED_SHUTDOWN) {
		r->state = RES_FAILED;
		task_error(r, "killed at the shutdown deadline");
	} else if (r->error[0]) {
		r->state = RES_FAILED;
	} else if (r->exit_code == 0 || stopped_by_us) {
		r->state = RES_OK;
	} else {
		r->state = RES_FAILED;
		if (r->exit_code == SPAWN_EXIT_SETUP)
			task_error(r, "the action's process could not be set up (see stderr)");
		else if (r->exit_code == SPAWN_EXIT_EXEC)
			task_error(r, "the program could not be executed (see stderr)");
	}
	if (r->state == RES_FAILED || r->state == RES_TIMED_OUT)
		t->c->stats.actions_failed++;
	if (r->state == RES_TIMED_OUT)
		t->c->stats.actions_timed_out++;
}

static void task_end(struct task *t)
{
	struct loop *loop = t->c->loop;
	loop_del_close(loop, &t->out);
	loop_del_close(loop, &t->err);
	loop_del_close(loop, &t->timer);
	if (t->sink_open) {
		int rc = zsink_close(&t->sink);
		t->sink_open = false;
		t->res->raw_bytes = t->sink.raw_bytes;
		t->res->zst_bytes = t->sink.out_bytes;
		if (rc < 0)
			task_write_error(t, rc);
	}
	t->res->end_ns = clock_mono_ns();
	flightrec_take_span(t->res);
	task_settle(t);
	log_debug("collection %s: %s %s (%llu bytes)", t->col->name, t->res->name,
		  result_state_name(t->res->state), (unsigned long long)t->res->raw_bytes);
	collector_task_done(t->c, t);
}

static void task_check(struct task *t)
{
	if (task_finished(t))
		task_end(t);
}

static void task_sigterm(struct task *t)
{
	if (!t->sigterm_sent && !t->reaped)
		kill(t->pid, SIGTERM);
	t->sigterm_sent = true;
}

/* The planned stop at the action's duration; deferred until the program
 * said it is ready, when its plan has a marker for that. */
static void task_soft_stop(struct task *t)
{
	if (t->res->plan->ready_marker && !t->ready) {
		t->soft_due = true;
		return;
	}
	t->soft_due = false;
	t->res->stopped = true;
	task_sigterm(t);
}

static void task_store(struct task *t, const unsigned char *buf, size_t n)
{
	struct action_result *r = t->res;
	uint64_t cap = r->plan->max_bytes;
	if (cap && t->sink.raw_bytes + n > cap) {
		n = (size_t)(cap - t->sink.raw_bytes);
		if (!r->truncated) {
			r->truncated = true;
			task_sigterm(t); /* enough: let it end cleanly */
		}
	}
	if (n == 0 || t->sink.err)
		return;
	int rc = zsink_write(&t->sink, buf, n);
	if (rc < 0)
		task_write_error(t, rc);
}

static void task_on_out(struct loop_watch *w, uint32_t events)
{
	struct task *t = w->obj;
	(void)events;
	for (int i = 0; i < COLLECTOR_READS_PER_WAKEUP; i++) {
		ssize_t n = read(t->out.fd, t->c->readbuf, COLLECTOR_READ_CHUNK);
		if (n > 0) {
			task_store(t, t->c->readbuf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0)
			task_error(t->res, "reading the output: %s", strerror(errno));
		loop_del_close(t->c->loop, &t->out);
		task_check(t);
		return;
	}
}

static void task_keep_stderr(struct action_result *r, const char *buf, size_t n)
{
	const size_t cap = sizeof(r->stderr_tail);
	if (n >= cap) {
		memcpy(r->stderr_tail, buf + n - cap, cap);
		r->stderr_len = cap;
		return;
	}
	if (r->stderr_len + n > cap) {
		size_t drop = r->stderr_len + n - cap;
		memmove(r->stderr_tail, r->stderr_tail + drop, r->stderr_len - drop);
		r->stderr_len -= (unsigned)drop;
	}
	memcpy(r->stderr_tail + r->stderr_len, buf, n);
	r->stderr_len += (unsigned)n;
}

static void task_on_err(struct loop_watch *w, uint32_t events)
{
	struct task *t = w->obj;
	char buf[4096];
	(void)events;
	ssize_t n = read(t->err.fd, buf, sizeof(buf));
	if (n > 0) {
		const char *marker = t->res->plan->ready_marker;
		task_keep_stderr(t->res, buf, (size_t)n);
		if (marker && !t->ready &&
		    memmem(t->res->stderr_tail, t->res->stderr_len, marker, strlen(marker))) {
			t->ready = true;
			if (t->soft_due)
				task_soft_stop(t);
		}
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	loop_del_close(t->c->loop, &t->err);
	task_check(t);
}

void task_kill(struct task *t, enum task_phase why)
{
	if (t->phase != TASK_RUNNING)
		return;
	t->phase = why;
	/* Once the leader is reaped its group was already killed (and its
	 * number may be reused): only the grace timer is left to run. */
	if (!t->reaped && killpg(t->pid, SIGKILL) != 0 && errno != ESRCH)
		log_warn("collection %s: cannot kill %s (process group %d): %s", t->col->name,
			 t->res->name, (int)t->pid, strerror(errno));
	if (task_arm(t, clock_mono_ns() + COLLECTOR_KILL_GRACE_MS * NS_PER_MS) < 0)
		log_warn("collection %s: cannot arm the kill grace timer of %s", t->col->name,
			 t->res->name);
}

/* A process group that survived SIGKILL (uninterruptible sleep): give up on
 * it so the collection can finish; its zombie is reaped whenever it dies. */
static void task_abandon(struct task *t)
{
	log_error("collection %s: %s (process group %d) did not die %d ms after SIGKILL; "
		  "abandoning it", t->col->name, t->res->name, (int)t->pid, COLLECTOR_KILL_GRACE_MS);
	task_error(t->res, "did not exit %d ms after SIGKILL (abandoned)", COLLECTOR_KILL_GRACE_MS);
	t->reaped = true;
	task_end(t);
}

static void task_on_timer(struct loop_watch *w, uint32_t events)
{
	struct task *t = w->obj;
	uint64_t ticks;
	(void)events;
	if (read(t->timer.fd, &ticks, sizeof(ticks)) < 0 && errno == EAGAIN)
		return;
	if (t->phase != TASK_RUNNING) {
		task_abandon(t);
		return;
	}
	uint64_t now = clock_mono_ns();
	if (t->soft_at_ns && now >= t->soft_at_ns && now < t->kill_at_ns) {
		t->soft_at_ns = 0;
		task_soft_stop(t);
		task_arm(t, t->kill_at_ns);
		return;
	}
	if (now >= t->kill_at_ns) {
		log_warn("collection %s: %s timed out after %u s; killing process group %d",
			 t->col->name, t->res->name, t->col->timeout_sec, (int)t->pid);
		task_kill(t, TASK_KILLED_TIMEOUT);
	} else {
		task_arm(t, t->soft_at_ns ? t->soft_at_ns : t->kill_at_ns);
	}
}

void task_exited(struct task *t, int status)
{
	struct action_result *r = t->res;
	t->reaped = true;
	if (WIFEXITED(status))
		r->exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r->term_signal = WTERMSIG(status);
	task_check(t);
}

static int task_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -errno;
	/* Only our end is non-blocking: the child writes as to any pipe. */
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) != 0) {
		int err = -errno;
		close(fds[0]);
		close(fds[1]);
		return err;
	}
	return 0;
}

static void task_set_timers(struct task *t, uint64_t start)
{
	uint32_t timeout = t->col->timeout_sec;
	uint32_t soft = t->res->plan->soft_stop_sec;
	t->kill_at_ns = start + (uint64_t)timeout * NS_PER_SEC;
	t->soft_at_ns = soft && soft < timeout ? start + (uint64_t)soft * NS_PER_SEC : 0;
}

static int task_open_fds(struct task *t, int out[2], int err[2])
{
	t->out.fd = t->err.fd = t->timer.fd = -1;
	out[0] = out[1] = err[0] = err[1] = -1;
	int rc = task_pipe(out);
	if (rc == 0)
		rc = task_pipe(err);
	if (rc == 0) {
		t->timer.fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (t->timer.fd < 0)
			rc = -errno;
	}
	t->out.fd = out[0];
	t->err.fd = err[0];
	return rc;
}

/* Everything but the fork: the output file, pipes, timer. */
static int task_prepare(struct task *t, int out[2], int err[2])
{
	struct action_result *r = t->res;
	snprintf(r->output, sizeof(r->output), "%s.%s.zst", r->qa->file ? r->qa->file : r->name,
		 r->qa->ext);
	int rc = zsink_open_flags(&t->sink, t->col->dirfd, r->output, t->col->level, t->c->zbuf,
				  t->c->zcap, r->qa->append ? O_APPEND : O_EXCL);
	if (rc < 0) {
		task_error(r, "cannot create %s: %s", r->output, strerror(-rc));
		task_write_error(t, rc);
		r->output[0] = '\0';
		return rc;
	}
	t->sink_open = true;
	rc = task_open_fds(t, out, err);
	if (rc < 0)
		task_error(r, "cannot set up pipes and timer: %s", strerror(-rc));
	return rc;
}

/* Watches the fd w holds; a failure closes it (w->fd is -1 then). */
static int task_watch(struct task *t, struct loop_watch *w, loop_fn fn)
{
	int fd = w->fd;
	int rc = loop_add(t->c->loop, w, fd, EPOLLIN, fn, t);

	if (rc < 0)
		close(fd);
	return rc;
}

static int task_launch(struct task *t, int out[2], int err[2])
{
	struct action_result *r = t->res;
	int caps[8];
	int ncaps = action_caps(r->name, caps, 8);
	if (ncaps < 0)
		ncaps = 0;
	r->start_ns = clock_mono_ns();
	r->plan->stdin_fd = r->input_fd;
	pid_t pid = spawn_action(r->plan, caps, (size_t)ncaps, out[1], err[1]);
	if (r->input_fd >= 0) /* the child has its copy */
		close(r->input_fd);
	r->input_fd = r->plan->stdin_fd = -1;
	close(out[1]);
	close(err[1]);
	out[1] = err[1] = -1;
	out[0] = err[0] = -1; /* owned by t->out and t->err */
	if (pid < 0) {
		task_error(r, "cannot fork: %s", strerror((int)-pid));
		return (int)pid;
	}
	t->pid = pid;
	task_set_timers(t, r->start_ns);
	int rc = task_arm(t, t->soft_at_ns ? t->soft_at_ns : t->kill_at_ns);
	if (rc == 0)
		rc = task_watch(t, &t->out, task_on_out);
	if (rc == 0)
		rc = task_watch(t, &t->err, task_on_err);
	if (rc == 0)
		rc = task_watch(t, &t->timer, task_on_timer);
	if (rc < 0) {
		/* Without the loop watching it the child cannot be supervised. */
		killpg(pid, SIGKILL);
		task_error(r, "cannot watch the child: %s", strerror(-rc));
	}
	return rc;
}

/* Plans res; true when it should run. */
static bool task_plan(struct collector *c, struct collection *col, struct action_result *r)
{
	if (!r->qa) {
		r->state = RES_FAILED; /* the error says "unknown action" */
		c->stats.actions_failed++;
		return false;
	}
	r->plan = malloc(sizeof(*r->plan));
	if (!r->plan) {
		r->state = RES_FAILED;
		task_error(r, "out of memory");
		c->stats.actions_failed++;
		return false;
	}
	qa_make_plan(r->qa, &c->env, &col->params, r->plan);
	if (r->plan->err) {
		r->state = RES_FAILED;
		task_error(r, "cannot plan: %s", strerror(-r->plan->err));
		c->stats.actions_failed++;
		return false;
	}
	if (r->plan->unavailable) {
		r->state = RES_NOT_AVAILABLE;
		snprintf(r->error, sizeof(r->error), "%s", r->plan->unavailable);
		return false;
	}
	return true;
}

/* Settles a task whose child never ran (or is not watched and gone). */
static void task_fail_now(struct task *t)
{
	struct action_result *r = t->res;
	loop_del_close(t->c->loop, &t->out);
	loop_del_close(t->c->loop, &t->err);
	loop_del_close(t->c->loop, &t->timer);
	if (t->sink_open)
		zsink_close(&t->sink);
	r->state = RES_FAILED;
	r->end_ns = clock_mono_ns();
	t->c->stats.actions_failed++;
	free(t);
}

struct task *task_start(struct collector *c, struct collection *col, struct action_result *r)
{
	if (!task_plan(c, col, r))
		return NULL;
	struct task *t = calloc(1, sizeof(*t));
	if (!t) {
		r->state = RES_FAILED;
		task_error(r, "out of memory");
		c->stats.actions_failed++;
		return NULL;
	}
	t->c = c;
	t->col = col;
	t->res = r;
	t->pid = -1;
	t->out.fd = t->err.fd = t->timer.fd = -1;
	c->stats.actions_run++;

	int out[2] = { -1, -1 }, err[2] = { -1, -1 };
	int rc = task_prepare(t, out, err);
	if (rc == 0)
		rc = task_launch(t, out, err);
	if (out[1] >= 0)
		close(out[1]);
	if (err[1] >= 0)
		close(err[1]);
	if (rc < 0 && t->pid < 0) {
		task_fail_now(t);
		return NULL;
	}
	if (rc < 0) {
		/* Forked but not watched (and killed): only its exit is awaited. */
		loop_del_close(c->loop, &t->out);
		loop_del_close(c->loop, &t->err);
		loop_del_close(c->loop, &t->timer);
	}
	r->state = RES_RUNNING;
	log_debug("collection %s: started %s (pid %d)", col->name, r->name, (int)t->pid);
	return t;
}

void task_discard(struct task *t)
{
	if (!t->reaped && t->pid > 0)
		killpg(t->pid, SIGKILL);
	loop_del_close(t->c->loop, &t->out);
	loop_del_close(t->c->loop, &t->err);
	loop_del_close(t->c->loop, &t->timer);
	if (t->sink_open)
		zsink_close(&t->sink);
	free(t);
}
