// SPDX-License-Identifier: GPL-2.0-only
/*
 * Message framing between processes: what goes in comes out, and nothing a
 * peer sends can make msg_recv hand back a message that disagrees with its
 * header or leak a descriptor.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "msg.h"

static struct msg *m;
static int sv[2];

static void setup(void)
{
	m = malloc(sizeof(*m));
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(msg_socketpair(sv), 0);
}

static void teardown(void)
{
	free(m);
	close(sv[0]);
	close(sv[1]);
}

/* Sends a raw record, header and body as given, with optional fds. */
static void send_raw(const void *data, size_t len, const int *fds, int nfds)
{
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} ctl;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > 0) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	ck_assert_int_eq(sendmsg(sv[0], &mh, MSG_NOSIGNAL), (ssize_t)len);
}

static struct msg_hdr good_hdr(uint16_t type, uint32_t len)
{
	struct msg_hdr h = { .magic = MSG_MAGIC, .version = MSG_VERSION, .type = type, .len = len };
	return h;
}

/* The receiver must have closed every copy of the pipe's write end it got:
 * with ours closed too, the read end sees EOF at once. */
static void expect_write_end_closed(int read_end)
{
	char c;
	ck_assert_int_eq(read(read_end, &c, 1), 0);
}

START_TEST(test_round_trip)
{
	const char body[] = "hello worker";

	ck_assert_int_eq(msg_send(sv[0], 42, body, sizeof(body), -1), 0);
	ck_assert_int_eq(msg_send(sv[0], 7, NULL, 0, -1), 0);
	ck_assert_int_eq(msg_recv(sv[1], m), 1);
	ck_assert_uint_eq(m->type, 42);
	ck_assert_uint_eq(m->len, sizeof(body));
	ck_assert_int_eq(m->fd, -1);
	ck_assert_mem_eq(m->body, body, sizeof(body));
	ck_assert_int_eq(msg_recv(sv[1], m), 1);
	ck_assert_uint_eq(m->type, 7);
	ck_assert_uint_eq(m->len, 0);
}
END_TEST

START_TEST(test_max_body)
{
	unsigned char *big = malloc(MSG_MAX_BODY + 1);

	for (size_t i = 0; i <= MSG_MAX_BODY; i++)
		big[i] = (unsigned char)(i * 31);
	ck_assert_int_eq(msg_send(sv[0], 1, big, MSG_MAX_BODY, -1), 0);
	ck_assert_int_eq(msg_recv(sv[1], m), 1);
	ck_assert_uint_eq(m->len, MSG_MAX_BODY);
	ck_assert_mem_eq(m->body, big, MSG_MAX_BODY);
	ck_assert_int_eq(msg_send(sv[0], 1, big, MSG_MAX_BODY + 1, -1), -EMSGSIZE);
	ck_assert_int_eq(msg_send(sv[0], 1, NULL, 4, -1), -EINVAL);
	free(big);
}
END_TEST

START_TEST(test_fd_passing)
{
	int pfd[2];

	ck_assert_int_eq(pipe(pfd), 0);
	ck_assert_int_eq(msg_send(sv[0], 3, "x", 1, pfd[1]), 0);
	close(pfd[1]);
	ck_assert_int_eq(msg_recv(sv[1], m), 1);
	ck_assert_int_ge(m->fd, 0);
	ck_assert_int_ne(fcntl(m->fd, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_eq(write(m->fd, "ok", 2), 2);
	char buf[2];
	ck_assert_int_eq(read(pfd[0], buf, 2), 2);
	ck_assert_mem_eq(buf, "ok", 2);
	close(m->fd);
	close(pfd[0]);
}
END_TEST

START_TEST(test_eof_and_eagain)
{
	ck_assert_int_eq(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
	ck_assert_int_eq(msg_recv(sv[1], m), -EAGAIN);
	close(sv[0]);
	sv[0] = -1;
	ck_assert_int_eq(msg_recv(sv[1], m), 0);
	int other[2];
	ck_assert_int_eq(msg_socketpair(other), 0);
	close(other[1]);
	ck_assert_int_eq(msg_send(other[0], 1, "x", 1, -1), -EPIPE); /* no SIGPIPE */
	close(other[0]);
}
END_TEST

START_TEST(test_garbage_rejected)
{
	struct {
		struct msg_hdr h;
		char body[8];
	} rec;

	send_raw("hi", 2, NULL, 0); /* shorter than a header */
	rec.h = good_hdr(1, 8);
	rec.h.magic = 0xBEEF;
	send_raw(&rec, sizeof(rec), NULL, 0);
	rec.h = good_hdr(1, 8);
	rec.h.version = MSG_VERSION + 1;
	send_raw(&rec, sizeof(rec), NULL, 0);
	rec.h = good_hdr(1, 9); /* claims more than arrived */
	send_raw(&rec, sizeof(rec), NULL, 0);
	rec.h = good_hdr(1, 4); /* claims less than arrived */
	send_raw(&rec, sizeof(rec), NULL, 0);
	rec.h = good_hdr(1, 8);
	rec.h.flags = 0x80;
	send_raw(&rec, sizeof(rec), NULL, 0);
	rec.h = good_hdr(1, 8);
	rec.h.flags = MSG_F_FD; /* no fd came with it */
	send_raw(&rec, sizeof(rec), NULL, 0);

	for (int i = 0; i < 7; i++) {
		ck_assert_int_eq(msg_recv(sv[1], m), -EBADMSG);
		ck_assert_ptr_nonnull(m->error);
		ck_assert_int_eq(m->fd, -1);
	}
	/* Framing survives: the next good message comes through intact. */
	ck_assert_int_eq(msg_send(sv[0], 9, "good", 4, -1), 0);
	ck_assert_int_eq(msg_recv(sv[1], m), 1);
	ck_assert_uint_eq(m->type, 9);
	ck_assert_mem_eq(m->body, "good", 4);
	ck_assert_ptr_null(m->error);
}
END_TEST

START_TEST(test_oversized_record_rejected)
{
	size_t len = sizeof(struct msg_hdr) + MSG_MAX_BODY + 100;
	unsigned char *rec = calloc(1, len);
	struct msg_hdr h = good_hdr(1, MSG_MAX_BODY + 100);
	int sndbuf = 256 * 1024;

	ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)), 0);
	memcpy(rec, &h, sizeof(h));
	send_raw(rec, len, NULL, 0);
	ck_assert_int_eq(msg_recv(sv[1], m), -EBADMSG);
	/* Truncated to exactly the maximum, the header's length still disagrees. */
	h.len = MSG_MAX_BODY;
	memcpy(rec, &h, sizeof(h));
	send_raw(rec, sizeof(h) + MSG_MAX_BODY + 1, NULL, 0);
	ck_assert_int_eq(msg_recv(sv[1], m), -EBADMSG);
	free(rec);
}
END_TEST

START_TEST(test_unexpected_fd_closed)
{
	int pfd[2];
	struct {
		struct msg_hdr h;
		char body[4];
	} rec = { .h = good_hdr(1, 4) };

	ck_assert_int_eq(pipe(pfd), 0);
	send_raw(&rec, sizeof(rec), &pfd[1], 1); /* an fd the header does not announce */
	close(pfd[1]);
	ck_assert_int_eq(msg_recv(sv[1], m), -EBADMSG);
	ck_assert_int_eq(m->fd, -1);
	expect_write_end_closed(pfd[0]);
	close(pfd[0]);
}
END_TEST

START_TEST(test_extra_fds_closed)
{
	int pfd[2];
	struct {
		struct msg_hdr h;
		char body[4];
	} rec = { .h = good_hdr(1, 4) };

	rec.h.flags = MSG_F_FD;
	ck_assert_int_eq(pipe(pfd), 0);
	int fds[3] = { pfd[1], pfd[1], pfd[1] };
	send_raw(&rec, sizeof(rec), fds, 3); /* one announced, three sent */
	close(pfd[1]);
	ck_assert_int_eq(msg_recv(sv[1], m), -EBADMSG);
	ck_assert_int_eq(m->fd, -1);
	expect_write_end_closed(pfd[0]);
	close(pfd[0]);
}
END_TEST

START_TEST(test_fd_flood_closed)
{
	int pfd[2];
	struct {
		struct msg_hdr h;
		char body[4];
	} rec = { .h = good_hdr(1, 4) };
	int fds[64];

	/* More descriptors than the receiver has room for: the kernel drops
	 * the overflow (MSG_CTRUNC) and msg_recv closes the rest. */
	rec.h.flags = MSG_F_FD;
	ck_assert_int_eq(pipe(pfd), 0);
	for (int i = 0; i < 64; i++)
		fds[i] = pfd[1];
	struct iovec iov = { .iov_base = &rec, .iov_len = sizeof(rec) };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(fds))];
	} ctl;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	memset(&ctl, 0, sizeof(ctl));
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	ck_assert_int_eq(sendmsg(sv[0], &mh, 0), (ssize_t)sizeof(rec));
	close(pfd[1]);
	ck_assert_int_eq(msg_recv(sv[1], m), -EBADMSG);
	expect_write_end_closed(pfd[0]);
	close(pfd[0]);
}
END_TEST

static Suite *msg_suite(void)
{
	Suite *s = suite_create("msg");
	TCase *tc = tcase_create("framing");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_max_body);
	tcase_add_test(tc, test_fd_passing);
	tcase_add_test(tc, test_eof_and_eagain);
	tcase_add_test(tc, test_garbage_rejected);
	tcase_add_test(tc, test_oversized_record_rejected);
	tcase_add_test(tc, test_unexpected_fd_closed);
	tcase_add_test(tc, test_extra_fds_closed);
	tcase_add_test(tc, test_fd_flood_closed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(msg_suite());

	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
