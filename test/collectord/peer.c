// SPDX-License-Identifier: GPL-2.0-only
#include "peer.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"

void peer_start(struct peer *p, int (*fn)(int sock, void *arg), void *arg)
{
	int sv[2];
	ck_assert_int_eq(msg_socketpair(sv), 0);
	p->m = malloc(sizeof(*p->m));
	p->pid = fork();
	ck_assert_int_ge(p->pid, 0);
	if (p->pid == 0) {
		close(sv[0]);
		exit(fn(sv[1], arg));
	}
	close(sv[1]);
	p->sock = sv[0];
}

void peer_send(struct peer *p, uint16_t type, const void *body, size_t len)
{
	ck_assert_int_eq(msg_send(p->sock, type, body, len, -1), 0);
}

const struct msg *peer_expect(struct peer *p, uint16_t want, int timeout_ms)
{
	struct pollfd pfd = { .fd = p->sock, .events = POLLIN };
	int n = poll(&pfd, 1, timeout_ms);
	ck_assert_msg(n == 1, "no %s message within %d ms", proto_type_name(want), timeout_ms);
	int rc = msg_recv(p->sock, p->m);
	ck_assert_msg(rc == 1, "msg_recv: %d while waiting for %s", rc, proto_type_name(want));
	ck_assert_msg(p->m->type == want, "got %s, wanted %s", proto_type_name(p->m->type),
		      proto_type_name(want));
	ck_assert_msg(proto_body_valid(p->m->type, p->m->body, p->m->len), "invalid %s body",
		      proto_type_name(want));
	return p->m;
}

int peer_wait(struct peer *p, int timeout_ms)
{
	for (int waited = 0; waited <= timeout_ms; waited += 10) {
		int status;
		pid_t r = waitpid(p->pid, &status, WNOHANG);
		if (r == p->pid) {
			p->pid = -1;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return -1;
}

void peer_stop(struct peer *p)
{
	if (p->sock >= 0)
		close(p->sock);
	p->sock = -1;
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		p->pid = -1;
	}
	free(p->m);
	p->m = NULL;
}
