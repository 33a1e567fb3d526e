// SPDX-License-Identifier: GPL-2.0-only
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "msg.h"
#include "proto.h"
#include "sweep.h"
#include "clock.h"

enum { SRC_SOCK, SRC_TIMER, SRC_SIGNAL };

struct sworker {
	int sock, epfd, tfd, sigfd;
	struct aod_config *cfg;
	struct msg *m;
	struct proto_stats_sweeper stats;
	int last_open_err; /* the output dir's last open error, logged once */
	bool done;
	int status;
};

static void sworker_exit(struct sworker *w, int status)
{
	w->done = true;
	w->status = status;
}

static void sworker_send(struct sworker *w, uint16_t type, const void *body, size_t len)
{
	int rc = msg_send(w->sock, type, body, len, -1);
	if (rc < 0) {
		log_error("cannot send %s to the supervisor: %s", proto_type_name(type), strerror(-rc));
		sworker_exit(w, 1);
	}
}

static void sworker_sweep(struct sworker *w)
{
	struct sweep_limits lim = sweep_limits_from(w->cfg->max_log_age_days,
						    w->cfg->max_total_log_size_mb);
	uint64_t now = clock_wall_ns();
	w->stats.limit_bytes = lim.max_bytes;
	w->stats.last_sweep_unix = now / 1000000000u;

	int fd = open(w->cfg->output_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		if (err != w->last_open_err && err != ENOENT)
			log_error("cannot open %s: %s", w->cfg->output_dir, strerror(err));
		w->last_open_err = err;
		w->stats.output_bytes = w->stats.collections = 0;
		return;
	}
	w->last_open_err = 0;
	struct sweep_result res;
	int rc = sweep_run(fd, &lim, now, &res);
	close(fd);
	if (rc < 0) {
		log_error("cannot read %s: %s", w->cfg->output_dir, strerror(-rc));
		return;
	}
	w->stats.output_bytes = res.total_bytes;
	w->stats.collections = res.collections;
	w->stats.deleted += res.deleted;
	w->stats.deleted_bytes += res.deleted_bytes;
	log_debug("swept %s: %llu collections, %llu bytes, %llu deleted", w->cfg->output_dir,
		  (unsigned long long)res.collections, (unsigned long long)res.total_bytes,
		  (unsigned long long)res.deleted);
}

static int sworker_arm(struct sworker *w)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = w->cfg->cleanup_interval_sec },
		.it_interval = { .tv_sec = w->cfg->cleanup_interval_sec },
	};
	return timerfd_settime(w->tfd, 0, &its, NULL) == 0 ? 0 : -errno;
}

static int sworker_parse_config(const struct msg *m, struct aod_config **out, char *reason,
				size_t cap)
{
	struct config_errors errs = { 0 };
	int rc = config_load_text((const char *)m->body, m->len, "supervisor", out, &errs);
	if (rc < 0)
		snprintf(reason, cap, "%s", errs.n ? errs.lines[0] : strerror(-rc));
	config_errors_free(&errs);
	return rc;
}

static void sworker_reply_config(struct sworker *w, int status, const char *reason)
{
	struct proto_config_ack ack = { .status = status };
	snprintf(ack.reason, sizeof(ack.reason), "%s", reason);
	sworker_send(w, PROTO_CONFIG_ACK, &ack, sizeof(ack));
}

static void sworker_reload(struct sworker *w)
{
	struct aod_config *cfg = NULL;
	char reason[200] = "";
	int rc = sworker_parse_config(w->m, &cfg, reason, sizeof(reason));
	if (rc < 0) {
		log_error("new configuration refused, keeping the running one: %s", reason);
		sworker_reply_config(w, rc, reason);
		return;
	}
	config_free(w->cfg);
	w->cfg = cfg;
	rc = sworker_arm(w);
	if (rc < 0)
		log_error("cannot re-arm the cleanup timer: %s", strerror(-rc));
	log_info("configuration reloaded");
	sworker_reply_config(w, 0, "");
	sworker_sweep(w); /* the limits may have shrunk */
}

static bool sworker_receive(struct sworker *w)
{
	int rc = msg_recv(w->sock, w->m);
	if (rc == -EAGAIN)
		return false;
	if (rc == 0) {
		log_error("the supervisor closed the socket: exiting");
		sworker_exit(w, 1);
		return false;
	}
	if (rc < 0) {
		log_error("bad message from the supervisor: %s",
			  rc == -EBADMSG && w->m->error ? w->m->error : strerror(-rc));
		sworker_exit(w, 1);
		return false;
	}
	if (w->m->fd >= 0) {
		close(w->m->fd);
		log_error("the supervisor passed an unexpected file descriptor");
		sworker_exit(w, 1);
		return false;
	}
	uint16_t t = w->m->type;
	bool expected = t == PROTO_CONFIG || t == PROTO_STATS_REQ || t == PROTO_SWEEP_NOW ||
			t == PROTO_SHUTDOWN;
	if (!expected || !proto_body_valid(t, w->m->body, w->m->len)) {
		const char *name = proto_type_name(t);
		log_error("malformed or unexpected message from the supervisor (type %s, %u bytes)",
			  name ? name : "unknown", w->m->len);
		sworker_exit(w, 1);
		return false;
	}
	return true;
}

static void sworker_dispatch(struct sworker *w)
{
	switch (w->m->type) {
	case PROTO_CONFIG:
		sworker_reload(w);
		break;
	case PROTO_STATS_REQ:
		sworker_send(w, PROTO_STATS_SWEEPER, &w->stats, sizeof(w->stats));
		break;
	case PROTO_SWEEP_NOW:
		sworker_sweep(w);
		break;
	case PROTO_SHUTDOWN:
		/* Nothing runs between sweeps: drained as soon as asked. */
		sworker_send(w, PROTO_DRAINED, NULL, 0);
		log_info("drained: exiting");
		if (!w->done)
			sworker_exit(w, 0);
		break;
	}
}

static void sworker_event(struct sworker *w, uint32_t src)
{
	uint64_t ticks;
	struct signalfd_siginfo si;
	switch (src) {
	case SRC_SOCK:
		if (sworker_receive(w))
			sworker_dispatch(w);
		break;
	case SRC_TIMER:
		if (read(w->tfd, &ticks, sizeof(ticks)) == sizeof(ticks))
			sworker_sweep(w);
		break;
	case SRC_SIGNAL:
		if (read(w->sigfd, &si, sizeof(si)) == sizeof(si)) {
			log_info("signal %d: exiting", (int)si.ssi_signo);
			sworker_exit(w, 0);
		}
		break;
	}
}

static int sworker_watch(struct sworker *w, int fd, uint32_t src)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = src };
	return epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

static int sworker_setup(struct sworker *w)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) != 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	w->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (w->epfd < 0 || w->tfd < 0 || w->sigfd < 0)
		return -errno;
	int rc;
	if ((rc = sworker_watch(w, w->sock, SRC_SOCK)) < 0 ||
	    (rc = sworker_watch(w, w->tfd, SRC_TIMER)) < 0 ||
	    (rc = sworker_watch(w, w->sigfd, SRC_SIGNAL)) < 0)
		return rc;
	return sworker_arm(w);
}

static int sworker_first_config(struct sworker *w)
{
	if (!sworker_receive(w))
		return w->done ? w->status : 1;
	if (w->m->type != PROTO_CONFIG) {
		log_error("expected CONFIG first from the supervisor, got %s",
			  proto_type_name(w->m->type));
		return 1;
	}
	char reason[200] = "";
	int rc = sworker_parse_config(w->m, &w->cfg, reason, sizeof(reason));
	if (rc < 0) {
		log_error("configuration refused: %s", reason);
		sworker_reply_config(w, rc, reason);
		return AOD_EX_CONFIG;
	}
	return 0;
}

int sweeperd_run(int sock)
{
	struct sworker *w = calloc(1, sizeof(*w));
	if (!w) {
		log_error("out of memory");
		return 1;
	}
	w->sock = sock;
	w->epfd = w->tfd = w->sigfd = -1;
	w->m = malloc(sizeof(*w->m));
	int status = w->m ? sworker_first_config(w) : 1;
	if (status == 0) {
		int rc = sworker_setup(w);
		if (rc < 0) {
			log_error("cannot set up the event loop: %s", strerror(-rc));
			status = 1;
		}
	}
	if (status == 0) {
		sworker_send(w, PROTO_READY, NULL, 0);
		log_info("ready: keeping %s under %.1f MiB and %.2f days, sweeping every %u s",
			 w->cfg->output_dir, w->cfg->max_total_log_size_mb, w->cfg->max_log_age_days,
			 w->cfg->cleanup_interval_sec);
		sworker_sweep(w);
		while (!w->done) {
			struct epoll_event ev;
			int n = epoll_wait(w->epfd, &ev, 1, -1);
			if (n < 0 && errno != EINTR) {
				log_error("epoll_wait: %s", strerror(errno));
				sworker_exit(w, 1);
			} else if (n == 1) {
				sworker_event(w, ev.data.u32);
			}
		}
		status = w->status;
	}
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->tfd >= 0)
		close(w->tfd);
	if (w->sigfd >= 0)
		close(w->sigfd);
	config_free(w->cfg);
	free(w->m);
	free(w);
	return status;
}
