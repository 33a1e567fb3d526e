// SPDX-License-Identifier: GPL-2.0-only
#include "qa.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const struct quickaction qa_dmesg, qa_journalctl, qa_debugdata, qa_stats, qa_mounts,
	qa_smbinfo, qa_syslogs, qa_tcpdump, qa_blocked_tasks;
/* the flight recorder's parts (flightrec.h): not names watcher.actions takes */
extern const struct quickaction qa_snapshot, qa_snapshot_end_qa, qa_tcp, qa_events, qa_cifs_trace,
	qa_packets;

static const struct quickaction *const qa_table[] = {
	&qa_dmesg, &qa_journalctl, &qa_debugdata, &qa_stats,
	&qa_mounts, &qa_smbinfo, &qa_syslogs, &qa_tcpdump, &qa_blocked_tasks,
	&qa_snapshot, &qa_snapshot_end_qa, &qa_tcp, &qa_events, &qa_cifs_trace, &qa_packets,
};

const struct quickaction *qa_at(unsigned idx)
{
	return idx < sizeof(qa_table) / sizeof(qa_table[0]) ? qa_table[idx] : NULL;
}

const struct quickaction *qa_find(const char *name)
{
	const struct quickaction *qa;
	for (unsigned i = 0; name && (qa = qa_at(i)) != NULL; i++)
		if (strcmp(qa->name, name) == 0)
			return qa;
	return NULL;
}

char *const qa_clean_env[] = { "PATH=" QA_SYSTEM_PATH, "LANG=C", NULL };

struct qa_env qa_env_default(void)
{
	return (struct qa_env){ .bin_path = QA_SYSTEM_PATH, .root = "" };
}

void qa_make_plan(const struct quickaction *qa, const struct qa_env *env,
		  const struct qa_params *params, struct qa_plan *plan)
{
	memset(plan, 0, offsetof(struct qa_plan, space));
	plan->space[0] = '\0';
	plan->stdin_fd = -1;
	qa->plan(env, params, plan);
}

static char *qa_vstr(struct qa_plan *plan, const char *fmt, va_list ap)
{
	size_t room = sizeof(plan->space) - plan->used;
	int n = vsnprintf(plan->space + plan->used, room, fmt, ap);
	if (n < 0 || (size_t)n >= room) {
		if (!plan->err)
			plan->err = -E2BIG;
		return NULL;
	}
	char *s = plan->space + plan->used;
	plan->used += (size_t)n + 1;
	return s;
}

char *qa_str(struct qa_plan *plan, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = qa_vstr(plan, fmt, ap);
	va_end(ap);
	return s;
}

void qa_arg(struct qa_plan *plan, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = qa_vstr(plan, fmt, ap);
	va_end(ap);
	if (!s)
		return;
	if (plan->argc >= QA_MAX_ARGS) {
		if (!plan->err)
			plan->err = -E2BIG;
		return;
	}
	plan->argv[plan->argc++] = s;
	plan->argv[plan->argc] = NULL;
}

void qa_input(struct qa_plan *plan, const char *path)
{
	char *s = qa_str(plan, "%s", path);
	if (!s)
		return;
	if (plan->ninputs >= QA_MAX_INPUTS) {
		if (!plan->err)
			plan->err = -E2BIG;
		return;
	}
	plan->inputs[plan->ninputs++] = s;
	plan->inputs[plan->ninputs] = NULL;
}

void qa_unavailable(struct qa_plan *plan, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = qa_vstr(plan, fmt, ap);
	va_end(ap);
	plan->unavailable = s ? s : "not available";
}

bool qa_file_exists(const char *path)
{
	struct stat st;
	return path && stat(path, &st) == 0;
}

char *qa_rooted(struct qa_plan *plan, const struct qa_env *env, const char *path)
{
	return qa_str(plan, "%s%s", env->root ? env->root : "", path);
}

/* An executable regular file: what execve would accept. */
static bool qa_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

bool qa_program(struct qa_plan *plan, const struct qa_env *env, const char *name)
{
	const char *dirs = env->bin_path ? env->bin_path : QA_SYSTEM_PATH;
	char path[PATH_MAX];

	while (*dirs) {
		size_t len = strcspn(dirs, ":");
		/* Only absolute directories: a relative one would depend on cwd. */
		if (len > 0 && dirs[0] == '/' &&
		    (size_t)snprintf(path, sizeof(path), "%.*s/%s", (int)len, dirs, name) <
			    sizeof(path) &&
		    qa_executable(path)) {
			plan->kind = QA_PROGRAM;
			plan->path = qa_str(plan, "%s", path);
			qa_arg(plan, "%s", name);
			return plan->path != NULL;
		}
		dirs += len;
		if (*dirs == ':')
			dirs++;
	}
	qa_unavailable(plan, "not available: %s not found in %s", name,
		       env->bin_path ? env->bin_path : QA_SYSTEM_PATH);
	return false;
}

char *qa_first_existing(struct qa_plan *plan, const struct qa_env *env,
			const char *const *candidates)
{
	for (; *candidates; candidates++) {
		size_t mark = plan->used;
		char *path = qa_rooted(plan, env, *candidates);
		if (path && qa_file_exists(path))
			return path;
		plan->used = mark; /* give the space back */
	}
	return NULL;
}
