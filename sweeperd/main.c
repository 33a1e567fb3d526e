// SPDX-License-Identifier: GPL-2.0-only
/*
 * aodv2-sweeperd: started by aodv2-supervisor with its socket on fd 3 as
 *   aodv2-sweeperd [-f] --user USER
 * It drops to USER with no capabilities (--caps is accepted for the common
 * worker command line; the supervisor passes none), then keeps the output
 * directory within its limits (worker.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "aod_build.h"
#include "log.h"
#include "msg.h"
#include "privdrop.h"
#include "worker.h"

#define SWEEPERD_MAX_CAPS 16

static void usage(FILE *out)
{
	fprintf(out,
		"usage: aodv2-sweeperd [-f] --user USER\n"
		"Keeps aodv2's output directory within its size and age limits; started by\n"
		"aodv2-supervisor with its socket on fd %d, not by hand.\n"
		"  -f, --foreground  also log to stderr\n"
		"  --user USER       drop to USER (fallback: nobody)\n"
		"  --caps LIST       capabilities to keep (none are needed)\n",
		MSG_WORKER_FD);
}

struct sweeperd_args {
	bool foreground;
	const char *user;
	const char *caps;
};

static int parse_args(int argc, char **argv, struct sweeperd_args *a)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "user", required_argument, NULL, 'u' },
		{ "caps", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (opt) {
		case 'f': a->foreground = true; break;
		case 'u': a->user = optarg; break;
		case 'c': a->caps = optarg; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("aodv2-sweeperd %s\n", AOD_VERSION); exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

static int drop_privileges(const struct sweeperd_args *a)
{
	int caps[SWEEPERD_MAX_CAPS];
	int ncaps = 0;
	uid_t uid;
	gid_t gid;
	int fell_back;

	if (a->caps && *a->caps) {
		ncaps = privdrop_parse_caps(a->caps, caps, SWEEPERD_MAX_CAPS);
		if (ncaps < 0) {
			log_error("--caps %s: not a list of capability names", a->caps);
			return ncaps;
		}
	}
	int rc = privdrop_resolve(a->user, &uid, &gid, &fell_back);
	if (rc < 0) {
		log_error("cannot resolve user %s: %s", a->user ? a->user : AOD_SERVICE_USER,
			  strerror(-rc));
		return rc;
	}
	rc = privdrop_apply(uid, gid, caps, (size_t)ncaps);
	if (rc < 0) {
		log_error("cannot drop privileges to uid %u: %s", (unsigned)uid, strerror(-rc));
		return rc;
	}
	privdrop_close_fds_from(MSG_WORKER_FD + 1);
	return 0;
}

int main(int argc, char **argv)
{
	struct sweeperd_args a = { 0 };
	if (parse_args(argc, argv, &a) < 0)
		return 1;
	log_init("sweeperd", a.foreground);
	if (fcntl(MSG_WORKER_FD, F_GETFD) < 0) {
		log_error("fd %d is not open: aodv2-sweeperd is started by aodv2-supervisor",
			  MSG_WORKER_FD);
		return 1;
	}
	if (drop_privileges(&a) < 0)
		return 1;
	/* The fd sweep closed syslog's socket behind glibc's back: reopen it
	 * now, before the number is reused by something that is not syslog. */
	closelog();
	log_init("sweeperd", a.foreground);
	return sweeperd_run(MSG_WORKER_FD);
}
