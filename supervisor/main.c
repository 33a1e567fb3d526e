// SPDX-License-Identifier: GPL-2.0-only
/*
 * aodv2-supervisor, top-down: main parses the command line, then runs: the
 * config is loaded, everything is started (service user, output directory,
 * ring, loop, signals, workers' slots, control socket, event source,
 * workers), and the loop turns until the stop sequence ends, settling after
 * every turn what the turn's handlers recorded (settle.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "aod_build.h"
#include "flightrec.h"
#include "args.h"
#include "children.h"
#include "control_req.h"
#include "log.h"
#include "manual.h"
#include "outdir.h"
#include "privdrop.h"
#include "proctitle.h"
#include "reload.h"
#include "routing.h"
#include "settle.h"
#include "shutdown.h"
#include "sources.h"
#include "metrics.h"
#include "status.h"
#include "sup.h"
#include "watchdog.h"
#include "worker_table.h"

static int check_config(const struct sup_args *a);
static void sup_init_fds(struct sup *s);
static int sup_run(struct sup *s);
static void sup_close(struct sup *s);

int main(int argc, char **argv)
{
	struct sup s;
	char **args = proctitle_set(argc, argv, "aodv2-supervisor");

	if (!args) {
		fprintf(stderr, "aodv2-supervisor: out of memory\n");
		return SUP_EXIT_FAILURE;
	}
	memset(&s, 0, sizeof(s));
	sup_init_fds(&s);
	int rc = args_parse(argc, args, &s.args);
	if (rc != 0) {
		proctitle_free(argc, args);
		return rc > 0 ? SUP_EXIT_OK : SUP_EXIT_USAGE;
	}
	if (s.args.check_config) {
		rc = check_config(&s.args);
		proctitle_free(argc, args);
		return rc;
	}
	log_init("supervisor", s.args.foreground);
	rc = sup_run(&s);
	sup_close(&s);
	proctitle_free(argc, args);
	return rc;
}

/* ---- running ------------------------------------------------------------ */

static int print_config_errors(const char *path, int rc, struct config_errors *errs);
static int sup_start(struct sup *s);

static int sup_run(struct sup *s)
{
	struct config_errors errs = { 0 };
	struct aod_config *cfg = NULL;
	int rc = config_load(s->args.config_path, s->args.dropin_dir, &cfg, &errs);

	if (rc < 0) {
		for (unsigned i = 0; i < errs.n; i++)
			log_error("%s", errs.lines[i]);
		if (!s->args.foreground)
			return print_config_errors(s->args.config_path, rc, &errs);
		config_errors_free(&errs);
		return AOD_EX_CONFIG;
	}
	s->msg = calloc(1, sizeof(*s->msg));
	if (!s->msg || reload_adopt(s, cfg) < 0) {
		if (!s->cfg)
			config_free(cfg);
		log_error("out of memory");
		return SUP_EXIT_FAILURE;
	}
	rc = sup_start(s);
	if (rc < 0) {
		children_kill_all(s);
		return rc == -EINVAL ? AOD_EX_CONFIG : SUP_EXIT_FAILURE;
	}
	log_info("aodv2-supervisor %s running: workers as %s, output in %s", AOD_VERSION,
		 s->svc_user, s->cfg->output_dir);
	while (!s->done) {
		rc = loop_run_once(s->loop, -1);
		if (rc < 0) {
			log_error("event loop: %s", strerror(-rc));
			children_kill_all(s);
			return SUP_EXIT_FAILURE;
		}
		sup_settle(s);
	}
	log_info("stopped (exit status %d)", s->exit_status);
	return s->exit_status;
}

/* ---- start-up ----------------------------------------------------------- */

static int sup_resolve_user(struct sup *s);
static int sup_signals(struct sup *s);
static int sup_open_source(struct sup *s);

static int sup_start(struct sup *s)
{
	int rc;

	if ((rc = sup_resolve_user(s)) < 0)
		return rc;
	outdir_prepare(s->cfg->output_dir, s->svc_uid, s->svc_gid, s->svc_user);
	if ((rc = ring_create(s->cfg->ring_capacity_events, &s->ring)) < 0) {
		log_error("cannot create the event ring (%u events): %s", s->cfg->ring_capacity_events,
			  strerror(-rc));
		return rc;
	}
	if ((rc = loop_open(&s->loop, LOOP_BATCH_MAX)) < 0 || (rc = sup_signals(s)) < 0 ||
	    (rc = children_init(s, worker_table, routing_on_worker_io)) < 0 ||
	    (rc = status_init(s)) < 0 || (rc = metrics_init(s)) < 0 || (rc = shutdown_init(s)) < 0 ||
	    (rc = watchdog_init(s, s->args.worker_timeout_sec)) < 0) {
		log_error("cannot set up the event loop: %s", strerror(-rc));
		return rc;
	}
	const char *sock = s->args.socket_path ? s->args.socket_path : s->cfg->control_socket;
	if ((rc = control_open(&s->ctl, s->loop, s->msg, sock, control_request, s)) < 0)
		return rc;
	if ((rc = sup_open_source(s)) < 0)
		return rc;
	s->flightrec = calloc(1, sizeof(*s->flightrec));
	if (s->flightrec)
		flightrec_open(s->flightrec, s, s->bpf != NULL);
	else
		log_error("flight recorder: out of memory; collections go without it");
	return children_start_all(s);
}

/* The user the workers drop to. A non-root supervisor (a developer run)
 * cannot switch users, so its workers stay its own user. */
static int sup_resolve_user(struct sup *s)
{
	int fell_back = 0;

	if (geteuid() != 0) {
		struct passwd *pw = getpwuid(getuid());
		if (!pw) {
			log_error("cannot find the name of uid %u", (unsigned)getuid());
			return -ENOENT;
		}
		snprintf(s->svc_user, sizeof(s->svc_user), "%s", pw->pw_name);
		s->svc_uid = pw->pw_uid;
		s->svc_gid = pw->pw_gid;
		log_warn("not running as root: workers run as %s, and the probes cannot load", s->svc_user);
		return 0;
	}
	int rc = privdrop_resolve(s->cfg->service_user, &s->svc_uid, &s->svc_gid, &fell_back);
	if (rc < 0) {
		log_error("cannot resolve service user %s: %s%s", s->cfg->service_user,
			  rc == -ENOENT ? "no such user" : strerror(-rc),
			  rc == -ENOENT ? " (a typo? to run as nobody, write service_user: nobody)" : "");
		return rc;
	}
	snprintf(s->svc_user, sizeof(s->svc_user), "%s",
		 fell_back ? AOD_FALLBACK_USER : s->cfg->service_user);
	return 0;
}

static void sup_on_signal(struct loop_watch *lw, uint32_t events);

static int sup_signals(struct sup *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	signal(SIGPIPE, SIG_IGN);
	return loop_add_signals(s->loop, &s->sig_watch, &set, sup_on_signal, s);
}

static void sup_on_signal(struct loop_watch *lw, uint32_t events)
{
	struct sup *s = lw->obj;
	struct signalfd_siginfo si;
	(void)events;

	while (read(lw->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			children_reap(s);
			break;
		case SIGHUP:
			if (s->phase == PHASE_RUNNING) {
				log_info("SIGHUP: reloading the configuration");
				reload_config(s, NULL);
			}
			break;
		case SIGINT:
			if (++s->int_count >= 2) {
				log_warn("second SIGINT: stopping at once");
				children_kill_all(s);
				s->exit_status = SUP_EXIT_INTERRUPTED;
				s->done = true;
				return;
			}
			shutdown_begin(s, SUP_EXIT_OK, "SIGINT");
			break;
		case SIGTERM:
			shutdown_begin(s, SUP_EXIT_OK, "SIGTERM");
			break;
		case SIGUSR1:
			manual_on_sigusr1(s);
			break;
		}
	}
}

static int sup_open_source(struct sup *s)
{
	if (s->args.source == SOURCE_REPLAY) {
		s->oneshot = s->args.oneshot ? ONESHOT_FEEDING : ONESHOT_OFF;
		return source_replay_open(s, s->args.replay_path, s->args.replay_max, &s->replay);
	}
#if AOD_HAVE_PROBES
	return source_bpf_open(s, &s->bpf);
#else
	log_error("this build has no eBPF probes (built without clang and bpftool): "
		  "only --source replay:FILE works");
	return -ENOTSUP;
#endif
}

/* ---- the end ------------------------------------------------------------ */

static void sup_log_ring(struct sup *s)
{
	struct ring_stats st;

	if (!s->ring)
		return;
	ring_get_stats(s->ring, &st);
	log_info("ring: produced %" PRIu64 ", consumed %" PRIu64 ", dropped %" PRIu64 ", left %u",
		 st.produced, st.consumed, st.dropped, st.used);
}

static void sup_close(struct sup *s)
{
	sup_log_ring(s);
	source_replay_close(s->replay);
	source_bpf_close(s->bpf);
	if (s->loop) {
		control_close(&s->ctl);
		metrics_close(s);
		children_close(s);
		watchdog_close(s);
	}
	flightrec_close(s->flightrec);
	free(s->flightrec);
	s->flightrec = NULL;
	loop_close(s->loop);
	if (s->sig_watch.fd >= 0)
		close(s->sig_watch.fd);
	if (s->stop_tfd >= 0)
		close(s->stop_tfd);
	if (s->gather.tfd >= 0)
		close(s->gather.tfd);
	if (s->ring)
		ring_close(s->ring);
	config_free(s->cfg);
	free(s->cfg_yaml);
	free(s->msg);
}

/* ---- helpers ------------------------------------------------------------ */

/* Every fd and watch starts as "none", so cleanup after a failed start
 * never closes fd 0. */
static void sup_init_fds(struct sup *s)
{
	s->stop_tfd = s->gather.tfd = s->metrics.tfd = -1;
	s->sig_watch.fd = s->stop_watch.fd = s->gather.watch.fd = s->watchdog.watch.fd = -1;
	s->metrics.watch.fd = -1;
	for (int i = 0; i < W_NR; i++) {
		s->workers[i].sock = s->workers[i].restart_tfd = -1;
		s->workers[i].sock_watch.fd = s->workers[i].restart_watch.fd = -1;
	}
	control_init(&s->ctl);
}

static int print_config_errors(const char *path, int rc, struct config_errors *errs)
{
	for (unsigned i = 0; i < errs->n; i++)
		fprintf(stderr, "%s\n", errs->lines[i]);
	if (!errs->n)
		fprintf(stderr, "%s: %s\n", path, strerror(-rc));
	config_errors_free(errs);
	return AOD_EX_CONFIG;
}

/* --check-config: the merged config on stdout, or every error on stderr. */
static int check_config(const struct sup_args *a)
{
	struct aod_config *cfg = NULL;
	struct config_errors errs = { 0 };
	int rc = config_load(a->config_path, a->dropin_dir, &cfg, &errs);

	if (rc < 0)
		return print_config_errors(a->config_path, rc, &errs);
	char *yaml = config_dump(cfg);
	config_free(cfg);
	if (!yaml) {
		fprintf(stderr, "aodv2-supervisor: out of memory\n");
		return SUP_EXIT_FAILURE;
	}
	fputs(yaml, stdout);
	free(yaml);
	return fflush(stdout) == 0 ? SUP_EXIT_OK : SUP_EXIT_FAILURE;
}
