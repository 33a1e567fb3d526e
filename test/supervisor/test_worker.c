// SPDX-License-Identifier: GPL-2.0-only
/*
 * A test double for the three workers, used only by the supervisor's
 * multi-process tests to exercise supervision itself: it follows the worker
 * conventions (privdrop, CONFIG, READY, STATS, SHUTDOWN -> DRAINED, EOF ->
 * exit 1), consumes the ring as detectord does (so ring counts can be checked
 * exactly), acknowledges anomalies as collectord does, and misbehaves on
 * request so the supervisor's reactions can be observed:
 *   AOD_TEST_MALFORMED_ONCE=FILE  if FILE exists: delete it, send garbage after READY
 *   AOD_TEST_CRASH=ROLE           that role aborts right after READY
 *   AOD_TEST_EXIT78=ROLE          that role rejects its config and exits 78
 *   AOD_TEST_DEAF=ROLE            that role ignores SHUTDOWN (must be killed)
 * The role comes from argv[0] ("aodv2-detectord", ...).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "msg.h"
#include "privdrop.h"
#include "proto.h"
#include "ring.h"

struct tw {
	char role[32];
	struct ring *ring;
	struct msg m;
	uint64_t consumed, anomalies, sweeps;
};

static bool env_is_role(const char *var, const char *role)
{
	const char *v = getenv(var);
	return v && strcmp(v, role) == 0;
}

static void tw_drop(struct tw *t, int argc, char **argv)
{
	const char *user = NULL, *caps = NULL;
	int capv[16], n = 0;
	uid_t uid;
	gid_t gid;
	int fb;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			user = argv[++i];
		else if (strcmp(argv[i], "--caps") == 0 && i + 1 < argc)
			caps = argv[++i];
	}
	if (caps && (n = privdrop_parse_caps(caps, capv, 16)) < 0)
		exit(1);
	if (privdrop_resolve(user, &uid, &gid, &fb) < 0 || privdrop_apply(uid, gid, capv, (size_t)n) < 0)
		exit(1);
	privdrop_close_fds_from(strcmp(t->role, "detectord") == 0 ? 7 : 4);
}

static void tw_consume(struct tw *t)
{
	const struct aod_event *ev;
	long n;

	if (!t->ring)
		return;
	while ((n = ring_peek(t->ring, &ev, 4096)) > 0) {
		ring_release(t->ring, (size_t)n);
		t->consumed += (uint64_t)n;
	}
}

static void tw_stats(struct tw *t)
{
	if (strcmp(t->role, "detectord") == 0) {
		struct proto_stats_detector d = { .n_anomalies = 1, .events_consumed = t->consumed };
		snprintf(d.anomalies[0].name, sizeof(d.anomalies[0].name), "latency");
		d.anomalies[0].judged = t->consumed;
		msg_send(MSG_WORKER_FD, PROTO_STATS_DETECTOR, &d, sizeof(d), -1);
	} else if (strcmp(t->role, "collectord") == 0) {
		struct proto_stats_collector c = { .done = t->anomalies, .received = t->anomalies };
		msg_send(MSG_WORKER_FD, PROTO_STATS_COLLECTOR, &c, sizeof(c), -1);
	} else {
		struct proto_stats_sweeper s = { .limit_bytes = 1u << 20, .last_sweep_unix = t->sweeps };
		msg_send(MSG_WORKER_FD, PROTO_STATS_SWEEPER, &s, sizeof(s), -1);
	}
}

static void tw_anomaly(struct tw *t)
{
	struct proto_anomaly a;
	struct proto_collection_done d = { .status = 0, .actions_ok = 1 };

	memcpy(&a, t->m.body, sizeof(a));
	t->anomalies++;
	snprintf(d.dir, sizeof(d.dir), "aod_%llu", (unsigned long long)a.timestamp_ns);
	msg_send(MSG_WORKER_FD, PROTO_COLLECTION_DONE, &d, sizeof(d), -1);
}

/* Returns false when the worker should exit (status in *code). */
static bool tw_message(struct tw *t, int *code)
{
	struct proto_config_ack ack = { 0 };

	switch (t->m.type) {
	case PROTO_STATS_REQ: tw_stats(t); return true;
	case PROTO_CONFIG: msg_send(MSG_WORKER_FD, PROTO_CONFIG_ACK, &ack, sizeof(ack), -1); return true;
	case PROTO_ANOMALY: tw_anomaly(t); return true;
	case PROTO_SWEEP_NOW: t->sweeps++; return true;
	case PROTO_PING: msg_send(MSG_WORKER_FD, PROTO_PONG, t->m.body, t->m.len, -1); return true;
	case PROTO_RECORDER_INPUT: /* the flight recorder's input for the next anomaly */
		if (t->m.fd >= 0)
			close(t->m.fd);
		t->m.fd = -1;
		return true;
	case PROTO_SHUTDOWN:
		if (env_is_role("AOD_TEST_DEAF", t->role))
			return true;
		tw_consume(t);
		msg_send(MSG_WORKER_FD, PROTO_DRAINED, NULL, 0, -1);
		*code = 0;
		return false;
	default:
		*code = 1;
		return false;
	}
}

static int tw_configure(struct tw *t)
{
	struct aod_config *cfg = NULL;
	struct config_errors errs = { 0 };
	struct proto_config_ack ack = { 0 };

	if (msg_recv(MSG_WORKER_FD, &t->m) != 1 || t->m.type != PROTO_CONFIG)
		return 1;
	int rc = config_load_text((const char *)t->m.body, t->m.len, "supervisor", &cfg, &errs);
	config_errors_free(&errs);
	config_free(cfg);
	if (rc < 0 || env_is_role("AOD_TEST_EXIT78", t->role)) {
		ack.status = -EINVAL;
		snprintf(ack.reason, sizeof(ack.reason), "test worker refuses this config");
		msg_send(MSG_WORKER_FD, PROTO_CONFIG_ACK, &ack, sizeof(ack), -1);
		return AOD_EX_CONFIG;
	}
	msg_send(MSG_WORKER_FD, PROTO_CONFIG_ACK, &ack, sizeof(ack), -1);
	msg_send(MSG_WORKER_FD, PROTO_READY, NULL, 0, -1);
	return 0;
}

static void tw_misbehave(struct tw *t)
{
	const char *once = getenv("AOD_TEST_MALFORMED_ONCE");
	if (once && unlink(once) == 0) {
		static const char junk[] = "this is not a framed message";
		send(MSG_WORKER_FD, junk, sizeof(junk), MSG_NOSIGNAL);
	}
	if (env_is_role("AOD_TEST_CRASH", t->role))
		abort();
}

int main(int argc, char **argv)
{
	static struct tw t;
	const char *base = strrchr(argv[0], '/');
	int code = 1;

	base = base ? base + 1 : argv[0];
	snprintf(t.role, sizeof(t.role), "%s", strncmp(base, "aodv2-", 6) == 0 ? base + 6 : base);
	log_init(t.role, true);
	tw_drop(&t, argc, argv);
	if (strcmp(t.role, "detectord") == 0 && ring_attach(4, 5, 6, &t.ring) < 0)
		return 1;
	code = tw_configure(&t);
	if (code)
		return code;
	tw_misbehave(&t);
	for (;;) {
		struct pollfd p[2] = { { .fd = MSG_WORKER_FD, .events = POLLIN },
				       { .fd = t.ring ? ring_data_fd(t.ring) : -1, .events = POLLIN } };
		if (t.ring && ring_consumer_sleep(t.ring) == 1) {
			tw_consume(&t);
			continue;
		}
		/* detectord judges on its interval too; 100 ms stands in for it. */
		if (poll(p, 2, 100) < 0 && errno != EINTR)
			return 1;
		if (t.ring) {
			ring_consumer_awake(t.ring);
			tw_consume(&t);
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		int rc = msg_recv(MSG_WORKER_FD, &t.m);
		if (rc == 0)
			return 1;
		if (rc < 0)
			return rc == -EAGAIN ? 0 : 1;
		if (!tw_message(&t, &code))
			break;
	}
	if (t.ring)
		ring_close(t.ring);
	return code;
}
