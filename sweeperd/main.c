// SPDX-License-Identifier: GPL-2.0-only
/*
 * aodv2-sweeperd: started by aodv2-supervisor with its socket on fd 3 (the
 * worker skeleton, wproc.h, does the command line and the privilege drop:
 * sweeperd keeps no capabilities), then keeps the output directory within
 * its limits (worker.h).
 */
#include "worker.h"

int main(int argc, char **argv)
{
	int status = wproc_start(&sweeperd_proc, argc, argv);

	return status >= 0 ? status : sweeperd_run(MSG_WORKER_FD);
}
