// SPDX-License-Identifier: GPL-2.0-only
#include "spawn.h"

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "privdrop.h"

/* Keeps only caps (those of them this process has) in every set, ambient
 * included; an exec'd program then starts with exactly these. */
static int spawn_limit_caps(const int *caps, size_t ncaps)
{
	int keep[8];
	size_t nkeep = 0;

	if (capng_get_caps_process() != 0)
		return -EPERM;
	for (size_t i = 0; i < ncaps && nkeep < 8; i++)
		if (capng_have_capability(CAPNG_PERMITTED, (unsigned)caps[i]))
			keep[nkeep++] = caps[i];
	capng_clear(CAPNG_SELECT_CAPS);
	for (size_t i = 0; i < nkeep; i++)
		if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE,
				 (unsigned)keep[i]) != 0)
			return -EINVAL;
	if (capng_apply(CAPNG_SELECT_CAPS) != 0)
		return -EPERM;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
		return -errno;
	for (size_t i = 0; i < nkeep; i++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)keep[i], 0, 0) != 0)
			return -errno;
	return 0;
}

static void spawn_reset_signals(void)
{
	static const int sigs[] = { SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGQUIT, SIGUSR1,
				    SIGUSR2 };
	sigset_t none;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Moves out/err to 1/2 and in_fd (or /dev/null) to 0, whatever numbers
 * they had. */
static int spawn_stdio(int in_fd, int out_fd, int err_fd)
{
	int out = fcntl(out_fd, F_DUPFD_CLOEXEC, 3);
	int err = fcntl(err_fd, F_DUPFD_CLOEXEC, 3);
	int null = in_fd >= 0 ? fcntl(in_fd, F_DUPFD_CLOEXEC, 3)
			      : open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (out < 0 || err < 0 || null < 0)
		return -errno;
	if (dup2(null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(err, STDERR_FILENO) < 0)
		return -errno;
	privdrop_close_fds_raw(3);
	return 0;
}

static __attribute__((noreturn)) void spawn_child(const struct qa_plan *plan, const int *caps,
						  size_t ncaps, int out_fd, int err_fd,
						  pid_t parent)
{
	setpgid(0, 0);
	spawn_reset_signals();
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != parent)
		_exit(SPAWN_EXIT_SETUP);
	int rc = spawn_stdio(plan->stdin_fd, out_fd, err_fd);
	if (rc == 0)
		rc = spawn_limit_caps(caps, ncaps);
	if (rc < 0) {
		dprintf(STDERR_FILENO, "aodv2-collectord: cannot set up the action: %s\n",
			strerror(-rc));
		_exit(SPAWN_EXIT_SETUP);
	}
	if (plan->kind == QA_BUILTIN)
		_exit(plan->run(plan, STDOUT_FILENO) == 0 ? 0 : 1);
	execve(plan->path, plan->argv, qa_clean_env);
	dprintf(STDERR_FILENO, "exec %s: %s\n", plan->path, strerror(errno));
	_exit(SPAWN_EXIT_EXEC);
}

pid_t spawn_action(const struct qa_plan *plan, const int *caps, size_t ncaps, int out_fd,
		   int err_fd)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		spawn_child(plan, caps, ncaps, out_fd, err_fd, parent);
	/* Both sides set the group, so it exists whichever runs first; the
	 * parent's call fails harmlessly (EACCES) once the child has exec'd. */
	(void)setpgid(pid, pid);
	return pid;
}
