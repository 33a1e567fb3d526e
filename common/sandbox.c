// SPDX-License-Identifier: GPL-2.0-only
/*
 * The seccomp half of a worker's confinement (sandbox.h); the Landlock half
 * is sandbox_landlock.c.
 *
 * libseccomp rather than hand-written BPF: it carries maintained syscall
 * tables for every architecture (a hand-written filter must check the audit
 * arch and number every syscall itself, and misses x32 and new syscalls),
 * and it compiles argument filters (socket's family, open's flags, kill's
 * pid) into correct BPF, which by hand is the error-prone part.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

/* The module's only state: this process installed its filter (sandbox.h). */
static bool sandbox_installed;

/* What every worker does after its privilege drop: its event loop and
 * timers, messages on its socket, memory, time, syslog, its own exit. */
static const int sandbox_base[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(pread64), SCMP_SYS(close), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	SCMP_SYS(statx), SCMP_SYS(lseek), SCMP_SYS(getdents64), SCMP_SYS(fcntl),
	SCMP_SYS(dup), SCMP_SYS(dup3), SCMP_SYS(ioctl), SCMP_SYS(pipe2),
	SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect), SCMP_SYS(mremap),
	SCMP_SYS(madvise), SCMP_SYS(brk),
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(sigaltstack), SCMP_SYS(signalfd4),
	SCMP_SYS(epoll_create1), SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_wait),
	SCMP_SYS(epoll_pwait), SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(timerfd_create), SCMP_SYS(timerfd_settime), SCMP_SYS(timerfd_gettime),
	SCMP_SYS(eventfd2),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep), SCMP_SYS(gettimeofday), SCMP_SYS(time),
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getppid), SCMP_SYS(getuid),
	SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid), SCMP_SYS(getrusage),
	SCMP_SYS(sysinfo), SCMP_SYS(uname), SCMP_SYS(getrandom), SCMP_SYS(sched_yield),
	SCMP_SYS(sched_getaffinity), SCMP_SYS(prlimit64),
	SCMP_SYS(sendmsg), SCMP_SYS(recvmsg), SCMP_SYS(sendto), SCMP_SYS(recvfrom),
	SCMP_SYS(connect), SCMP_SYS(shutdown), SCMP_SYS(getsockopt),
	SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(rseq), SCMP_SYS(restart_syscall),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
	/* the Landlock half, at the first config (it can only narrow) */
	SCMP_SYS(landlock_create_ruleset), SCMP_SYS(landlock_add_rule),
	SCMP_SYS(landlock_restrict_self),
#if defined(__SANITIZE_ADDRESS__)
	/* sanitizer builds only (never shipped): LeakSanitizer stops the
	 * world at exit from a cloned task that ptraces the threads */
	SCMP_SYS(clone), SCMP_SYS(ptrace), SCMP_SYS(wait4), SCMP_SYS(prctl),
	SCMP_SYS(readlink), SCMP_SYS(readlinkat),
#endif
};

static int sandbox_allow(scmp_filter_ctx ctx, const int *nr, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr[i], 0);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* AF_UNIX always (syslog); the policy's families. */
static int sandbox_sockets(scmp_filter_ctx ctx, const struct sandbox_policy *p)
{
	int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				  SCMP_A0(SCMP_CMP_EQ, AF_UNIX));

	for (size_t i = 0; rc == 0 && i < p->nfamilies; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)p->families[i]));
	return rc;
}

/* Read-only opens unless the policy writes files. */
static int sandbox_opens(scmp_filter_ctx ctx, const struct sandbox_policy *p)
{
	if (p->flags & SANDBOX_OPEN_WRITE) {
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 0);
		return rc ? rc : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 0);
	}
	const scmp_datum_t mask = O_ACCMODE | O_CREAT | O_TRUNC;
	int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				  SCMP_A2(SCMP_CMP_MASKED_EQ, mask, O_RDONLY));
	return rc ? rc : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
					  SCMP_A1(SCMP_CMP_MASKED_EQ, mask, O_RDONLY));
}

/* A worker may always signal itself (raise, abort); others only when the
 * policy says so. */
static int sandbox_signals(scmp_filter_ctx ctx, const struct sandbox_policy *p)
{
	if (p->flags & SANDBOX_SIGNAL_OTHERS) {
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 0);
		return rc ? rc : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 0);
	}
	scmp_datum_t self = (scmp_datum_t)getpid();
	int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1,
				  SCMP_A0(SCMP_CMP_EQ, self));
	return rc ? rc : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
					  SCMP_A0(SCMP_CMP_EQ, self));
}

/* A policy that forks gets clone without namespace flags; clone3 answers
 * ENOSYS so glibc falls back to clone, whose flags a filter can see. */
static int sandbox_clone(scmp_filter_ctx ctx, const struct sandbox_policy *p)
{
	const scmp_datum_t ns = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
				CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;
	bool forks = false;

	for (size_t i = 0; i < p->nsyscalls; i++)
		forks = forks || p->syscalls[i] == SCMP_SYS(execve);
	if (!forks)
		return 0;
	int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
#if !defined(__SANITIZE_ADDRESS__)
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				      SCMP_A0(SCMP_CMP_MASKED_EQ, ns, 0));
#else
	(void)ns; /* the base set already allows clone */
#endif
	return rc;
}

static int sandbox_build(scmp_filter_ctx ctx, const struct sandbox_policy *p)
{
	int rc = sandbox_allow(ctx, sandbox_base, sizeof(sandbox_base) / sizeof(sandbox_base[0]));

	if (rc == 0)
		rc = sandbox_allow(ctx, p->syscalls, p->nsyscalls);
	if (rc == 0)
		rc = sandbox_sockets(ctx, p);
	if (rc == 0)
		rc = sandbox_opens(ctx, p);
	if (rc == 0)
		rc = sandbox_signals(ctx, p);
	if (rc == 0)
		rc = sandbox_clone(ctx, p);
	return rc;
}

int sandbox_seccomp(const char *name, const struct sandbox_policy *p)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);

	if (!ctx) {
		log_error("seccomp: cannot set up %s's filter", name);
		return -ENOMEM;
	}
	int rc = sandbox_build(ctx, p);
	if (rc == 0) {
		log_info("seccomp: %zu syscalls beyond the base %zu; opens %s, signals %s, sockets "
			 "AF_UNIX + %zu families; any other syscall kills %s",
			 p->nsyscalls, sizeof(sandbox_base) / sizeof(sandbox_base[0]),
			 p->flags & SANDBOX_OPEN_WRITE ? "read-write" : "read-only",
			 p->flags & SANDBOX_SIGNAL_OTHERS ? "to any pid" : "to itself only",
			 p->nfamilies, name);
		rc = seccomp_load(ctx);
	}
	seccomp_release(ctx);
	if (rc < 0)
		log_error("seccomp: cannot install %s's filter: %s", name, strerror(-rc));
	sandbox_installed = rc == 0;
	return rc;
}

bool sandbox_confined(void)
{
	return sandbox_installed;
}
