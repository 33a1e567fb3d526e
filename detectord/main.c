// SPDX-License-Identifier: GPL-2.0-only
/*
 * aodv2-detectord: judges the shared event ring and reports anomalies to the
 * supervisor. Started by aodv2-supervisor only, with its socket on fd 3 and
 * the ring on fds 4 (memfd), 5 (data eventfd) and 6 (space eventfd).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "aod_build.h"
#include "detectord.h"
#include "log.h"
#include "privdrop.h"

#define DD_MAX_CAPS 64

struct dd_args {
	bool foreground;
	const char *user;
	const char *caps;
};

static void dd_usage(FILE *f)
{
	fprintf(f,
		"usage: aodv2-detectord [-f] --user USER [--caps CAP,...]\n"
		"\n"
		"The anomaly detector of aodv2 " AOD_VERSION ". It is started by aodv2-supervisor,\n"
		"which passes its socket on fd 3 and the shared event ring on fds 4-6, and\n"
		"sends the configuration; it is not meant to be run by hand.\n"
		"\n"
		"  -f            log to stderr as well as syslog\n"
		"  --user USER   the unprivileged user to run as\n"
		"  --caps LIST   capabilities to keep (detectord needs none)\n");
}

static int dd_parse_args(int argc, char **argv, struct dd_args *a)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "caps", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a->foreground = true;
			break;
		case 'u':
			a->user = optarg;
			break;
		case 'c':
			a->caps = optarg;
			break;
		case 'h':
			dd_usage(stdout);
			exit(0);
		default:
			dd_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc || !a->user) {
		dd_usage(stderr);
		return -EINVAL;
	}
	return 0;
}

static int dd_drop_privileges(const struct dd_args *a)
{
	int caps[DD_MAX_CAPS];
	int ncaps = 0, fell_back, r;
	uid_t uid;
	gid_t gid;

	if (a->caps && a->caps[0]) {
		ncaps = privdrop_parse_caps(a->caps, caps, DD_MAX_CAPS);
		if (ncaps < 0) {
			log_error("bad --caps '%s'", a->caps);
			return ncaps;
		}
	}
	r = privdrop_resolve(a->user, &uid, &gid, &fell_back);
	if (r < 0) {
		log_error("cannot resolve user '%s': %s", a->user, strerror(-r));
		return r;
	}
	r = privdrop_apply(uid, gid, caps, (size_t)ncaps);
	if (r < 0) {
		log_error("cannot drop privileges to uid %u: %s", (unsigned)uid, strerror(-r));
		return r;
	}
	privdrop_close_fds_from(DD_RING_SPACE_FD + 1);
	return 0;
}

static int dd_watch(struct detectord *dd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	if (epoll_ctl(dd->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		log_error("cannot watch fd %d: %s", fd, strerror(errno));
		return -errno;
	}
	return 0;
}

static int dd_setup(struct detectord *dd)
{
	int r = ring_attach(DD_RING_MEMFD, DD_RING_DATA_FD, DD_RING_SPACE_FD, &dd->ring);

	if (r < 0) {
		log_error("cannot attach the event ring on fds %d-%d: %s", DD_RING_MEMFD,
			  DD_RING_SPACE_FD, strerror(-r));
		return r;
	}
	/* the ring keeps its own duplicates */
	close(DD_RING_MEMFD);
	close(DD_RING_DATA_FD);
	close(DD_RING_SPACE_FD);
	dd->msg = calloc(1, sizeof(*dd->msg));
	dd->epfd = epoll_create1(EPOLL_CLOEXEC);
	dd->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (!dd->msg || dd->epfd < 0 || dd->tfd < 0) {
		log_error("cannot set up the event loop: %s", strerror(errno ? errno : ENOMEM));
		return -ENOMEM;
	}
	if ((r = dd_watch(dd, dd->sock)) < 0 || (r = dd_watch(dd, dd->tfd)) < 0 ||
	    (r = dd_watch(dd, ring_data_fd(dd->ring))) < 0)
		return r;
	dd->mono_to_wall = detect_clock_offset();
	return 0;
}

static void dd_teardown(struct detectord *dd)
{
	detect_free(dd->det);
	if (dd->ring)
		ring_close(dd->ring);
	if (dd->tfd >= 0)
		close(dd->tfd);
	if (dd->epfd >= 0)
		close(dd->epfd);
	free(dd->msg);
	close(dd->sock);
}

int main(int argc, char **argv)
{
	struct dd_args args = { 0 };
	struct detectord dd = { .sock = MSG_WORKER_FD, .epfd = -1, .tfd = -1 };
	int status = DD_EXIT_FAILURE;

	prctl(PR_SET_NAME, "aodv2-detectord", 0, 0, 0);
	if (dd_parse_args(argc, argv, &args) < 0)
		return DD_EXIT_FAILURE;
	log_init("detectord", args.foreground);
	signal(SIGPIPE, SIG_IGN); /* a gone supervisor shows as EPIPE */
	if (dd_drop_privileges(&args) == 0 && dd_setup(&dd) == 0) {
		log_info("started (aodv2 %s), waiting for the configuration", AOD_VERSION);
		status = dd_loop(&dd);
	}
	dd_teardown(&dd);
	if (status != DD_EXIT_OK)
		log_info("exiting with status %d", status);
	return status;
}
