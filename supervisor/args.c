// SPDX-License-Identifier: GPL-2.0-only
#include "args.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "aod_build.h"
#include "config.h"

static const char sup_help[] =
"NAME\n"
"    aodv2-supervisor - watch the SMB/CIFS client and collect diagnostics on anomalies\n"
"\n"
"SYNOPSIS\n"
"    aodv2-supervisor [-f] [-c FILE] [-d DIR] [--check-config]\n"
"                     [--source bpf|replay:FILE] [--replay-speed max] [--oneshot]\n"
"                     [--record FILE] [--socket PATH] [--worker-timeout SEC]\n"
"                     [--version] [--help]\n"
"\n"
"DESCRIPTION\n"
"    The root process of aodv2. It creates the shared event ring, loads the eBPF\n"
"    probes (or replays a recording), and starts and supervises three workers,\n"
"    each dropped to the service user with only the capabilities it needs:\n"
"    aodv2-detectord (judges events), aodv2-collectord (collects diagnostics)\n"
"    and aodv2-sweeperd (keeps the output directory within its limits).\n"
"    A worker that dies is restarted after 1 s, doubling up to 60 s; the delay\n"
"    resets after 60 s of healthy running. A worker that stops answering the\n"
"    supervisor's pings is shown as \"not answering\" and, after --worker-timeout,\n"
"    killed and restarted. aodctl(8) talks to the control socket.\n"
"\n"
"OPTIONS\n"
"    -f, --foreground     log to stderr as well as syslog\n"
"    -c, --config FILE    base config (default " AOD_DEFAULT_CONFIG ")\n"
"    -d, --dropin DIR     drop-in directory (default " AOD_DEFAULT_DROPIN_DIR "; may be absent)\n"
"    --check-config       print the merged, effective config as YAML and exit 0,\n"
"                         or print every error on stderr and exit 78\n"
"    --source bpf         events from the eBPF probes (default)\n"
"    --source replay:FILE events from a recording (binary or CSV)\n"
"    --replay-speed max   replay as fast as the ring allows, not at recorded speed\n"
"    --oneshot            with a replay: exit 0 once every event has been judged and\n"
"                         every collection it caused has finished\n"
"    --record FILE        also write the probes' events to a binary recording\n"
"    --socket PATH        control socket (overrides control_socket in the config)\n"
"    --worker-timeout SEC a worker that leaves a ping unanswered this long is killed\n"
"                         and restarted (3..3600, default 60)\n"
"    --version            print the version and exit\n"
"    -h, --help           print this help and exit\n"
"\n"
"SIGNALS\n"
"    SIGTERM, SIGINT  graceful stop: detectord drains the ring and reports, collectord\n"
"                     finishes collections until shutdown_timeout_sec, then workers\n"
"                     stop; a second SIGINT stops at once\n"
"    SIGHUP           reload and validate the config; a valid one is pushed to every\n"
"                     worker without restarting it, an invalid one is logged and ignored\n"
"\n"
"ENVIRONMENT\n"
"    AOD_LOG_LEVEL    ERROR, WARNING, INFO (default) or DEBUG; passed to the workers\n"
"    AOD_LIBEXECDIR   directory holding the aodv2-<worker> executables (default: the\n"
"                     build tree when run from it, else " AOD_LIBEXECDIR ")\n"
"    NOTIFY_SOCKET    set by systemd (Type=notify): READY=1 once every worker is ready\n"
"\n"
"EXIT STATUS\n"
"    0    stopped normally (or --check-config found the config valid)\n"
"    1    runtime failure\n"
"    2    usage error\n"
"    3    gave up: one worker died 5 times within 10 minutes\n"
"    78   configuration error\n"
"    130  a second SIGINT stopped it at once\n"
"\n"
"SEE ALSO\n"
"    aodctl(8), journalctl -t aodv2-supervisor -t aodv2-detectord -t aodv2-collectord\n";

enum { OPT_CHECK = 256, OPT_SOURCE, OPT_SPEED, OPT_ONESHOT, OPT_RECORD, OPT_SOCKET, OPT_VERSION,
       OPT_WORKER_TIMEOUT };

static const struct option sup_opts[] = {
	{ "foreground", no_argument, NULL, 'f' },
	{ "config", required_argument, NULL, 'c' },
	{ "dropin", required_argument, NULL, 'd' },
	{ "check-config", no_argument, NULL, OPT_CHECK },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "replay-speed", required_argument, NULL, OPT_SPEED },
	{ "oneshot", no_argument, NULL, OPT_ONESHOT },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "worker-timeout", required_argument, NULL, OPT_WORKER_TIMEOUT },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int args_source(struct sup_args *a, const char *v)
{
	if (strcmp(v, "bpf") == 0) {
		a->source = SOURCE_BPF;
		return 0;
	}
	if (strncmp(v, "replay:", 7) == 0 && v[7]) {
		a->source = SOURCE_REPLAY;
		a->replay_path = v + 7;
		return 0;
	}
	fprintf(stderr, "aodv2-supervisor: --source takes bpf or replay:FILE, not '%s'\n", v);
	return -1;
}

static int args_worker_timeout(struct sup_args *a, const char *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = v[0] >= '0' && v[0] <= '9' ? strtoul(v, &end, 10) : 0;
	if (n && !errno && !*end && n >= SUP_WORKER_TIMEOUT_MIN_SEC && n <= SUP_WORKER_TIMEOUT_MAX_SEC) {
		a->worker_timeout_sec = (unsigned)n;
		return 0;
	}
	fprintf(stderr, "aodv2-supervisor: --worker-timeout takes whole seconds from %u to %u, not '%s'\n",
		SUP_WORKER_TIMEOUT_MIN_SEC, SUP_WORKER_TIMEOUT_MAX_SEC, v);
	return -1;
}

static int args_check(const struct sup_args *a)
{
	if (a->replay_max && a->source != SOURCE_REPLAY) {
		fprintf(stderr, "aodv2-supervisor: --replay-speed needs --source replay:FILE\n");
		return -1;
	}
	if (a->oneshot && a->source != SOURCE_REPLAY) {
		fprintf(stderr, "aodv2-supervisor: --oneshot needs --source replay:FILE\n");
		return -1;
	}
	if (a->record_path && a->source != SOURCE_BPF) {
		fprintf(stderr, "aodv2-supervisor: --record records the probes; it needs --source bpf\n");
		return -1;
	}
	return 0;
}

int args_parse(int argc, char **argv, struct sup_args *a)
{
	int c;

	memset(a, 0, sizeof(*a));
	a->config_path = AOD_DEFAULT_CONFIG;
	a->dropin_dir = AOD_DEFAULT_DROPIN_DIR;
	a->worker_timeout_sec = SUP_WORKER_TIMEOUT_DEFAULT_SEC;
	optind = 1;
	while ((c = getopt_long(argc, argv, "fc:d:h", sup_opts, NULL)) != -1) {
		switch (c) {
		case 'f': a->foreground = true; break;
		case 'c': a->config_path = optarg; break;
		case 'd': a->dropin_dir = optarg; break;
		case OPT_CHECK: a->check_config = true; break;
		case OPT_SOURCE:
			if (args_source(a, optarg) < 0)
				return -1;
			break;
		case OPT_SPEED:
			if (strcmp(optarg, "max") != 0) {
				fprintf(stderr, "aodv2-supervisor: --replay-speed takes only 'max'\n");
				return -1;
			}
			a->replay_max = true;
			break;
		case OPT_ONESHOT: a->oneshot = true; break;
		case OPT_RECORD: a->record_path = optarg; break;
		case OPT_SOCKET: a->socket_path = optarg; break;
		case OPT_WORKER_TIMEOUT:
			if (args_worker_timeout(a, optarg) < 0)
				return -1;
			break;
		case OPT_VERSION:
			printf("aodv2-supervisor %s\n", AOD_VERSION);
			return 1;
		case 'h':
			fputs(sup_help, stdout);
			return 1;
		default:
			fprintf(stderr, "Try 'aodv2-supervisor --help'.\n");
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "aodv2-supervisor: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return args_check(a);
}
