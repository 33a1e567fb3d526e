// SPDX-License-Identifier: GPL-2.0-only
/* Builtin bodies that copy files to the action's pipe. They run in the
 * forked child, so blocking reads are fine here. */
#include "qa.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int qa_write_str(int fd, const char *s)
{
	return writeall_fd(fd, s, strlen(s));
}

static int qa_copy_fd(int in, int out)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		int rc = writeall_fd(out, buf, (size_t)n);
		if (rc < 0)
			return rc;
	}
}

static int qa_open_input(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int err = -errno;
		dprintf(STDERR_FILENO, "%s: %s\n", path, strerror(errno));
		return err;
	}
	return fd;
}

int qa_copy_file(const char *path, int out)
{
	int fd = qa_open_input(path);
	if (fd < 0)
		return fd;
	int rc = qa_copy_fd(fd, out);
	if (rc < 0)
		dprintf(STDERR_FILENO, "%s: %s\n", path, strerror(-rc));
	close(fd);
	return rc;
}

/* Seeks to the last max_bytes of a regular file, then past the partial line
 * there, so the tail starts at a line. */
static int qa_seek_tail(int fd, uint64_t max_bytes)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size <= max_bytes)
		return 0;
	if (lseek(fd, st.st_size - (off_t)max_bytes, SEEK_SET) < 0)
		return -errno;
	char c;
	ssize_t n;
	while ((n = read(fd, &c, 1)) == 1 && c != '\n')
		;
	return n < 0 ? -errno : 0;
}

int qa_copy_tail(const char *path, uint64_t max_bytes, int out)
{
	int fd = qa_open_input(path);
	if (fd < 0)
		return fd;
	int rc = qa_seek_tail(fd, max_bytes);
	if (rc == 0)
		rc = qa_copy_fd(fd, out);
	if (rc < 0)
		dprintf(STDERR_FILENO, "%s: %s\n", path, strerror(-rc));
	close(fd);
	return rc;
}

int qa_copy_inputs(const struct qa_plan *plan, int out)
{
	int first_err = 0;
	for (unsigned i = 0; i < plan->ninputs; i++) {
		char head[4200];
		int n = snprintf(head, sizeof(head), "%s==> %s <==\n", i ? "\n" : "", plan->inputs[i]);
		int rc = writeall_fd(out, head, (size_t)n < sizeof(head) ? (size_t)n : sizeof(head) - 1);
		if (rc < 0)
			return rc; /* the pipe is gone: nobody reads any more */
		rc = qa_copy_file(plan->inputs[i], out);
		if (rc < 0 && !first_err)
			first_err = rc;
	}
	return first_err;
}

static int qa_syslog_tail_run(const struct qa_plan *plan, int out)
{
	return qa_copy_tail(plan->inputs[0], QA_SYSLOG_TAIL_BYTES, out);
}

void qa_plan_syslog_tail(const struct qa_env *env, struct qa_plan *plan)
{
	static const char *const logs[] = { "/var/log/syslog", "/var/log/messages", NULL };
	char *path = qa_first_existing(plan, env, logs);
	if (!path) {
		qa_unavailable(plan, "not available: neither /var/log/syslog nor /var/log/messages exists");
		return;
	}
	plan->kind = QA_BUILTIN;
	plan->run = qa_syslog_tail_run;
	qa_input(plan, path);
	qa_arg(plan, "last %u KiB of %s", QA_SYSLOG_TAIL_BYTES / 1024, path);
}
