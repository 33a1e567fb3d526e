// SPDX-License-Identifier: GPL-2.0-only
/* smbinfo: cifs-utils' smbinfo on each cifs/smb3 mount point, one run per
 * query, one after the other, in the action's process group (a timeout kills
 * the runs too). Not available without the tool or without cifs mounts. */
#include "qa.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A python start per query and mount: bounded, said in the manifest. */
#define QA_SMBINFO_MAX_MOUNTS 16

static const char *const qa_smbinfo_queries[] = { "fileallinfo", "filefsfullsizeinfo", NULL };

static int qa_smbinfo_once(const char *path, const char *query, const char *mnt)
{
	char *argv[] = { "smbinfo", (char *)query, (char *)mnt, NULL };
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execve(path, argv, qa_clean_env);
		dprintf(STDERR_FILENO, "exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	dprintf(STDERR_FILENO, "smbinfo %s %s: %s %d\n", query, mnt,
		WIFEXITED(status) ? "exit status" : "signal",
		WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return -EIO;
}

static int qa_smbinfo_run(const struct qa_plan *plan, int out)
{
	int first_err = 0;
	for (unsigned m = 0; m < plan->ninputs; m++) {
		for (const char *const *q = qa_smbinfo_queries; *q; q++) {
			char head[4200];
			snprintf(head, sizeof(head), "%s==> smbinfo %s %s <==\n",
				 (m || q != qa_smbinfo_queries) ? "\n" : "", *q, plan->inputs[m]);
			int rc = qa_write_str(out, head);
			if (rc < 0)
				return rc;
			rc = qa_smbinfo_once(plan->path, *q, plan->inputs[m]);
			if (rc < 0 && !first_err)
				first_err = rc;
		}
	}
	return first_err;
}

static void qa_smbinfo_add_mount(void *arg, const char *mnt)
{
	struct qa_plan *plan = arg;
	if (plan->ninputs >= QA_SMBINFO_MAX_MOUNTS)
		return;
	qa_input(plan, mnt);
	for (const char *const *q = qa_smbinfo_queries; *q; q++)
		qa_arg(plan, "%s %s %s", plan->path, *q, mnt);
}

static void qa_smbinfo_plan(const struct qa_env *env, const struct qa_params *params,
			    struct qa_plan *plan)
{
	(void)params;
	if (!qa_program(plan, env, "smbinfo"))
		return;
	plan->kind = QA_BUILTIN;
	plan->run = qa_smbinfo_run;
	plan->argc = 0; /* argv now describes the runs */
	plan->argv[0] = NULL;
	char *mounts = qa_rooted(plan, env, "/proc/mounts");
	int n = qa_smb_mount_points(mounts, qa_smbinfo_add_mount, plan);
	if (n < 0)
		qa_unavailable(plan, "not available: cannot read %s: %s", mounts, strerror(-n));
	else if (n == 0)
		qa_unavailable(plan, "not available: no cifs or smb3 mounts");
	else if (n > QA_SMBINFO_MAX_MOUNTS)
		plan->note = qa_str(plan, "only the first %d of %d cifs/smb3 mounts",
				    QA_SMBINFO_MAX_MOUNTS, n);
}

const struct quickaction qa_smbinfo = { .name = "smbinfo", .ext = "txt", .plan = qa_smbinfo_plan };
