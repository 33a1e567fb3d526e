// SPDX-License-Identifier: GPL-2.0-only
/*
 * What collectord may do once it runs (sandbox.h). It writes collections and
 * runs its QuickActions (tcpdump, ss, dmesg, journalctl, smbinfo) as child
 * processes, which inherit this filter across exec: a seccomp filter cannot
 * be lifted, so the list below is the union of what collectord and those
 * programs need (found with strace -f on them and on the tests). Accepted
 * rather than exempting the actions: an exec'd action runs with collectord's
 * uid and capabilities, so an unfiltered one would be a way out of the filter.
 *
 * What it still may not do: open an IP socket of any kind (tcpdump -n on
 * "any" uses AF_PACKET, ss AF_NETLINK; the unit's RestrictAddressFamilies
 * says the same), listen, accept, create namespaces (clone without CLONE_NEW*, no
 * unshare/setns), ptrace, mount, load modules or BPF programs, change its
 * filter. It may signal any pid: it kills its actions' process groups,
 * whose numbers a static filter cannot know. That reaches no further than
 * its own PID namespace, of which the supervisor makes it init: itself and
 * its actions, not detectord, sweeperd, the supervisor or the packet ring's
 * tcpdump (aodv2-supervisor(8) THREAT MODEL); on Landlock ABI 6 its domain
 * scopes signals to the same set.
 *
 * The list stays one filter for collectord and its actions, a superset
 * they all need, rather than a narrower one per action: the set of actions
 * is fixed (no command comes from the config), and every one runs under it
 * in the VM scenarios (vm-systemd, vm-recorder) that assert each ok.
 *
 * Its file rules: creating, writing, renaming and removing only beneath
 * aod_output_dir (and writing /dev/null), executing only beneath the system's
 * program and library directories. Reading is left to the file permissions:
 * the actions read /proc, /sys, the logs and the journal.
 */
#include <linux/landlock.h>
#include <seccomp.h>
#include <sys/socket.h>

#include "config.h"
#include "sandbox.h"
#include "worker.h"

#define COLLECTORD_FS_WRITE                                                                    \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR |                           \
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REMOVE_FILE |                          \
	 LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REFER)
#define COLLECTORD_FS_EXEC (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE)

static const int collectord_syscalls[] = {
	/* collections */
	SCMP_SYS(pwrite64), SCMP_SYS(fsync), SCMP_SYS(fdatasync), SCMP_SYS(ftruncate),
	SCMP_SYS(fallocate), SCMP_SYS(mkdirat), SCMP_SYS(mkdir), SCMP_SYS(renameat),
	SCMP_SYS(renameat2), SCMP_SYS(rename), SCMP_SYS(unlinkat), SCMP_SYS(unlink),
	SCMP_SYS(fchmod), SCMP_SYS(statfs), SCMP_SYS(fstatfs), SCMP_SYS(access),
	SCMP_SYS(faccessat), SCMP_SYS(faccessat2), SCMP_SYS(readlink), SCMP_SYS(readlinkat),
	SCMP_SYS(getcwd), SCMP_SYS(chdir), SCMP_SYS(fchdir), SCMP_SYS(umask),
	SCMP_SYS(sendfile), SCMP_SYS(splice), SCMP_SYS(copy_file_range),
	/* actions: fork (clone, filtered), set up the child, exec, reap */
	SCMP_SYS(execve), SCMP_SYS(wait4), SCMP_SYS(waitid), SCMP_SYS(setpgid),
	SCMP_SYS(getpgrp), SCMP_SYS(getpgid), SCMP_SYS(prctl), SCMP_SYS(capget),
	SCMP_SYS(capset), SCMP_SYS(dup2), SCMP_SYS(close_range), SCMP_SYS(pipe),
	SCMP_SYS(set_tid_address), SCMP_SYS(arch_prctl), SCMP_SYS(getgroups),
	SCMP_SYS(getresuid), SCMP_SYS(getresgid), SCMP_SYS(setuid), SCMP_SYS(setgid),
	SCMP_SYS(setgroups), SCMP_SYS(setresuid), SCMP_SYS(setresgid),
	SCMP_SYS(rt_sigsuspend), SCMP_SYS(rt_sigtimedwait), SCMP_SYS(setitimer),
	SCMP_SYS(getitimer), SCMP_SYS(alarm), SCMP_SYS(timer_create), SCMP_SYS(timer_settime),
	SCMP_SYS(timer_delete), SCMP_SYS(getpriority), SCMP_SYS(membarrier),
	SCMP_SYS(syslog), /* dmesg without /dev/kmsg: CAP_SYSLOG gates it */
	/* tcpdump (AF_PACKET), ss (netlink sock_diag) */
	SCMP_SYS(bind), SCMP_SYS(setsockopt), SCMP_SYS(getsockname), SCMP_SYS(getpeername),
	SCMP_SYS(recvmmsg), SCMP_SYS(sendmmsg), SCMP_SYS(socketpair),
};

static const int collectord_families[] = { AF_NETLINK, AF_PACKET };

static size_t collectord_paths(const struct aod_config *cfg, struct sandbox_path out[SANDBOX_MAX_PATHS])
{
	static const char *const programs[] = { "/usr", "/bin", "/sbin", "/lib", "/lib64" };
	size_t n = 0;

	out[n++] = (struct sandbox_path){ cfg->output_dir, COLLECTORD_FS_WRITE };
	out[n++] = (struct sandbox_path){ "/dev/null", LANDLOCK_ACCESS_FS_WRITE_FILE };
	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++)
		out[n++] = (struct sandbox_path){ programs[i], COLLECTORD_FS_EXEC };
	return n;
}

const struct sandbox_policy collectord_sandbox = {
	.syscalls = collectord_syscalls,
	.nsyscalls = sizeof(collectord_syscalls) / sizeof(collectord_syscalls[0]),
	.families = collectord_families,
	.nfamilies = sizeof(collectord_families) / sizeof(collectord_families[0]),
	.flags = SANDBOX_OPEN_WRITE | SANDBOX_SIGNAL_OTHERS,
	.fs_handled = COLLECTORD_FS_WRITE | LANDLOCK_ACCESS_FS_EXECUTE |
		      LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_SOCK |
		      LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
		      LANDLOCK_ACCESS_FS_MAKE_SYM,
	.paths = collectord_paths,
};
