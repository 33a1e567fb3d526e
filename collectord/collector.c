// SPDX-License-Identifier: GPL-2.0-only
#include "collector.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include "action_caps.h"
#include "col_audit.h"
#include "log.h"
#include "summary.h"
#include "task.h"
#include "clock.h"

static void collector_on_sigchld(struct loop_watch *w, uint32_t events);

int collector_init(struct collector *c, struct loop *loop, const struct qa_env *env,
		   const struct collector_hooks *hooks)
{
	sigset_t mask;
	memset(c, 0, sizeof(*c));
	c->loop = loop;
	c->env = *env;
	c->hooks = *hooks;
	c->sigchld.fd = -1;
	flightrec_stash_init(&c->rec);
	c->zcap = ZSTD_CStreamOutSize();
	c->readbuf = malloc(COLLECTOR_READ_CHUNK);
	c->zbuf = malloc(c->zcap);
	if (!c->readbuf || !c->zbuf) {
		collector_fini(c);
		return -ENOMEM;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	int rc = loop_add_signals(loop, &c->sigchld, &mask, collector_on_sigchld, c);
	if (rc < 0)
		collector_fini(c);
	return rc;
}

void collector_fini(struct collector *c)
{
	blocked_store_free(&c->blocked);
	while (c->tasks) {
		struct task *t = c->tasks;
		c->tasks = t->next;
		task_discard(t);
	}
	while (c->head) {
		struct collection *col = c->head;
		c->head = col->next;
		collection_free(col);
	}
	c->tail = NULL;
	c->running = 0;
	flightrec_stash_clear(&c->rec);
	if (c->loop)
		loop_del_close(c->loop, &c->sigchld);
	free(c->readbuf);
	free(c->zbuf);
	c->readbuf = NULL;
	c->zbuf = NULL;
}

void collector_set_config(struct collector *c, const struct aod_config *cfg)
{
	c->cfg = cfg;
}

int collector_check_config(const struct aod_config *cfg, char *reason, size_t cap)
{
	for (unsigned i = 0; i < cfg->n_actions; i++) {
		if (!action_known(cfg->actions[i]) || !qa_find(cfg->actions[i])) {
			snprintf(reason, cap, "watcher.actions: '%s' is not a QuickAction collectord "
				 "implements", cfg->actions[i]);
			return -EINVAL;
		}
	}
	if (!cfg->output_dir || cfg->output_dir[0] != '/') {
		snprintf(reason, cap, "aod_output_dir must be an absolute path");
		return -EINVAL;
	}
	if (cfg->max_concurrent_tasks < 1 || cfg->action_timeout_sec < 1) {
		snprintf(reason, cap, "watcher.max_concurrent_tasks and watcher.action_timeout_sec "
			 "must be at least 1");
		return -EINVAL;
	}
	if ((int)cfg->compression_level < 1 || (int)cfg->compression_level > ZSTD_maxCLevel()) {
		snprintf(reason, cap, "watcher.compression_level %u is outside 1..%d",
			 cfg->compression_level, ZSTD_maxCLevel());
		return -EINVAL;
	}
	return 0;
}

void collector_recorder_input(struct collector *c, const struct proto_recorder_input *in, int fd)
{
	flightrec_stash_put(&c->rec, in, fd);
}

bool collector_idle(const struct collector *c)
{
	return c->head == NULL;
}

void collector_stats(const struct collector *c, struct proto_stats_collector *out)
{
	*out = c->stats;
	out->running = 0;
	for (const struct collection *col = c->head; col; col = col->next)
		out->running++;
}

static void collector_finish(struct collector *c, struct collection *col)
{
	col->finished_ns = clock_mono_ns();
	collection_finish(col);
	col_audit(col);
	if (col->status == 0) {
		unsigned count[RES_NOT_RUN + 1] = { 0 };
		for (unsigned i = 0; i < col->n; i++)
			count[col->res[i].state]++;
		c->stats.done++;
		log_info("collection %s complete in %llu ms: %u ok, %u failed, %u timed out, "
			 "%u not available", col->name,
			 (unsigned long long)((col->finished_ns - col->received_ns) / 1000000u),
			 count[RES_OK], count[RES_FAILED] + count[RES_NOT_RUN], count[RES_TIMED_OUT],
			 count[RES_NOT_AVAILABLE]);
	} else {
		c->stats.failed++;
		log_warn("collection %s failed: %s", col->name, col->error);
	}
	if (c->hooks.done)
		c->hooks.done(c->hooks.arg, col);
}

/* Finishes, reports and frees every collection whose actions all ended. */
static void collector_finish_ready(struct collector *c)
{
	struct collection **pp = &c->head, *prev = NULL;
	while (*pp) {
		struct collection *col = *pp;
		if (col->n_done < col->n) {
			prev = col;
			pp = &col->next;
			continue;
		}
		*pp = col->next;
		if (c->tail == col)
			c->tail = prev;
		collector_finish(c, col);
		collection_free(col);
	}
}

static struct action_result *collector_next_pending(struct collector *c, struct collection **out)
{
	for (struct collection *col = c->head; col; col = col->next) {
		const struct quickaction *qa = col->next_start < col->n ? col->res[col->next_start].qa : NULL;
		if (qa && qa->last && col->n_done < col->next_start)
			continue; /* the last part waits for every other one */
		if (col->next_start < col->n) {
			*out = col;
			return &col->res[col->next_start++];
		}
	}
	return NULL;
}

/* Starts queued actions while slots are free. */
static void collector_pump(struct collector *c)
{
	unsigned max = c->cfg ? c->cfg->max_concurrent_tasks : 1;
	struct collection *col;
	struct action_result *r;

	while (!c->stopping && c->running < max && (r = collector_next_pending(c, &col))) {
		struct task *t = task_start(c, col, r);
		if (!t) {
			col->n_done++;
			continue;
		}
		t->next = c->tasks;
		c->tasks = t;
		c->running++;
	}
	collector_finish_ready(c);
}

void collector_task_done(struct collector *c, struct task *t)
{
	for (struct task **pp = &c->tasks; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	c->running--;
	t->col->n_done++;
	free(t);
	collector_pump(c);
}

static struct task *collector_task_by_pid(struct collector *c, pid_t pid)
{
	for (struct task *t = c->tasks; t; t = t->next)
		if (t->pid == pid)
			return t;
	return NULL;
}

static void collector_on_sigchld(struct loop_watch *w, uint32_t events)
{
	struct collector *c = w->obj;
	struct signalfd_siginfo si;
	(void)events;
	while (read(w->fd, &si, sizeof(si)) == sizeof(si))
		;
	for (;;) {
		siginfo_t info = { 0 };
		/* Peek first: while the leader is an unreaped zombie its pid
		 * cannot be reused, so killing its group cannot hit a stranger. */
		if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0)
			return;
		pid_t pid = info.si_pid;
		struct task *t = collector_task_by_pid(c, pid);
		if (t)
			killpg(pid, SIGKILL); /* what the action left behind */
		int status;
		if (waitpid(pid, &status, 0) != pid)
			return;
		if (t)
			task_exited(t, status);
	}
}

static void collector_snapshot(struct collection *col, const struct aod_config *cfg)
{
	col->level = (int)cfg->compression_level;
	col->timeout_sec = cfg->action_timeout_sec;
	col->params.journal_minutes = cfg->journal_minutes;
	col->params.tcpdump_duration_sec = cfg->tcpdump_duration_sec;
	col->params.tcpdump_max_mb = cfg->tcpdump_max_mb;
	col->params.trigger_wall_ns = col->anomaly.timestamp_ns;
	/* detectord's windows lie on the grid through interval_start_ns, on
	 * the events' clock by detectord's own conversion */
	if (col->anomaly.type != PROTO_ANOMALY_MANUAL && col->anomaly.mono_to_wall_ns)
		col->params.grid_mono_ns = col->anomaly.interval_start_ns -
					   (uint64_t)col->anomaly.mono_to_wall_ns;
	col->params.pre_sec = cfg->recorder.pre_sec;
	col->params.post_sec = cfg->recorder.post_sec;
}

static void collector_not_run(struct collection *col, const char *prefix, const char *why)
{
	for (unsigned i = col->next_start; i < col->n; i++) {
		col->res[i].state = RES_NOT_RUN;
		snprintf(col->res[i].error, sizeof(col->res[i].error), "%s%.200s", prefix, why);
	}
	col->n_done += col->n - col->next_start;
	col->next_start = col->n;
}

/* Reports an anomaly that gets no collection at all. */
static void collector_refuse(struct collector *c, const struct proto_anomaly *a, int err,
			     const char *why)
{
	struct collection *col = collection_new(a, NULL, 0, clock_mono_ns());
	log_warn("anomaly '%s' at %llu: no collection: %s", a->name,
		 (unsigned long long)a->timestamp_ns, why);
	c->stats.failed++;
	if (!col)
		return;
	collection_error(col, err, "%s", why);
	if (c->hooks.done)
		c->hooks.done(c->hooks.arg, col);
	collection_free(col);
}

void collector_submit(struct collector *c, const struct proto_anomaly *a)
{
	uint64_t received = clock_mono_ns();
	const struct aod_config *cfg = c->cfg;
	char *const *actions;
	unsigned n;

	c->stats.received++;
	if (!cfg) {
		collector_refuse(c, a, -EAGAIN, "no configuration yet");
		return;
	}
	const struct aod_anomaly_cfg *ac = config_anomaly(cfg, a->name);
	if (ac) {
		actions = ac->actions;
		n = ac->n_actions;
	} else if (a->type == PROTO_ANOMALY_MANUAL) {
		actions = cfg->actions; /* the name is only a label ("manual") */
		n = cfg->n_actions;
	} else {
		collector_refuse(c, a, -ENOENT, "no such anomaly in guardian.anomalies");
		return;
	}
	char *parts[32 + FLIGHTREC_MAX_PARTS]; /* actions are unique QuickAction names */
	n = flightrec_names(&cfg->recorder, actions, n, parts, sizeof(parts) / sizeof(parts[0]));
	struct collection *col = collection_new(a, parts, n, received);
	if (col)
		flightrec_attach(col, &c->rec);
	if (!col) {
		collector_refuse(c, a, -ENOMEM, "out of memory");
		return;
	}
	collector_snapshot(col, cfg);
	summary_rule(col->rule, sizeof(col->rule), ac);
	col->params.blocked_text = blocked_store_take(&c->blocked, a->timestamp_ns, &col->params.blocked_len);
	if (c->stopping) {
		collector_not_run(col, "", "not started: collectord is shutting down");
	} else if (collection_open(col, cfg->output_dir) < 0) {
		c->stats.write_errors++;
		log_error("anomaly '%s': %s", a->name, col->error);
		collector_not_run(col, "no collection folder: ", col->error);
	}
	if (c->tail)
		c->tail->next = col;
	else
		c->head = col;
	c->tail = col;
	collector_pump(c);
}

void collector_stop(struct collector *c)
{
	c->stopping = true;
	for (struct collection *col = c->head; col; col = col->next)
		collector_not_run(col, "", "not started: collectord is shutting down");
	collector_finish_ready(c);
}

void collector_kill_all(struct collector *c)
{
	for (struct task *t = c->tasks; t; t = t->next)
		task_kill(t, TASK_KILLED_SHUTDOWN);
}
