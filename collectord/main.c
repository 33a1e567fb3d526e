// SPDX-License-Identifier: GPL-2.0-only
/*
 * aodv2-collectord: started by aodv2-supervisor with its socket on fd 3 (the
 * worker skeleton, wproc.h, does the command line and the privilege drop:
 * collectord keeps the capabilities its configured QuickActions need, as
 * --caps lists them), then serves the supervisor (worker.h).
 */
#include "worker.h"

int main(int argc, char **argv)
{
	struct qa_env env = qa_env_default();
	int status = wproc_start(&collectord_proc, argc, argv);

	return status >= 0 ? status : collectord_run(MSG_WORKER_FD, &env);
}
