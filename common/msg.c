// SPDX-License-Identifier: GPL-2.0-only
/*
 * Message framing (msg.h). SOCK_SEQPACKET keeps record boundaries, so one
 * sendmsg is one message and a receiver sees MSG_TRUNC when a record did not
 * fit: there is no stream reassembly to get wrong.
 */
#include "msg.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

_Static_assert(sizeof(struct msg_hdr) == 12, "msg_hdr is a wire format");

/* Room for a few descriptors, so a peer sending more than one does not
 * leave any of them unseen (each one received is closed). */
#define MSG_MAX_FDS 8

int msg_socketpair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	return 0;
}

int msg_send(int sock, uint16_t type, const void *body, size_t len, int fd_to_pass)
{
	if (len > MSG_MAX_BODY)
		return -EMSGSIZE;
	if (len > 0 && !body)
		return -EINVAL;

	struct msg_hdr hdr = {
		.magic = MSG_MAGIC,
		.version = MSG_VERSION,
		.flags = fd_to_pass >= 0 ? MSG_F_FD : 0,
		.type = type,
		.len = (uint32_t)len,
	};
	struct iovec iov[2] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)body, .iov_len = len },
	};
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };

	if (fd_to_pass >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd_to_pass, sizeof(int));
	}

	ssize_t n;
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != sizeof(hdr) + len)
		return -EIO; /* cannot happen on SOCK_SEQPACKET; never report success */
	return 0;
}

/* Collects the descriptors that arrived; returns how many (all are kept in
 * fds[] so the caller can close what it does not accept), or -1 when a
 * control message of another kind came along. */
static int msg_collect_fds(struct msghdr *mh, int fds[MSG_MAX_FDS])
{
	int count = 0;
	bool foreign = false;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			foreign = true;
			continue;
		}
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n && count < MSG_MAX_FDS; i++)
			memcpy(&fds[count++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	return foreign ? -1 - count : count;
}

static void msg_close_fds(const int *fds, int count)
{
	for (int i = 0; i < count; i++)
		close(fds[i]);
}

/* What makes a record malformed, or NULL when it is well formed. */
static const char *msg_check(const struct msghdr *mh, ssize_t n, const struct msg_hdr *hdr, int nfds)
{
	if (mh->msg_flags & MSG_TRUNC)
		return "record larger than the maximum message size";
	if (mh->msg_flags & MSG_CTRUNC)
		return "too many file descriptors with one record";
	if (n < (ssize_t)sizeof(*hdr))
		return "record shorter than the message header";
	if (hdr->magic != MSG_MAGIC)
		return "bad magic";
	if (hdr->version != MSG_VERSION)
		return "unsupported message version";
	if (hdr->flags & ~MSG_F_FD)
		return "unknown header flags";
	if (hdr->reserved != 0)
		return "reserved header field is not zero";
	if (hdr->len > MSG_MAX_BODY || hdr->len != (size_t)n - sizeof(*hdr))
		return "body length disagrees with the record";
	if (nfds < 0)
		return "unexpected control message";
	if ((hdr->flags & MSG_F_FD) ? nfds != 1 : nfds != 0)
		return "file descriptor count disagrees with the header";
	return NULL;
}

int msg_recv(int sock, struct msg *m)
{
	struct msg_hdr hdr;
	struct iovec iov[2] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = m->body, .iov_len = sizeof(m->body) },
	};
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * MSG_MAX_FDS)];
	} ctl;
	struct msghdr mh = {
		.msg_iov = iov,
		.msg_iovlen = 2,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};

	m->fd = -1;
	m->error = NULL;
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0 && !(mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) && mh.msg_controllen == 0)
		return 0; /* every message has a header: zero bytes is end of file */

	int fds[MSG_MAX_FDS];
	int nfds = msg_collect_fds(&mh, fds);
	int kept = nfds < 0 ? -1 - nfds : nfds;
	const char *why = msg_check(&mh, n, &hdr, nfds);
	if (why) {
		msg_close_fds(fds, kept);
		m->error = why;
		return -EBADMSG;
	}
	m->type = hdr.type;
	m->len = hdr.len;
	m->fd = kept ? fds[0] : -1;
	return 1;
}
