// SPDX-License-Identifier: GPL-2.0-only
/*
 * probe_smoke: opens the probes (probes.h) as the supervisor does, prints
 * every event as a recording CSV line (common/recording.h's header) for a
 * while, then the probe status and counters. Used inside the test VM to see
 * the probes on a real cifs client; cifs may be loaded before or while it
 * runs.
 *
 *   probe_smoke [-t SECONDS] [-m MIN_LATENCY_MS] [-x CMD_FILTER_MASK]
 *               [-s STUCK_MS] [-L] (no latency events) [-E] (no error events)
 *               [-r READY_FILE] (created once the probes are open)
 *
 * SIGUSR1 prints the status; SIGUSR2 switches both tools off (the cifs
 * programs detach, so cifs can be unloaded) and on again (probes_update).
 *
 * Exit: 0 after the time is up, 1 when the probes cannot be opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "probes.h"
#include "smb_tables.h"

#define SMOKE_MAX_FDS 8

struct smoke {
	uint64_t t0_ns;
	uint64_t events;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void print_event(const struct smoke *s, const struct aod_event *ev)
{
	const char *cmd = smb2_command_name(ev->command);
	const char *err = ev->err ? errno_name(ev->err) : "";
	char errbuf[16], status[16] = "";

	if (!err) {
		snprintf(errbuf, sizeof(errbuf), "%d", ev->err);
		err = errbuf;
	}
	if (ev->nt_status)
		snprintf(status, sizeof(status), "0x%08" PRIx32, ev->nt_status);
	printf("%" PRIu64 ",%s,%s,%" PRIu64 ",%s,%s,%" PRIu64 ",%" PRIu32 ",%" PRIu64 ",%" PRIu32 ",%s\n",
	       (uint64_t)(ev->ts_ns > s->t0_ns ? ev->ts_ns - s->t0_ns : 0),
	       ev->kind == AOD_EV_LATENCY ? "latency" : "error", cmd ? cmd : "?", (uint64_t)ev->latency_ns, err,
	       status, (uint64_t)ev->session_id, ev->tree_id, (uint64_t)ev->message_id, ev->pid, ev->comm);
}

static void sink(const struct aod_event *ev, size_t n, void *arg)
{
	struct smoke *s = arg;

	for (size_t i = 0; i < n; i++)
		print_event(s, &ev[i]);
	s->events += n;
	fflush(stdout);
}

static void print_status(const struct probes *p, const struct smoke *s)
{
	static const char *const names[AOD_CNT_NR] = {
		"emitted", "rb_dropped", "starts", "matched", "unmatched", "flushed", "filtered", "replaced",
		"op_err_same",
	};
	struct probes_status st;

	probes_get_status(p, &st);
	fprintf(stderr, "# status: variant=%s cifs_loaded=%d latency_attached=%d errors_attached=%d "
		"op_err_attached=%u\n", st.variant, st.cifs_loaded, st.latency_attached,
		st.errors_attached, st.op_err_attached);
	fprintf(stderr, "# detail: %s\n", st.detail);
	fprintf(stderr, "# events printed: %" PRIu64 "; rejected %" PRIu64 "; in flight %" PRIu64
		" (stuck %" PRIu64 ", oldest %" PRIu64 " ns)\n", s->events, st.rejected, st.inflight,
		st.stuck, st.oldest_inflight_ns);
	for (int i = 0; i < AOD_CNT_NR; i++)
		fprintf(stderr, "# counter %s=%" PRIu64 "\n", names[i] ? names[i] : "?", st.counters[i]);
}

static int parse_args(int argc, char **argv, struct probes_opts *o, unsigned *secs, const char **ready)
{
	int c;

	while ((c = getopt(argc, argv, "t:m:x:s:LEr:")) != -1) {
		char *end;
		unsigned long v;

		switch (c) {
		case 't':
		case 'm':
		case 'x':
		case 's':
			errno = 0;
			v = strtoul(optarg, &end, 0);
			if (errno || *end || end == optarg) {
				fprintf(stderr, "probe_smoke: -%c wants a number, not %s\n", c, optarg);
				return -1;
			}
			if (c == 't')
				*secs = (unsigned)v;
			else if (c == 'm')
				o->min_latency_ns = (uint64_t)v * 1000000u;
			else if (c == 's')
				o->stuck_after_ns = (uint64_t)v * 1000000u;
			else
				o->cmd_filter_mask = (uint32_t)v;
			break;
		case 'L':
			o->want_latency = false;
			break;
		case 'E':
			o->want_errors = false;
			break;
		case 'r':
			*ready = optarg;
			break;
		default:
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

/* SIGUSR2: both tools off, or back to the options given. */
static void toggle(struct probes *p, const struct probes_opts *given, bool *off)
{
	struct probes_opts none = *given;
	int err;

	none.want_latency = none.want_errors = false;
	*off = !*off;
	err = probes_update(p, *off ? &none : given);
	fprintf(stderr, "# probes %s: %s\n", *off ? "off" : "on", err ? strerror(-err) : "ok");
}

/* A signal: 1 to stop, 0 to go on. */
static int on_signal(struct probes *p, const struct smoke *s, int sig_fd, const struct probes_opts *given,
		     bool *off)
{
	struct signalfd_siginfo si;

	if (read(sig_fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return 0;
	if (si.ssi_signo == SIGUSR1) {
		print_status(p, s);
		return 0;
	}
	if (si.ssi_signo == SIGUSR2) {
		toggle(p, given, off);
		return 0;
	}
	return 1;
}

static int run(struct probes *p, const struct smoke *s, const struct probes_opts *given, int timer_fd,
	       int sig_fd)
{
	int fds[SMOKE_MAX_FDS], n = probes_fds(p, fds, SMOKE_MAX_FDS);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	bool off = false;

	if (ep < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		struct epoll_event e = { .events = EPOLLIN, .data.fd = fds[i] };

		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e) != 0)
			goto fail;
	}
	{
		struct epoll_event e1 = { .events = EPOLLIN, .data.fd = timer_fd };
		struct epoll_event e2 = { .events = EPOLLIN, .data.fd = sig_fd };

		if (epoll_ctl(ep, EPOLL_CTL_ADD, timer_fd, &e1) != 0 ||
		    epoll_ctl(ep, EPOLL_CTL_ADD, sig_fd, &e2) != 0)
			goto fail;
	}
	for (;;) {
		struct epoll_event evs[SMOKE_MAX_FDS];
		int k = epoll_wait(ep, evs, SMOKE_MAX_FDS, -1);
		bool stop = false;

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			goto fail;
		for (int i = 0; i < k; i++) {
			if (evs[i].data.fd == timer_fd)
				stop = true;
			else if (evs[i].data.fd == sig_fd && on_signal(p, s, sig_fd, given, &off))
				stop = true;
		}
		if (probes_handle(p) < 0)
			fprintf(stderr, "# probes_handle failed\n");
		if (stop)
			break;
	}
	close(ep);
	return 0;
fail:
	{
		int err = -errno;

		close(ep);
		return err;
	}
}

int main(int argc, char **argv)
{
	struct probes_opts o = { .want_latency = true, .want_errors = true };
	struct smoke s = { 0 };
	struct itimerspec its = { 0 };
	const char *ready = NULL;
	unsigned secs = 10;
	struct probes *p;
	sigset_t mask;
	int err, timer_fd, sig_fd;

	log_init("probe_smoke", true);
	if (parse_args(argc, argv, &o, &secs, &ready) != 0) {
		fprintf(stderr, "usage: probe_smoke [-t SECONDS] [-m MIN_LATENCY_MS] [-x CMD_FILTER_MASK] "
				"[-s STUCK_MS] [-L] [-E] [-r READY_FILE]\n");
		return 2;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sig_fd = signalfd(-1, &mask, SFD_CLOEXEC);
	timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (sig_fd < 0 || timer_fd < 0) {
		perror("probe_smoke: signalfd/timerfd");
		return 1;
	}
	s.t0_ns = mono_ns();
	err = probes_open(&o, sink, &s, &p);
	if (err) {
		fprintf(stderr, "probe_smoke: cannot open the probes: %s\n", strerror(-err));
		return 1;
	}
	print_status(p, &s);
	printf("ts_ns,kind,command,latency_ns,errno,nt_status,session_id,tree_id,message_id,pid,comm\n");
	fflush(stdout);
	if (ready) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (fd >= 0)
			close(fd);
	}
	its.it_value.tv_sec = secs ? secs : 1;
	timerfd_settime(timer_fd, 0, &its, NULL);
	err = run(p, &s, &o, timer_fd, sig_fd);
	if (err)
		fprintf(stderr, "probe_smoke: event loop failed: %s\n", strerror(-err));
	print_status(p, &s);
	probes_close(p);
	close(timer_fd);
	close(sig_fd);
	return err ? 1 : 0;
}
