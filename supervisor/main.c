// SPDX-License-Identifier: GPL-2.0-only
/* aodv2-supervisor: start-up, the signal handling and the loop. */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "aod_build.h"
#include "args.h"
#include "log.h"
#include "privdrop.h"
#include "proctitle.h"
#include "reload.h"
#include "shutdown.h"
#include "sources.h"
#include "status.h"
#include "sup.h"

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

static int mkdir_p(const char *dir, mode_t mode)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, mode) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int sup_prepare_output_dir(struct sup *s, const char *dir)
{
	int rc = mkdir_p(dir, 0750);
	if (rc < 0) {
		log_error("cannot create output directory %s: %s", dir, strerror(-rc));
		return rc;
	}
	if (geteuid() == 0 && chown(dir, s->svc_uid, s->svc_gid) != 0) {
		rc = -errno;
		log_error("cannot hand output directory %s to %s: %s", dir, s->svc_user, strerror(errno));
		return rc;
	}
	return 0;
}

void sup_log_ring(struct sup *s)
{
	struct ring_stats st;

	if (!s->ring)
		return;
	ring_get_stats(s->ring, &st);
	log_info("ring: produced %" PRIu64 ", consumed %" PRIu64 ", dropped %" PRIu64 ", left %u",
		 st.produced, st.consumed, st.dropped, st.used);
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
		log_error("cannot resolve service user %s (nor %s): %s", s->cfg->service_user,
			  AOD_FALLBACK_USER, strerror(-rc));
		return rc;
	}
	snprintf(s->svc_user, sizeof(s->svc_user), "%s",
		 fell_back ? AOD_FALLBACK_USER : s->cfg->service_user);
	return 0;
}

static void sup_on_signal(struct loop_watch *lw, uint32_t events)
{
	struct sup *s = lw->obj;
	struct signalfd_siginfo si;
	(void)events;

	while (read(s->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
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
		}
	}
}

static int sup_signals(struct sup *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	s->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->sig_fd < 0)
		return -errno;
	return loop_add(s->loop, &s->sig_watch, s->sig_fd, EPOLLIN, sup_on_signal, s);
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

static int sup_start(struct sup *s)
{
	int rc;

	if ((rc = sup_resolve_user(s)) < 0)
		return rc;
	sup_prepare_output_dir(s, s->cfg->output_dir);
	if ((rc = ring_create(s->cfg->ring_capacity_events, &s->ring)) < 0) {
		log_error("cannot create the event ring (%u events): %s", s->cfg->ring_capacity_events,
			  strerror(-rc));
		return rc;
	}
	if ((rc = loop_open(&s->loop, LOOP_BATCH_MAX)) < 0 || (rc = sup_signals(s)) < 0 ||
	    (rc = children_init(s)) < 0 || (rc = status_init(s)) < 0 || (rc = shutdown_init(s)) < 0) {
		log_error("cannot set up the event loop: %s", strerror(-rc));
		return rc;
	}
	const char *sock = s->args.socket_path ? s->args.socket_path : s->cfg->control_socket;
	if ((rc = control_open(s, sock)) < 0)
		return rc;
	if ((rc = sup_open_source(s)) < 0)
		return rc;
	flightrec_open(&s->flightrec, s, s->bpf != NULL);
	return children_start_all(s);
}

static void sup_close(struct sup *s)
{
	sup_log_ring(s);
	source_replay_close(s->replay);
	source_bpf_close(s->bpf);
	if (s->loop) {
		control_close(s);
		children_close(s);
	}
	flightrec_close(&s->flightrec);
	loop_close(s->loop);
	if (s->sig_fd >= 0)
		close(s->sig_fd);
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

/* Every fd and watch starts as "none", so cleanup after a failed start
 * never closes fd 0. */
static void sup_init_fds(struct sup *s)
{
	s->sig_fd = s->stop_tfd = s->gather.tfd = s->ctl.listen_fd = -1;
	s->sig_watch.fd = s->stop_watch.fd = s->gather.watch.fd = s->ctl.listen_watch.fd = -1;
	for (int i = 0; i < W_NR; i++) {
		s->workers[i].sock = s->workers[i].restart_tfd = -1;
		s->workers[i].sock_watch.fd = s->workers[i].restart_watch.fd = -1;
	}
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		s->ctl.clients[i].fd = s->ctl.clients[i].idle_tfd = -1;
		s->ctl.clients[i].watch.fd = s->ctl.clients[i].idle_watch.fd = -1;
	}
}

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
	}
	log_info("stopped (exit status %d)", s->exit_status);
	return s->exit_status;
}

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
