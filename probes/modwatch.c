// SPDX-License-Identifier: GPL-2.0-only
#include "modwatch.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Kernel uevents go to multicast group 1 (udev re-broadcasts on group 2). */
#define UEVENT_KERNEL_GROUP 1u
#define UEVENT_MAX 8192

int modwatch_open(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = UEVENT_KERNEL_GROUP };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

bool modwatch_concerns(const char *msg, size_t len, const char *module)
{
	char want[96];
	const char *at = memchr(msg, '@', len);
	size_t action_len, path_len;
	const char *path;

	if (!at)
		return false;
	action_len = (size_t)(at - msg);
	if (!((action_len == 3 && memcmp(msg, "add", 3) == 0) ||
	      (action_len == 6 && memcmp(msg, "remove", 6) == 0)))
		return false;
	path = at + 1;
	path_len = strnlen(path, len - action_len - 1);
	if (snprintf(want, sizeof(want), "/module/%s", module) >= (int)sizeof(want))
		return false;
	return path_len == strlen(want) && memcmp(path, want, path_len) == 0;
}

int modwatch_drain(int fd, const char *module)
{
	char buf[UEVENT_MAX];
	int hit = 0;

	for (;;) {
		struct sockaddr_nl from = { 0 };
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
				     .msg_iovlen = 1 };
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return hit;
			if (errno == ENOBUFS) { /* overflowed: we may have missed ours */
				hit = 1;
				continue;
			}
			return -errno;
		}
		/* only the kernel (port 0) speaks on this group; ignore the rest */
		if (from.nl_pid != 0 || (mh.msg_flags & MSG_TRUNC))
			continue;
		if (modwatch_concerns(buf, (size_t)n, module))
			hit = 1;
	}
}

enum module_state modwatch_module_state(const char *sysfs_module_dir, const char *module)
{
	char path[512], state[32] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", sysfs_module_dir, module);
	if (access(path, F_OK) != 0)
		return MODULE_ABSENT;
	snprintf(path, sizeof(path), "%s/%s/initstate", sysfs_module_dir, module);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* built-in modules have a directory without initstate; a
		 * loadable one without it is being torn down */
		snprintf(path, sizeof(path), "%s/%s/refcnt", sysfs_module_dir, module);
		return access(path, F_OK) == 0 ? MODULE_TRANSIENT : MODULE_LIVE;
	}
	n = read(fd, state, sizeof(state) - 1);
	close(fd);
	if (n <= 0)
		return MODULE_TRANSIENT;
	state[n] = '\0';
	return strncmp(state, "live", 4) == 0 ? MODULE_LIVE : MODULE_TRANSIENT;
}
