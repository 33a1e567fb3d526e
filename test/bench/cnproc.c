// SPDX-License-Identifier: GPL-2.0-only
#include "cnproc.h"

#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "benchenv.h"

struct fork_rec {
	uint64_t ts_ns;
	pid_t parent;
};

struct cnproc {
	int fd;
	pthread_t thread;
	atomic_bool stop;
	struct fork_rec *recs;
	size_t n, cap;
};

static int cnproc_subscribe(int fd, enum proc_cn_mcast_op op)
{
	struct {
		struct nlmsghdr nl;
		struct cn_msg cn;
		enum proc_cn_mcast_op op;
	} __attribute__((packed)) req;

	memset(&req, 0, sizeof(req));
	req.nl.nlmsg_len = sizeof(req);
	req.nl.nlmsg_type = NLMSG_DONE;
	req.nl.nlmsg_pid = (uint32_t)getpid();
	req.cn.id.idx = CN_IDX_PROC;
	req.cn.id.val = CN_VAL_PROC;
	req.cn.len = sizeof(req.op);
	req.op = op;
	return send(fd, &req, sizeof(req), 0) == (ssize_t)sizeof(req) ? 0 : -errno;
}

static void cnproc_keep(struct cnproc *c, const struct proc_event *ev)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 65536;
		struct fork_rec *r = realloc(c->recs, cap * sizeof(*r));
		if (!r)
			return; /* the figure will miss a sample; the run goes on */
		c->recs = r;
		c->cap = cap;
	}
	c->recs[c->n++] = (struct fork_rec){ ev->timestamp_ns, ev->event_data.fork.parent_tgid };
}

static void *cnproc_run(void *arg)
{
	struct cnproc *c = arg;
	_Alignas(struct nlmsghdr) char buf[8192];

	while (!atomic_load(&c->stop)) {
		ssize_t len = recv(c->fd, buf, sizeof(buf), 0);
		if (len <= 0)
			continue; /* timeout (SO_RCVTIMEO) or ENOBUFS: look at stop again */
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			struct cn_msg cn;
			struct proc_event ev;
			if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(cn)))
				continue;
			size_t room = nh->nlmsg_len - NLMSG_LENGTH(sizeof(cn));
			/* The event sits 4-byte aligned after the headers: copy it out. */
			memcpy(&cn, NLMSG_DATA(nh), sizeof(cn));
			memset(&ev, 0, sizeof(ev));
			size_t len = cn.len < room ? cn.len : room;
			memcpy(&ev, (const char *)NLMSG_DATA(nh) + sizeof(cn), len < sizeof(ev) ? len : sizeof(ev));
			if (ev.what == PROC_EVENT_FORK && ev.event_data.fork.child_pid ==
			    ev.event_data.fork.child_tgid) /* a process, not a thread */
				cnproc_keep(c, &ev);
		}
	}
	return NULL;
}

int cnproc_start(struct cnproc **out)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC, .nl_pid = 0 };
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	int rcvbuf = 4 << 20, rc;
	struct cnproc *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (c->fd < 0 || bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		rc = -errno;
		goto fail;
	}
	setsockopt(c->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	if ((rc = cnproc_subscribe(c->fd, PROC_CN_MCAST_LISTEN)) < 0)
		goto fail;
	if ((rc = -pthread_create(&c->thread, NULL, cnproc_run, c)) < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	return rc;
}

uint64_t *cnproc_stop(struct cnproc *c, pid_t parent, size_t *n)
{
	uint64_t *ts;

	atomic_store(&c->stop, true);
	pthread_join(c->thread, NULL);
	cnproc_subscribe(c->fd, PROC_CN_MCAST_IGNORE);
	close(c->fd);
	ts = malloc((c->n ? c->n : 1) * sizeof(*ts));
	*n = 0;
	for (size_t i = 0; ts && i < c->n; i++)
		if (c->recs[i].parent == parent)
			ts[(*n)++] = c->recs[i].ts_ns;
	if (ts)
		bench_sort_u64(ts, *n);
	free(c->recs);
	free(c);
	return ts;
}
