// SPDX-License-Identifier: GPL-2.0-only
/*
 * collectord's worker as its own process, for the benchmark only (never
 * installed): the same code as aodv2-collectord minus the privilege drop,
 * with the QuickAction environment from the command line:
 *   bench_collectord_worker BIN_PATH ROOT   (socket on fd 3)
 */
#include <stdio.h>

#include "log.h"
#include "msg.h"
#include "qa.h"
#include "worker.h"

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench_collectord_worker BIN_PATH ROOT\n");
		return 1;
	}
	log_init("collectord", false);
	struct qa_env env = { .bin_path = argv[1], .root = argv[2] };
	return collectord_run(MSG_WORKER_FD, &env);
}
