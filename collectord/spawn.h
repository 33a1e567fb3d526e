/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Starting one QuickAction as a child process.
 *
 * Promise: the child leads its own process group (so a timeout can kill it
 * with everything it started), has stdin on /dev/null (or plan->stdin_fd) and stdout/stderr on
 * the given pipes, no other descriptor, default signal handling and an empty
 * signal mask, the clean environment (PATH, LANG=C), dies with collectord
 * (PR_SET_PDEATHSIG), and holds only the capabilities its action needs, as
 * permitted, effective and ambient sets (so a helper program keeps them
 * across exec, and nothing else). If those capabilities cannot be set up,
 * the child exits 126 without running the action.
 */
#ifndef AOD_SPAWN_H
#define AOD_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#include "qa.h"

#define SPAWN_EXIT_SETUP 126 /* the child could not be set up */
#define SPAWN_EXIT_EXEC 127  /* execve failed */

/* Forks the child for plan. out_fd/err_fd are the write ends the child gets
 * as stdout/stderr (the caller closes its copies). Returns the pid (also the
 * process group id) or -errno. */
pid_t spawn_action(const struct qa_plan *plan, const int *caps, size_t ncaps, int out_fd,
		   int err_fd);

#endif
