// SPDX-License-Identifier: GPL-2.0-only
/* aodctl: asks a running aodv2-supervisor over its control socket. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "aod_build.h"
#include "aodctl_exit.h"
#include "aodctl_outdir.h"
#include "config.h"
#include "msg.h"
#include "proto.h"

#define AODCTL_DEFAULT_SOCKET "/run/aodv2/aodv2.sock"
#define AODCTL_DEFAULT_OUTDIR "/var/log/aodv2"
#define AODCTL_TIMEOUT_MS 15000

static const char aodctl_help[] =
"NAME\n"
"    aodctl - control a running aodv2-supervisor\n"
"\n"
"SYNOPSIS\n"
"    aodctl [-s PATH] status [--json]\n"
"    aodctl [-s PATH] metrics\n"
"    aodctl [-s PATH] reload\n"
"    aodctl [-s PATH] collect [ANOMALY]\n"
"    aodctl [-s PATH] check-config\n"
"    aodctl [-o DIR] list\n"
"    aodctl [-o DIR] show NAME\n"
"    aodctl --help | --version\n"
"\n"
"DESCRIPTION\n"
"    status        workers (pid, state, uptime, restarts, user, capabilities), probes,\n"
"                  event ring counters, events judged and anomalies per anomaly,\n"
"                  collections, output directory use, config files in effect;\n"
"                  --json prints the same as one JSON object\n"
"    metrics       the Prometheus text exposition: every SMB request's latency\n"
"                  histogram and error counts by server, share and command,\n"
"                  requests in flight, anomalies, collections, drops\n"
"    reload        reload and validate the configuration (like SIGHUP); an invalid\n"
"                  one is refused with every error and the running one stays\n"
"    collect       run a collection now, with ANOMALY's actions (a name under\n"
"                  guardian.anomalies) or, without one, as a manual collection\n"
"    check-config  validate the configuration files the supervisor uses and print\n"
"                  the effective config\n"
"    list          the collections in the output directory, newest first: local\n"
"                  time, anomaly, type, status (complete, failed, partial), size\n"
"    show NAME     print collection NAME's summary.txt\n"
"\n"
"    status, metrics and check-config are allowed for root and members of group aodv2;\n"
"    reload and collect for root only. list and show read the output directory\n"
"    themselves, with the invoking user's rights (root or group aodv2).\n"
"\n"
"OPTIONS\n"
"    -s, --socket PATH  control socket (default: control_socket from\n"
"                       " AOD_DEFAULT_CONFIG ", else " AODCTL_DEFAULT_SOCKET ")\n"
"    -o, --output-dir DIR  output directory for list and show (default:\n"
"                       aod_output_dir from " AOD_DEFAULT_CONFIG ")\n"
"    -h, --help         print this help\n"
"    --version          print the version\n"
"\n"
"EXIT STATUS\n"
"    0   success\n"
"    1   the supervisor could not do it\n"
"    2   usage error\n"
"    3   no supervisor listens on the socket (absent, or not running)\n"
"    4   permission denied\n"
"    5   the supervisor's reply was malformed or did not come in time\n"
"    78  the configuration is invalid (reload, check-config)\n"
"\n"
"SEE ALSO\n"
"    aodv2-supervisor(8)\n";

/* A path: opt, else what the installed config says (the control socket or
 * the output directory), else the default. */
static char *aodctl_path(const char *opt, bool outdir)
{
	struct aod_config *cfg = NULL;
	struct config_errors errs = { 0 };
	char *path = NULL;

	if (opt)
		return strdup(opt);
	if (config_load(AOD_DEFAULT_CONFIG, AOD_DEFAULT_DROPIN_DIR, &cfg, &errs) == 0) {
		const char *p = outdir ? cfg->output_dir : cfg->control_socket;
		if (p)
			path = strdup(p);
		config_free(cfg);
	}
	config_errors_free(&errs);
	return path ? path : strdup(outdir ? AODCTL_DEFAULT_OUTDIR : AODCTL_DEFAULT_SOCKET);
}

static int aodctl_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "aodctl: socket path too long: %s\n", path);
		return -AODCTL_USAGE;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "aodctl: socket: %s\n", strerror(errno));
		return -AODCTL_FAILED;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	int err = errno;
	close(fd);
	if (err == EACCES || err == EPERM) {
		fprintf(stderr, "aodctl: permission denied on %s: aodctl needs root or membership in "
			"group aodv2\n", path);
		return -AODCTL_DENIED;
	}
	if (err == ENOENT || err == ECONNREFUSED || err == ENOTDIR)
		fprintf(stderr, "aodctl: no aodv2-supervisor listens on %s (%s); is it running?\n", path,
			strerror(err));
	else
		fprintf(stderr, "aodctl: cannot connect to %s: %s\n", path, strerror(err));
	return -AODCTL_UNREACHABLE;
}

static int aodctl_status_to_exit(int32_t st)
{
	switch (st) {
	case 0: return AODCTL_OK;
	case 2: return AODCTL_USAGE;
	case 4: return AODCTL_DENIED;
	case 78: return AODCTL_CONFIG;
	default: return AODCTL_FAILED;
	}
}

static int aodctl_await(int fd, struct msg *m)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int rc = poll(&pfd, 1, AODCTL_TIMEOUT_MS);

	if (rc == 0) {
		fprintf(stderr, "aodctl: no reply within %d s\n", AODCTL_TIMEOUT_MS / 1000);
		return -AODCTL_PROTOCOL;
	}
	rc = rc < 0 ? -errno : msg_recv(fd, m);
	if (rc == -ECONNRESET) {
		/* A supervisor that refused us closed with our request unread:
		 * the kernel reports that reset before the reason it queued for
		 * us, which the next read still returns (or end of file). */
		rc = msg_recv(fd, m);
	}
	if (rc == 0) {
		fprintf(stderr, "aodctl: the supervisor closed the connection without replying\n");
		return -AODCTL_PROTOCOL;
	}
	if (rc < 0) {
		fprintf(stderr, "aodctl: reading the reply: %s\n", strerror(-rc));
		return -AODCTL_PROTOCOL;
	}
	if (m->fd >= 0)
		close(m->fd);
	if (m->type != PROTO_CTL_REPLY || !proto_ctl_reply_valid(m->body, m->len)) {
		fprintf(stderr, "aodctl: malformed reply (type %u, %u bytes)\n", m->type, m->len);
		return -AODCTL_PROTOCOL;
	}
	return 0;
}

static int aodctl_request(const char *path, uint16_t type, const void *body, size_t len)
{
	struct msg *m = calloc(1, sizeof(*m));
	struct proto_ctl_reply hdr;
	int fd, rc;

	if (!m) {
		fprintf(stderr, "aodctl: out of memory\n");
		return AODCTL_FAILED;
	}
	fd = aodctl_connect(path);
	if (fd < 0) {
		free(m);
		return -fd;
	}
	rc = msg_send(fd, type, body, len, -1);
	if (rc == -EPIPE || rc == -ECONNRESET) {
		/* A supervisor that refuses a connection says why and closes it
		 * at once: the reason may already wait in the socket. */
		rc = aodctl_await(fd, m);
	} else if (rc < 0) {
		fprintf(stderr, "aodctl: sending the request to %s: %s\n", path, strerror(-rc));
		rc = -AODCTL_PROTOCOL;
	} else {
		rc = aodctl_await(fd, m);
	}
	close(fd);
	if (rc < 0) {
		free(m);
		return -rc;
	}
	memcpy(&hdr, m->body, sizeof(hdr));
	FILE *out = hdr.status == 0 ? stdout : stderr;
	fwrite(m->body + sizeof(hdr), 1, m->len - sizeof(hdr), out);
	fflush(out);
	free(m);
	return aodctl_status_to_exit(hdr.status);
}

static int aodctl_usage(const char *why)
{
	fprintf(stderr, "aodctl: %s\nTry 'aodctl --help'.\n", why);
	return AODCTL_USAGE;
}

static int aodctl_command(const char *path, int argc, char **argv)
{
	const char *cmd = argv[0];

	if (strcmp(cmd, "status") == 0) {
		uint8_t json = 0;
		if (argc == 2 && strcmp(argv[1], "--json") == 0)
			json = 1;
		else if (argc != 1)
			return aodctl_usage("status takes only --json");
		return aodctl_request(path, PROTO_CTL_STATUS, &json, 1);
	}
	if (strcmp(cmd, "metrics") == 0) {
		if (argc != 1)
			return aodctl_usage("this command takes no arguments");
		return aodctl_request(path, PROTO_CTL_METRICS, NULL, 0);
	}
	if (strcmp(cmd, "reload") == 0 || strcmp(cmd, "check-config") == 0) {
		if (argc != 1)
			return aodctl_usage("this command takes no arguments");
		return aodctl_request(path, cmd[0] == 'r' ? PROTO_CTL_RELOAD : PROTO_CTL_CHECK_CONFIG,
				      NULL, 0);
	}
	if (strcmp(cmd, "collect") == 0) {
		if (argc > 2)
			return aodctl_usage("collect takes at most one anomaly name");
		const char *name = argc == 2 ? argv[1] : "";
		if (strlen(name) >= PROTO_NAME_LEN)
			return aodctl_usage("anomaly name too long");
		return aodctl_request(path, PROTO_CTL_COLLECT, name, strlen(name));
	}
	return aodctl_usage("unknown command");
}

/* list and show read the output directory; the others ask the supervisor. */
static int aodctl_outdir_command(const char *dir, int argc, char **argv)
{
	if (strcmp(argv[0], "list") == 0)
		return argc == 1 ? aodctl_list(dir) : aodctl_usage("list takes no arguments");
	return argc == 2 ? aodctl_show(dir, argv[1]) : aodctl_usage("show takes one collection name");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "output-dir", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = NULL, *outdir = NULL;
	int c;

	/* '+': stop at the command, so "status --json" keeps its option. */
	while ((c = getopt_long(argc, argv, "+s:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'o': outdir = optarg; break;
		case 'h': fputs(aodctl_help, stdout); return AODCTL_OK;
		case 'V': printf("aodctl %s\n", AOD_VERSION); return AODCTL_OK;
		default: return aodctl_usage("bad option");
		}
	}
	if (optind >= argc)
		return aodctl_usage("no command given");
	const char *cmd = argv[optind];
	bool on_outdir = strcmp(cmd, "list") == 0 || strcmp(cmd, "show") == 0;
	char *path = aodctl_path(on_outdir ? outdir : sock, on_outdir);
	if (!path) {
		fprintf(stderr, "aodctl: out of memory\n");
		return AODCTL_FAILED;
	}
	int rc = on_outdir ? aodctl_outdir_command(path, argc - optind, argv + optind)
			   : aodctl_command(path, argc - optind, argv + optind);
	free(path);
	return rc;
}
