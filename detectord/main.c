// SPDX-License-Identifier: GPL-2.0-only
/*
 * aodv2-detectord: judges the shared event ring and reports anomalies to the
 * supervisor. Started by aodv2-supervisor only, with its socket on fd 3 and
 * the ring on fds 4 (memfd), 5 (data eventfd) and 6 (space eventfd); the
 * worker skeleton (wproc.h) does the command line and the privilege drop
 * (detectord keeps no capabilities).
 */
#include "detectord.h"

int main(int argc, char **argv)
{
	int status = wproc_start(&detectord_proc, argc, argv);

	return status >= 0 ? status : detectord_run(MSG_WORKER_FD);
}
