// SPDX-License-Identifier: GPL-2.0-only
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "proto.h"
#include "sweep.h"
#include "wproc.h"

struct sweeperd {
	struct wproc *p;
	struct loop_watch timer; /* .fd: the cleanup timerfd */
	struct proto_stats_sweeper stats;
	int last_open_err; /* the output dir's last open error, logged once */
};

static void sweeperd_sweep(struct sweeperd *w)
{
	struct sweep_limits lim = sweep_limits_from(w->p->cfg->max_log_age_days,
						    w->p->cfg->max_total_log_size_mb);
	uint64_t now = clock_wall_ns();
	w->stats.limit_bytes = lim.max_bytes;
	w->stats.last_sweep_unix = now / 1000000000u;

	int fd = open(w->p->cfg->output_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		if (err != w->last_open_err && err != ENOENT)
			log_error("cannot open %s: %s", w->p->cfg->output_dir, strerror(err));
		w->last_open_err = err;
		w->stats.output_bytes = w->stats.collections = 0;
		return;
	}
	w->last_open_err = 0;
	struct sweep_result res;
	int rc = sweep_run(fd, &lim, now, &res);
	close(fd);
	if (rc < 0) {
		log_error_rl("cannot read %s: %s", w->p->cfg->output_dir, strerror(-rc));
		return;
	}
	w->stats.output_bytes = res.total_bytes;
	w->stats.collections = res.collections;
	w->stats.deleted += res.deleted;
	w->stats.deleted_bytes += res.deleted_bytes;
	log_debug("swept %s: %llu collections, %llu bytes, %llu deleted", w->p->cfg->output_dir,
		  (unsigned long long)res.collections, (unsigned long long)res.total_bytes,
		  (unsigned long long)res.deleted);
}

static void sweeperd_on_timer(struct loop_watch *lw, uint32_t events)
{
	struct sweeperd *w = lw->obj;
	uint64_t ticks;

	(void)events;
	if (read(w->timer.fd, &ticks, sizeof(ticks)) == sizeof(ticks))
		sweeperd_sweep(w);
}

static int sweeperd_arm(struct sweeperd *w, const struct aod_config *cfg)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = cfg->cleanup_interval_sec },
		.it_interval = { .tv_sec = cfg->cleanup_interval_sec },
	};
	return timerfd_settime(w->timer.fd, 0, &its, NULL) == 0 ? 0 : -errno;
}

static int sweeperd_start(struct wproc *p)
{
	struct sweeperd *w = p->ctx;

	w->p = p;
	return loop_add_timer(p->loop, &w->timer, sweeperd_on_timer, w);
}

/* Any config the supervisor sends is usable; a timer that cannot be armed
 * (a bug) leaves the sweeps to SWEEP_NOW. */
static int sweeperd_configure(struct wproc *p, const struct aod_config *cfg, bool first,
			      char *reason, size_t cap)
{
	int rc = sweeperd_arm(p->ctx, cfg);

	(void)reason, (void)cap;
	if (rc < 0)
		log_error("cannot %s the cleanup timer: %s", first ? "arm" : "re-arm", strerror(-rc));
	return 0;
}

/* After READY: a first sweep; after a reload: a sweep, the limits may have
 * shrunk. */
static void sweeperd_applied(struct wproc *p, bool first)
{
	struct sweeperd *w = p->ctx;

	if (first)
		log_info("ready: keeping %s under %.1f MiB and %.2f days, sweeping every %u s",
			 p->cfg->output_dir, p->cfg->max_total_log_size_mb, p->cfg->max_log_age_days,
			 p->cfg->cleanup_interval_sec);
	else
		log_info("configuration reloaded");
	sweeperd_sweep(w);
}

static void sweeperd_stats(struct wproc *p)
{
	struct sweeperd *w = p->ctx;

	wproc_send(p, PROTO_STATS_SWEEPER, &w->stats, sizeof(w->stats));
}

/* Nothing runs between sweeps: drained as soon as asked. */
static void sweeperd_shutdown(struct wproc *p, uint32_t deadline_ms)
{
	(void)deadline_ms;
	wproc_drained(p);
}

static void sweeperd_message(struct wproc *p, const struct msg *m)
{
	if (m->type == PROTO_SWEEP_NOW)
		sweeperd_sweep(p->ctx);
}

static void sweeperd_release(struct wproc *p)
{
	struct sweeperd *w = p->ctx;

	loop_del_close(p->loop, &w->timer);
}

const struct wproc_desc sweeperd_proc = {
	.name = "sweeperd", .batch = 1, .accepts = PROTO_BIT(PROTO_SWEEP_NOW),
	.sandbox = &sweeperd_sandbox,
	.purpose = "Keeps aodv2's output directory within its size and age limits.",
	.caps_use = "capabilities to keep (none are needed)",
	.start = sweeperd_start, .configure = sweeperd_configure, .applied = sweeperd_applied,
	.stats = sweeperd_stats, .shutdown = sweeperd_shutdown, .message = sweeperd_message,
	.release = sweeperd_release,
};

int sweeperd_run(int sock)
{
	struct sweeperd w = { .timer = { .fd = -1 } };

	return wproc_run(&sweeperd_proc, &w, sock);
}
