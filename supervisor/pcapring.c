// SPDX-License-Identifier: GPL-2.0-only
#include "pcapring.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "privdrop.h"
#include "stale.h"

#define PCAPRING_PREFIX "recorder."
#define PCAPRING_TCPDUMP "/usr/bin/tcpdump"
#define PCAPRING_MAX_LINES 20        /* of stderr per process */
#define PCAPRING_FIRST_DELAY_MS 1000
#define PCAPRING_MAX_DELAY_MS 60000
#define PCAPRING_HEALTHY_NS (60ull * 1000000000ull)

static void pcapring_start(struct pcapring *p);

void pcapring_init(struct pcapring *p)
{
	memset(p, 0, sizeof(*p));
	p->dirfd = p->err_fd = p->tfd = -1;
	p->err_watch.fd = p->tfd_watch.fd = -1;
	p->delay_ms = PCAPRING_FIRST_DELAY_MS;
}

/* Removes the regular files of dir (never following a link) and dir. */
static void pr_remove_dir(int parent, const char *name)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		DIR *d = fdopendir(fd);
		struct dirent *de;
		while (d && (de = readdir(d)) != NULL)
			if (de->d_name[0] != '.' || (de->d_name[1] && strcmp(de->d_name, "..")))
				unlinkat(fd, de->d_name, 0);
		if (d)
			closedir(d);
		else
			close(fd);
	}
	if (unlinkat(parent, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
		log_warn("packet ring: cannot remove %s/%s: %s", PCAPRING_RUN_DIR, name,
			 strerror(errno));
}

static void pr_remove_stale(int run)
{
	DIR *d = fdopendir(dup(run));
	struct dirent *de;
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!stale_owner_gone(de->d_name, PCAPRING_PREFIX))
			continue;
		log_info("packet ring: removing %s/%s left by a supervisor that is gone",
			 PCAPRING_RUN_DIR, de->d_name);
		pr_remove_dir(run, de->d_name);
	}
	closedir(d);
}

static int pr_make_dir(struct pcapring *p)
{
	if (mkdir(PCAPRING_RUN_DIR, 0755) != 0 && errno != EEXIST)
		return -errno;
	int run = open(PCAPRING_RUN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (run < 0)
		return -errno;
	pr_remove_stale(run);
	char name[32];
	snprintf(name, sizeof(name), PCAPRING_PREFIX "%d", (int)getpid());
	snprintf(p->dir, sizeof(p->dir), "%s/%s", PCAPRING_RUN_DIR, name);
	int rc = 0;
	if (mkdirat(run, name, 0750) != 0 && errno != EEXIST)
		rc = -errno;
	if (rc == 0 && (p->dirfd = openat(run, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
					  O_NOFOLLOW)) < 0)
		rc = -errno;
	/* The group, not the owner: the service unit keeps no CAP_CHOWN, and a
	 * file's owner may give it any group it is in (SupplementaryGroups). */
	if (rc == 0 && (fchown(p->dirfd, (uid_t)-1, p->gid) != 0 || fchmod(p->dirfd, 0770) != 0))
		rc = -errno;
	close(run);
	return rc;
}

static void pr_on_stderr(struct loop_watch *lw, uint32_t events)
{
	struct pcapring *p = lw->obj;
	char buf[1024];
	(void)events;
	ssize_t n = read(p->err_fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
			if (p->lines++ < PCAPRING_MAX_LINES)
				log_info("packet ring: tcpdump: %.200s", line);
			else if (p->lines == PCAPRING_MAX_LINES + 1)
				log_info("packet ring: tcpdump says more; not logged");
		}
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	loop_del(p->loop, &p->err_watch);
	close(p->err_fd);
	p->err_fd = -1;
}

static void pr_on_timer(struct loop_watch *lw, uint32_t events)
{
	struct pcapring *p = lw->obj;
	(void)events;
	timer_ack(p->tfd);
	if (!p->pid && p->dirfd >= 0)
		pcapring_start(p);
}

static __attribute__((noreturn)) void pr_child(const struct pcapring *p, int err_w)
{
	static const int caps[] = { CAP_NET_RAW };
	char snap[16], size[16], count[16], out[128];
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(err_w, 2) < 0)
		_exit(126);
	privdrop_close_fds_raw(3);
	if (privdrop_apply(p->uid, p->gid, caps, 1) < 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) != 0 || chdir(p->dir) != 0)
		_exit(126);
	snprintf(snap, sizeof(snap), "%u", p->snaplen);
	snprintf(size, sizeof(size), "%u", p->file_mb);
	snprintf(count, sizeof(count), "%u", p->files);
	snprintf(out, sizeof(out), "%s/" PCAPRING_BASE, p->dir);
	char *const argv[] = { "tcpdump", "-i", "any", "-p", "-n", "-s", snap, "-U", "-C", size,
			       "-W", count, "-w", out, p->filter, NULL };
	char *const env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C", NULL };
	execve(PCAPRING_TCPDUMP, argv, env);
	dprintf(2, "exec %s: %s\n", PCAPRING_TCPDUMP, strerror(errno));
	_exit(127);
}

static void pcapring_start(struct pcapring *p)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0) {
		log_error("packet ring: pipe: %s", strerror(errno));
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		log_error("packet ring: cannot fork tcpdump: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0)
		pr_child(p, fds[1]);
	close(fds[1]);
	p->pid = pid;
	p->lines = 0;
	p->started_ns = clock_mono_ns();
	if (p->err_fd >= 0) {
		loop_del(p->loop, &p->err_watch);
		close(p->err_fd);
	}
	p->err_fd = fds[0];
	fcntl(p->err_fd, F_SETFL, O_NONBLOCK);
	if (loop_add(p->loop, &p->err_watch, p->err_fd, EPOLLIN, pr_on_stderr, p) < 0) {
		close(p->err_fd);
		p->err_fd = -1;
	}
	log_info("packet ring: tcpdump (pid %d) capturing '%s', snaplen %u, %u files of %u MB in %s",
		 (int)pid, p->filter, p->snaplen, p->files, p->file_mb, p->dir);
}

int pcapring_open(struct pcapring *p, struct loop *loop, uid_t uid, gid_t gid,
		  const struct aod_recorder_cfg *cfg)
{
	p->loop = loop;
	p->uid = uid;
	p->gid = gid;
	p->snaplen = cfg->packet_snaplen;
	p->file_mb = cfg->packet_file_mb;
	p->files = cfg->packet_files;
	p->filter = strdup(cfg->packet_filter);
	int rc = p->filter ? 0 : -ENOMEM;
	if (rc == 0 && access(PCAPRING_TCPDUMP, X_OK) != 0)
		rc = -errno;
	if (rc == 0)
		rc = pr_make_dir(p);
	if (rc == 0 && (p->tfd = timer_new()) < 0)
		rc = p->tfd;
	if (rc == 0)
		rc = loop_add(loop, &p->tfd_watch, p->tfd, EPOLLIN, pr_on_timer, p);
	if (rc < 0) {
		log_warn("packet ring: not started (%s%s); collections hold no packets.pcap.zst",
			 rc == -ENOENT ? PCAPRING_TCPDUMP " is missing: " : "", strerror(-rc));
		pcapring_close(p);
		return rc;
	}
	pcapring_start(p);
	return 0;
}

bool pcapring_reaped(struct pcapring *p, pid_t pid, int status)
{
	if (!p->pid || pid != p->pid)
		return false;
	p->pid = 0;
	if (clock_mono_ns() - p->started_ns >= PCAPRING_HEALTHY_NS)
		p->delay_ms = PCAPRING_FIRST_DELAY_MS;
	log_warn("packet ring: tcpdump (pid %d) %s %d; restarting in %u ms", (int)pid,
		 WIFEXITED(status) ? "exited with status" : "was killed by signal",
		 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), p->delay_ms);
	timer_arm_ms(p->tfd, p->delay_ms);
	p->delay_ms = p->delay_ms * 2 > PCAPRING_MAX_DELAY_MS ? PCAPRING_MAX_DELAY_MS : p->delay_ms * 2;
	return true;
}

int pcapring_open_dir(const struct pcapring *p)
{
	if (p->dirfd < 0)
		return -ENOENT;
	int fd = openat(p->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static void pr_stop(struct pcapring *p)
{
	if (!p->pid)
		return;
	kill(p->pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		if (waitpid(p->pid, NULL, WNOHANG) != 0)
			goto reaped;
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
	kill(p->pid, SIGKILL);
	waitpid(p->pid, NULL, 0);
reaped:
	p->pid = 0;
}

void pcapring_close(struct pcapring *p)
{
	pr_stop(p);
	if (p->loop) {
		loop_del(p->loop, &p->err_watch);
		loop_del(p->loop, &p->tfd_watch);
	}
	if (p->err_fd >= 0)
		close(p->err_fd);
	if (p->tfd >= 0)
		close(p->tfd);
	p->err_fd = p->tfd = -1;
	if (p->dirfd >= 0) {
		close(p->dirfd);
		p->dirfd = -1;
		int run = open(PCAPRING_RUN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (run >= 0) {
			pr_remove_dir(run, strrchr(p->dir, '/') + 1);
			close(run);
		}
	}
	free(p->filter);
	p->filter = NULL;
}
