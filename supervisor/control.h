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

struct sup;

/* Slots: root always finds one (CONTROL_ROOT_RESERVED are root's alone, and
 * a root client arriving at a full table evicts the oldest non-root one);
 * any other uid holds at most CONTROL_MAX_PER_UID at a time. */
#define CONTROL_MAX_CLIENTS 16
#define CONTROL_ROOT_RESERVED 4
#define CONTROL_MAX_PER_UID 4
#define CONTROL_IDLE_MS 5000u
#define CONTROL_GROUP "aodv2"

/* Exit codes aodctl prints for replies (proto_ctl_reply.status). */
#define CTL_OK 0
#define CTL_FAILED 1
#define CTL_USAGE 2
#define CTL_DENIED 4
#define CTL_CONFIG 78

struct ctl_client {
	struct sup *sup;
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
};

struct control {
	char path[108];
	int listen_fd;
	struct loop_watch listen_watch;
	struct ctl_client clients[CONTROL_MAX_CLIENTS];
	unsigned long rejected;     /* malformed or unauthorized requests */
	gid_t group_gid;            /* CONTROL_GROUP as the socket was given it */
	bool have_group;
};

int control_open(struct sup *s, const char *path);
void control_close(struct sup *s);
/* Answers one client (status = CTL_*); drops the client if it cannot take it. */
void control_reply(struct ctl_client *c, int status, const char *text, size_t len);
/* Called when a status gather completes: answers every waiting client. */
void control_status_ready(struct sup *s);

#endif
