// SPDX-License-Identifier: GPL-2.0-only
/* The control socket: listening, peer credentials, per-client limits. */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "audit.h"
#include "clock.h"
#include "log.h"
#include "msg.h"
#include "proto.h"
#include "safedir.h"

static void control_drop(struct ctl_client *c)
{
	struct control *ctl = c->ctl;

	if (c->fd < 0)
		return;
	loop_del(ctl->loop, &c->watch);
	loop_del(ctl->loop, &c->idle_watch);
	close(c->fd);
	close(c->idle_tfd);
	c->fd = c->idle_tfd = -1;
	c->waiting_status = false;
}

static const char *control_audit_command(uint16_t type)
{
	switch (type) {
	case PROTO_CTL_STATUS: return "status";
	case PROTO_CTL_RELOAD: return "reload";
	case PROTO_CTL_COLLECT: return "collect";
	case PROTO_CTL_CHECK_CONFIG: return "check-config";
	}
	return "unknown";
}

static const char *control_audit_outcome(int status)
{
	switch (status) {
	case CTL_OK: return "ok";
	case CTL_DENIED: return "denied";
	case CTL_USAGE: return "refused";
	case CTL_CONFIG: return "invalid-config";
	}
	return "failed";
}

/* A control request answered with status (CTL_*), from c's peer. */
static void control_audit(const struct ctl_client *c, int status)
{
	char uid[16], pid[16];

	if (!audit_enabled())
		return;
	snprintf(uid, sizeof(uid), "%u", (unsigned)c->uid);
	snprintf(pid, sizeof(pid), "%d", (int)c->pid);
	const char *cmd = control_audit_command(c->req_type), *out = control_audit_outcome(status);
	struct journal_field f[] = {
		{ "AOD_PEER_UID", uid }, { "AOD_PEER_PID", pid },
		{ "AOD_COMMAND", cmd }, { "AOD_OUTCOME", out },
	};
	audit_record(AUDIT_CONTROL, f, 4, "control request %s from uid %s pid %s: %s", cmd, uid, pid,
		     out);
}

void control_reply(struct ctl_client *c, int status, const char *text, size_t len)
{
	struct proto_ctl_reply hdr = { .status = status };
	size_t max = MSG_MAX_BODY - sizeof(hdr);

	if (c->fd < 0)
		return;
	if (len > max) {
		log_warn_rl("control reply of %zu bytes truncated to %zu", len, max);
		len = max;
	}
	unsigned char *body = malloc(sizeof(hdr) + len);
	int rc = -ENOMEM;
	if (body) {
		memcpy(body, &hdr, sizeof(hdr));
		if (len)
			memcpy(body + sizeof(hdr), text, len);
		rc = msg_send(c->fd, PROTO_CTL_REPLY, body, sizeof(hdr) + len, -1);
		free(body);
	}
	if (rc < 0)
		log_warn_rl("control client (pid %d, uid %u): cannot send reply (%s); dropping it",
			 (int)c->pid, (unsigned)c->uid, strerror(-rc));
	control_audit(c, status);
	/* One request per connection keeps every client's cost bounded. */
	control_drop(c);
}

/* The group is the one the socket was given at open: no user database
 * lookup per connection (NSS may be a network service), except on kernels
 * without SO_PEERGROUPS (before 4.13). */
static bool peer_in_group(const struct control *ctl, int fd, uid_t uid, gid_t pgid)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);

	if (!ctl->have_group)
		return false;
	if (pgid == ctl->group_gid)
		return true;
	/* The peer's supplementary groups as they were at connect(). */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0) {
		for (size_t i = 0; i < len / sizeof(gid_t); i++)
			if (groups[i] == ctl->group_gid)
				return true;
		return false;
	}
	struct group gr, *grp = NULL;
	char buf[4096];
	struct passwd pw, *res = NULL;
	char pbuf[4096];
	if (getgrgid_r(ctl->group_gid, &gr, buf, sizeof(buf), &grp) != 0 || !grp ||
	    getpwuid_r(uid, &pw, pbuf, sizeof(pbuf), &res) != 0 || !res)
		return false;
	for (char **m = grp->gr_mem; *m; m++)
		if (strcmp(*m, pw.pw_name) == 0)
			return true;
	return false;
}

static void control_on_idle(struct loop_watch *lw, uint32_t events)
{
	struct ctl_client *c = lw->obj;
	(void)events;

	/* Read the expiry even when it is ignored: the timerfd is level
	 * triggered and would wake the loop again at once. Nothing to read:
	 * the event was queued for the slot's previous client (dropped or
	 * evicted earlier in the same batch), not this one. */
	uint64_t expired;
	if (read(c->idle_tfd, &expired, sizeof(expired)) != (ssize_t)sizeof(expired))
		return;
	if (c->waiting_status)
		return; /* the gather timer answers it */
	log_info_rl("control client (pid %d, uid %u) sent no request within %u ms; dropping it",
		 (int)c->pid, (unsigned)c->uid, CONTROL_IDLE_MS);
	control_drop(c);
}

static void control_on_client(struct loop_watch *lw, uint32_t events)
{
	struct ctl_client *c = lw->obj;
	struct control *ctl = c->ctl;

	if (c->waiting_status) {
		/* A second request before the first reply: not allowed. */
		if (events & EPOLLIN) {
			ctl->rejected++;
			control_drop(c);
		}
		return;
	}
	int rc = msg_recv(c->fd, ctl->msg);
	if (rc == -EAGAIN)
		return;
	if (rc <= 0) {
		if (rc < 0) {
			ctl->rejected++;
			log_warn_rl("control client (pid %d, uid %u): %s; dropping it", (int)c->pid,
				 (unsigned)c->uid, rc == -EBADMSG ? "malformed message" : strerror(-rc));
		}
		control_drop(c);
		return;
	}
	if (ctl->msg->fd >= 0) {
		close(ctl->msg->fd);
		ctl->msg->fd = -1;
		ctl->rejected++;
		log_warn_rl("control client (pid %d, uid %u) passed a file descriptor; dropping it",
			 (int)c->pid, (unsigned)c->uid);
		control_drop(c);
		return;
	}
	ctl->on_request(c, ctl->msg);
}

/* A free slot for a client of uid, or NULL with why set. Root takes any
 * free slot and, at a full table, the oldest non-root client's; others
 * leave CONTROL_ROOT_RESERVED free and hold CONTROL_MAX_PER_UID each. */
static struct ctl_client *control_slot(struct control *ctl, uid_t uid, const char **why)
{
	struct ctl_client *free_slot = NULL, *oldest = NULL;
	unsigned used = 0, same_uid = 0;

	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct ctl_client *c = &ctl->clients[i];
		if (c->fd < 0) {
			if (!free_slot)
				free_slot = c;
			continue;
		}
		used++;
		same_uid += c->uid == uid;
		if (c->uid != 0 && (!oldest || c->since_ns < oldest->since_ns))
			oldest = c;
	}
	if (uid == 0) {
		if (free_slot)
			return free_slot;
		if (!oldest) {
			*why = "every slot is held by root";
			return NULL;
		}
		log_warn_rl("control socket full: dropping the oldest client (pid %d, uid %u) for root",
			    (int)oldest->pid, (unsigned)oldest->uid);
		control_drop(oldest);
		return oldest;
	}
	if (same_uid >= CONTROL_MAX_PER_UID) {
		*why = "this uid has too many connections open";
		return NULL;
	}
	if (used >= CONTROL_MAX_CLIENTS - CONTROL_ROOT_RESERVED) {
		*why = "the control socket is busy";
		return NULL;
	}
	return free_slot;
}

/* Tells a refused client why (best effort: it may not be reading). */
static void control_refuse(int fd, const struct ucred *cred, const char *why)
{
	struct {
		struct proto_ctl_reply hdr;
		char text[160];
	} reply = { .hdr = { .status = CTL_FAILED } };
	int n = snprintf(reply.text, sizeof(reply.text),
			 "aodv2-supervisor: connection refused: %s; try again\n", why);

	if (n > 0 && (size_t)n < sizeof(reply.text))
		(void)msg_send(fd, PROTO_CTL_REPLY, &reply, sizeof(reply.hdr) + (size_t)n, -1);
	log_warn_rl("control client (pid %d, uid %u) refused: %s", (int)cred->pid,
		    (unsigned)cred->uid, why);
	close(fd);
}

static int control_client_init(struct control *ctl, struct ctl_client *c, int fd,
			       const struct ucred *cred)
{
	c->ctl = ctl;
	c->fd = fd;
	c->pid = cred->pid;
	c->uid = cred->uid;
	c->since_ns = clock_mono_ns();
	c->may_change = cred->uid == 0;
	c->may_read = c->may_change || peer_in_group(ctl, fd, cred->uid, cred->gid);
	c->waiting_status = false;
	c->idle_tfd = timer_new();
	if (c->idle_tfd < 0)
		return c->idle_tfd;
	int rc = loop_add(ctl->loop, &c->watch, fd, EPOLLIN, control_on_client, c);
	if (rc == 0)
		rc = loop_add(ctl->loop, &c->idle_watch, c->idle_tfd, EPOLLIN, control_on_idle, c);
	if (rc == 0)
		timer_arm_ms(c->idle_tfd, CONTROL_IDLE_MS);
	return rc;
}

static void control_on_listen(struct loop_watch *lw, uint32_t events)
{
	struct control *ctl = lw->obj;
	(void)events;

	for (;;) {
		int fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_warn_rl("control socket accept: %s", strerror(errno));
			return;
		}
		struct ucred cred;
		socklen_t len = sizeof(cred);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
			log_warn_rl("control socket: cannot read a client's credentials: %s",
				    strerror(errno));
			close(fd);
			continue;
		}
		const char *why = NULL;
		struct ctl_client *c = control_slot(ctl, cred.uid, &why);
		if (!c) {
			control_refuse(fd, &cred, why);
			continue;
		}
		int rc = control_client_init(ctl, c, fd, &cred);
		if (rc < 0) {
			log_warn_rl("control socket: cannot set up a client: %s", strerror(-rc));
			if (c->fd >= 0)
				control_drop(c);
			else
				close(fd);
		}
	}
}

/* A socket file left by a dead supervisor is replaced; one a live supervisor
 * answers on is not. */
static int control_claim_path(const struct sockaddr_un *sa)
{
	struct stat st;

	if (lstat(sa->sun_path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int live = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	if (live)
		return -EADDRINUSE;
	return unlink(sa->sun_path) == 0 ? 0 : -errno;
}

/* The socket's directory: made if missing, never reached through a symlink,
 * and, when we are root, root's alone to change (whoever else could write
 * there could swap the socket for a link before it gets its group). */
static int control_mkparent(const char *path)
{
	char dir[108], bad[108], why[400];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	int fd = safedir_open(dir, true, 0755, NULL, bad, sizeof(bad));
	if (fd < 0) {
		safedir_explain(fd, bad, why, sizeof(why));
		log_error("control socket directory: %s", why);
		return fd;
	}
	int rc = fstat(fd, &st) == 0 ? 0 : -errno;
	close(fd);
	if (rc == 0 && geteuid() == 0 && (st.st_uid != 0 || (st.st_mode & 0022))) {
		log_error("control socket directory %s: owned by uid %u with mode %04o; it must be "
			  "root's and writable by root alone", dir, (unsigned)st.st_uid,
			  (unsigned)(st.st_mode & 07777));
		rc = -EPERM;
	}
	return rc;
}

/* The bind made the socket 0660 (umask); only its group is set here, on the
 * file itself, never through a link. */
static void control_set_perms(struct control *ctl, const char *path)
{
	struct group gr, *grp = NULL;
	char buf[4096];

	ctl->have_group = false;
	if (getgrnam_r(CONTROL_GROUP, &gr, buf, sizeof(buf), &grp) == 0 && grp) {
		ctl->group_gid = grp->gr_gid;
		ctl->have_group = true;
		if (fchownat(AT_FDCWD, path, 0, grp->gr_gid, AT_SYMLINK_NOFOLLOW) != 0 &&
		    geteuid() == 0)
			log_warn("chown %s to group %s: %s", path, CONTROL_GROUP, strerror(errno));
	} else {
		log_info("group %s does not exist: only root can use %s", CONTROL_GROUP, path);
	}
}

static int control_bind(struct control *ctl, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	if ((rc = control_mkparent(path)) < 0 || (rc = control_claim_path(&sa)) < 0)
		return rc;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	mode_t old = umask(0117); /* never world-accessible, not even for an instant */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc != 0 || listen(fd, CONTROL_MAX_CLIENTS) != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	control_set_perms(ctl, path);
	ctl->listen_fd = fd;
	return 0;
}

void control_init(struct control *ctl)
{
	memset(ctl, 0, sizeof(*ctl));
	ctl->listen_fd = ctl->listen_watch.fd = -1;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct ctl_client *c = &ctl->clients[i];
		c->ctl = ctl;
		c->fd = c->idle_tfd = c->watch.fd = c->idle_watch.fd = -1;
	}
}

int control_open(struct control *ctl, struct loop *loop, struct msg *msgbuf, const char *path,
		 control_handler *on_request, void *owner)
{
	ctl->loop = loop;
	ctl->msg = msgbuf;
	ctl->on_request = on_request;
	ctl->owner = owner;
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	int rc = control_bind(ctl, path);
	if (rc < 0) {
		log_error("cannot open the control socket %s: %s%s", path, strerror(-rc),
			  rc == -EADDRINUSE ? " (another aodv2-supervisor is running)" : "");
		return rc;
	}
	rc = loop_add(loop, &ctl->listen_watch, ctl->listen_fd, EPOLLIN, control_on_listen, ctl);
	if (rc < 0)
		return rc;
	log_info("control socket %s", path);
	return 0;
}

void control_close(struct control *ctl)
{
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		control_drop(&ctl->clients[i]);
	if (ctl->listen_fd >= 0) {
		loop_del(ctl->loop, &ctl->listen_watch);
		close(ctl->listen_fd);
		unlink(ctl->path);
		ctl->listen_fd = -1;
	}
}
