/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Typed messages between aodv2 processes, in the spirit of OpenBSD's imsg:
 * one message per SOCK_SEQPACKET record, a fixed header (magic, version,
 * type, body length) and a body of at most MSG_MAX_BODY bytes, optionally
 * with one file descriptor passed alongside (SCM_RIGHTS).
 *
 * Promise: msg_recv never hands back a message whose header disagrees with
 * what arrived: a wrong magic or version, a length that does not match the
 * record, a truncated record, or an unexpected fd yields -EBADMSG (the fd, if
 * any, is closed). Body validation by type is the receiver's job (proto.h).
 */
#ifndef AOD_MSG_H
#define AOD_MSG_H

#include <stddef.h>
#include <stdint.h>

#define MSG_MAGIC 0xA0D2u
#define MSG_VERSION 1u
#define MSG_MAX_BODY (60u * 1024u)

/* The fd every worker receives its supervisor socketpair on. */
#define MSG_WORKER_FD 3

struct msg_hdr {
	uint16_t magic;
	uint8_t version;
	uint8_t flags; /* MSG_F_FD: an fd travels with this record */
	uint16_t type;
	uint16_t reserved;
	uint32_t len;  /* body bytes following the header */
};
#define MSG_F_FD 0x01u

struct msg {
	uint16_t type;
	uint32_t len;
	int fd; /* -1 unless one was passed; the receiver owns it */
	/* Why msg_recv returned -EBADMSG (a static string for the caller's
	 * log line); NULL otherwise. */
	const char *error;
	unsigned char body[MSG_MAX_BODY];
};

/* Sends one message. fd_to_pass is -1 for none. Returns 0 or -errno
 * (-EAGAIN on a full non-blocking socket: nothing was sent). */
int msg_send(int sock, uint16_t type, const void *body, size_t len, int fd_to_pass);

/* Receives one message into *m. Returns 1 for a message, 0 on EOF,
 * -EAGAIN when a non-blocking socket has nothing, -EBADMSG for a malformed
 * record (logged by the caller), other -errno on failure. */
int msg_recv(int sock, struct msg *m);

/* A SOCK_SEQPACKET socketpair with CLOEXEC set on both ends. */
int msg_socketpair(int sv[2]);

#endif
