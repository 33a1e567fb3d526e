// SPDX-License-Identifier: GPL-2.0-only
/*
 * The worker skeleton's process half: command line, logging, the fd check
 * and the privilege drop (wproc.h). The protocol half is wproc_run.c.
 */
#include "wproc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "aod_build.h"
#include "log.h"
#include "privdrop.h"
#include "sandbox.h"

#define WPROC_MAX_CAPS 64

struct wproc_args {
	bool foreground;
	const char *user;
	const char *caps;
};

static void wproc_usage(const struct wproc_desc *d, FILE *out)
{
	fprintf(out,
		"usage: aodv2-%s [-f] [--user USER] [--caps cap_a,cap_b]\n"
		"%s\n"
		"Started by aodv2-supervisor with its socket on fd %d, not by hand.\n"
		"  -f, --foreground  also log to stderr\n"
		"  --user USER       drop to USER (default %s, fallback %s)\n"
		"  --caps LIST       %s\n"
		"  --help, --version\n",
		d->name, d->purpose, MSG_WORKER_FD, AOD_SERVICE_USER, AOD_FALLBACK_USER,
		d->caps_use);
}

/* Returns 0 to run, 1 when done (--help, --version), -EINVAL. */
static int wproc_parse_args(const struct wproc_desc *d, int argc, char **argv,
			    struct wproc_args *a)
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
		case 'h': wproc_usage(d, stdout); return 1;
		case 'V': printf("aodv2-%s %s\n", d->name, AOD_VERSION); return 1;
		default: wproc_usage(d, stderr); return -EINVAL;
		}
	}
	if (optind != argc) {
		wproc_usage(d, stderr);
		return -EINVAL;
	}
	return 0;
}

static int wproc_drop_privileges(const struct wproc_desc *d, const struct wproc_args *a)
{
	int caps[WPROC_MAX_CAPS];
	int ncaps = 0, fell_back;
	uid_t uid;
	gid_t gid;

	if (a->caps && *a->caps) {
		ncaps = privdrop_parse_caps(a->caps, caps, WPROC_MAX_CAPS);
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
	/* Not dumpable, whatever fs.suid_dumpable says: /proc/<pid>/mem,
	 * environ, fd and ptrace are closed to the other workers of our uid
	 * (the kernel still lets a process at its own /proc/self). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		rc = -errno;
		log_error("cannot make aodv2-%s non-dumpable: %s", d->name, strerror(-rc));
		return rc;
	}
	/* also reopens syslog's connection, which the sweep closed */
	privdrop_close_fds_from(MSG_WORKER_FD + 1 + (int)d->extra_fds);
	return 0;
}

int wproc_start(const struct wproc_desc *d, int argc, char **argv)
{
	struct wproc_args a = { 0 };
	char comm[16];

	int rc = wproc_parse_args(d, argc, argv, &a);
	if (rc != 0)
		return rc > 0 ? 0 : 1;
	snprintf(comm, sizeof(comm), "aodv2-%s", d->name);
	prctl(PR_SET_NAME, comm, 0, 0, 0);
	log_init(d->name, a.foreground);
	for (unsigned i = 0; i <= d->extra_fds; i++) {
		if (fcntl(MSG_WORKER_FD + (int)i, F_GETFD) < 0) {
			log_error("fd %u is not open: aodv2-%s is started by aodv2-supervisor",
				  MSG_WORKER_FD + i, d->name);
			return 1;
		}
	}
	if (wproc_drop_privileges(d, &a) < 0)
		return 1;
	if (d->sandbox && sandbox_seccomp(d->name, d->sandbox) < 0)
		return 1;
	log_info("started (aodv2 %s), waiting for the configuration", AOD_VERSION);
	return -1;
}
