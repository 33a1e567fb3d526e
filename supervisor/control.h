/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control socket aodctl talks to: SOCK_SEQPACKET with msg.h framing,
 * mode 0660 and group aodv2 (when that group exists). Each client's peer
 * credentials (SO_PEERCRED, SO_PEERGROUPS) decide what it may ask: status
 * and check-config for root and members of the aodv2 group, reload and
 * collect for root only. A client can never block the supervisor: sockets
 * are non-blocking, each client gets one request at a time and an idle
 * deadline, and a client that sends garbage or cannot take its reply is
 * dropped. No one can lock root out: non-root clients share a bounded part
 * of the slots, each uid a bounded part of that, and every line a client
 * can cause is rate-limited.
 */
#ifndef SUP_CONTROL_H
#define SUP_CONTROL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "loop.h"

struct msg;
struct control;

/* Slots: root always finds one (CONTROL_ROOT_RESERVED are root's alone, and
 * a root client arriving at a full table evicts the oldest non-root one);
 * any other uid holds at most CONTROL_MAX_PER_UID at a time. */
#define CONTROL_MAX_CLIENTS 16
#define CONTROL_ROOT_RESERVED 4
#define CONTROL_MAX_PER_UID 4
#define CONTROL_IDLE_MS 5000u
#define CONTROL_GROUP "aodv2"
/* The most text one reply carries (MSG_MAX_BODY less the reply header). */
#define CONTROL_REPLY_MAX (60u * 1024u - 8u)

/* Exit codes aodctl prints for replies (proto_ctl_reply.status). */
#define CTL_OK 0
#define CTL_FAILED 1
#define CTL_USAGE 2
#define CTL_DENIED 4
#define CTL_CONFIG 78

struct ctl_client {
	struct control *ctl;
	int fd;                     /* -1: slot free */
	struct loop_watch watch;
	int idle_tfd;
	struct loop_watch idle_watch;
	pid_t pid;
	uid_t uid;
	uint64_t since_ns;          /* accepted at (monotonic): eviction order */
	bool may_read, may_change;
	bool waiting_status;        /* a status reply is being gathered */
	bool status_json;
	uint16_t req_type;          /* the request being answered (audit) */
	bool metrics;               /* the gather is for a metrics reply */
};

/* Handles one request of a client (its rights checked by the handler); the
 * handler answers with control_reply, at once or later. */
typedef void control_handler(struct ctl_client *c, const struct msg *m);

struct control {
	struct loop *loop;
	struct msg *msg;            /* receive buffer, shared with the owner */
	control_handler *on_request;
	void *owner;                /* the handler's context (the supervisor) */
	char path[108];
	int listen_fd;
	struct loop_watch listen_watch;
	struct ctl_client clients[CONTROL_MAX_CLIENTS];
	unsigned long rejected;     /* malformed or unauthorized requests */
	gid_t group_gid;            /* CONTROL_GROUP as the socket was given it */
	bool have_group;
};

/* Every fd "none" (before open, so a failed start closes nothing). */
void control_init(struct control *ctl);
int control_open(struct control *ctl, struct loop *loop, struct msg *msgbuf, const char *path,
		 control_handler *on_request, void *owner);
void control_close(struct control *ctl);
/* Answers one client (status = CTL_*) and ends its connection. */
void control_reply(struct ctl_client *c, int status, const char *text, size_t len);

#endif
