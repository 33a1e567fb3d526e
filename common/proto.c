// SPDX-License-Identifier: GPL-2.0-only
/*
 * Body validators for the messages of proto.h. Each copies the body into an
 * aligned local before looking at it, so a caller may pass any buffer, and
 * checks only what the receiver would otherwise trust blindly: exact sizes,
 * terminated strings, counts within their arrays, known enum values.
 */
#include "proto.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"

bool proto_str_valid(const char *s, size_t cap)
{
	return s && cap > 0 && memchr(s, '\0', cap) != NULL;
}

static bool proto_text_valid(const void *text, size_t len)
{
	return len == 0 || memchr(text, '\0', len) == NULL;
}

/* "aod_" followed by one or more digits: a complete collection's name. */
static bool proto_collection_name_valid(const char *dir)
{
	if (strncmp(dir, "aod_", 4) != 0 || dir[4] == '\0')
		return false;
	for (const char *p = dir + 4; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

static bool proto_worst_valid(const struct proto_worst *w)
{
	return w->command < AOD_SMB2_NR_COMMANDS && w->err >= 0 && w->in_flight <= 1 &&
	       proto_str_valid(w->comm, sizeof(w->comm)) && proto_str_valid(w->server, sizeof(w->server)) &&
	       proto_str_valid(w->address, sizeof(w->address)) && proto_str_valid(w->share, sizeof(w->share));
}

bool proto_anomaly_valid(const void *body, size_t len)
{
	struct proto_anomaly a;

	if (!body || len != sizeof(a))
		return false;
	memcpy(&a, body, sizeof(a));
	if (!proto_str_valid(a.name, sizeof(a.name)))
		return false;
	if (a.type != PROTO_ANOMALY_LATENCY && a.type != PROTO_ANOMALY_ERROR &&
	    a.type != PROTO_ANOMALY_MANUAL)
		return false;
	if (a.emergency > 1 || a.interval_start_ns > a.interval_end_ns)
		return false;
	if (a.scope > PROTO_SCOPE_SHARE || a.scope_other > 1 || !proto_str_valid(a.server, sizeof(a.server)) ||
	    !proto_str_valid(a.share, sizeof(a.share)))
		return false;
	if (a.n_errnos > PROTO_MAX_ERRNOS || a.n_worst > PROTO_WORST)
		return false;
	for (uint32_t i = 0; i < a.n_errnos; i++)
		if (a.errnos[i].err <= 0)
			return false;
	for (uint32_t i = 0; i < a.n_worst; i++)
		if (!proto_worst_valid(&a.worst[i]))
			return false;
	return true;
}

bool proto_stats_detector_valid(const void *body, size_t len)
{
	struct proto_stats_detector s;

	if (!body || len != sizeof(s))
		return false;
	memcpy(&s, body, sizeof(s));
	if (s.n_anomalies > PROTO_MAX_ANOMALIES)
		return false;
	for (uint32_t i = 0; i < s.n_anomalies; i++)
		if (!proto_str_valid(s.anomalies[i].name, sizeof(s.anomalies[i].name)))
			return false;
	return true;
}

bool proto_cooldowns_valid(const void *body, size_t len)
{
	struct proto_cooldowns c;

	if (!body || len != sizeof(c))
		return false;
	memcpy(&c, body, sizeof(c));
	if (c.n > PROTO_MAX_ANOMALIES || c.reserved)
		return false;
	for (uint32_t i = 0; i < c.n; i++)
		if (!proto_str_valid(c.e[i].name, sizeof(c.e[i].name)) || !c.e[i].name[0])
			return false;
	return true;
}

bool proto_stats_collector_valid(const void *body, size_t len)
{
	return body && len == sizeof(struct proto_stats_collector);
}

bool proto_stats_sweeper_valid(const void *body, size_t len)
{
	return body && len == sizeof(struct proto_stats_sweeper);
}

/* 0 or a negative errno the receiver can print (strerror(-status)); the
 * kernel's errno values stay below 4096. */
static bool proto_status_valid(int32_t status)
{
	return status <= 0 && status > -4096;
}

bool proto_collection_done_valid(const void *body, size_t len)
{
	struct proto_collection_done d;

	if (!body || len != sizeof(d))
		return false;
	memcpy(&d, body, sizeof(d));
	if (!proto_str_valid(d.dir, sizeof(d.dir)) || !proto_status_valid(d.status))
		return false;
	/* An empty name is allowed for a collection that failed before its
	 * folder existed; any other name is relayed and logged, so it must be
	 * a collection's name and nothing else (no paths). */
	return d.dir[0] == '\0' ? d.status < 0 : proto_collection_name_valid(d.dir);
}

bool proto_config_ack_valid(const void *body, size_t len)
{
	struct proto_config_ack a;

	if (!body || len != sizeof(a))
		return false;
	memcpy(&a, body, sizeof(a));
	return proto_status_valid(a.status) && proto_str_valid(a.reason, sizeof(a.reason));
}

bool proto_shutdown_valid(const void *body, size_t len)
{
	return body && len == sizeof(uint32_t);
}

bool proto_ctl_status_valid(const void *body, size_t len)
{
	return body && len == 1 && *(const uint8_t *)body <= 1;
}

bool proto_ctl_reply_valid(const void *body, size_t len)
{
	if (!body || len < sizeof(struct proto_ctl_reply))
		return false;
	return proto_text_valid((const char *)body + sizeof(struct proto_ctl_reply),
				len - sizeof(struct proto_ctl_reply));
}

bool proto_body_valid(uint16_t type, const void *body, size_t len)
{
	switch (type) {
	case PROTO_READY:
	case PROTO_STATS_REQ:
	case PROTO_SWEEP_NOW:
	case PROTO_DRAINED:
	case PROTO_CTL_RELOAD:
	case PROTO_CTL_CHECK_CONFIG:
	case PROTO_CTL_METRICS:
		return len == 0;
	case PROTO_CONFIG:
		return body && proto_text_valid(body, len);
	case PROTO_CONFIG_ACK:
		return proto_config_ack_valid(body, len);
	case PROTO_STATS_DETECTOR:
		return proto_stats_detector_valid(body, len);
	case PROTO_STATS_COLLECTOR:
		return proto_stats_collector_valid(body, len);
	case PROTO_STATS_SWEEPER:
		return proto_stats_sweeper_valid(body, len);
	case PROTO_ANOMALY:
		return proto_anomaly_valid(body, len);
	case PROTO_COLLECTION_DONE:
		return proto_collection_done_valid(body, len);
	case PROTO_RECORDER_INPUT:
		return proto_recorder_input_valid(body, len);
	case PROTO_SHUTDOWN:
		return proto_shutdown_valid(body, len);
	case PROTO_PING:
	case PROTO_PONG:
		return len == sizeof(uint64_t);
	case PROTO_COOLDOWNS:
		return proto_cooldowns_valid(body, len);
	case PROTO_CTL_STATUS:
		return proto_ctl_status_valid(body, len);
	case PROTO_CTL_COLLECT:
		return len < PROTO_NAME_LEN && (len == 0 || (body && proto_text_valid(body, len)));
	case PROTO_CTL_REPLY:
		return proto_ctl_reply_valid(body, len);
	case PROTO_BLOCKED_TASKS:
		return body && len >= sizeof(uint64_t) &&
		       proto_text_valid((const char *)body + sizeof(uint64_t), len - sizeof(uint64_t));
	default:
		return false;
	}
}

const char *proto_type_name(uint16_t type)
{
	switch (type) {
	case PROTO_READY: return "READY";
	case PROTO_CONFIG: return "CONFIG";
	case PROTO_CONFIG_ACK: return "CONFIG_ACK";
	case PROTO_STATS_REQ: return "STATS_REQ";
	case PROTO_STATS_DETECTOR: return "STATS_DETECTOR";
	case PROTO_STATS_COLLECTOR: return "STATS_COLLECTOR";
	case PROTO_STATS_SWEEPER: return "STATS_SWEEPER";
	case PROTO_ANOMALY: return "ANOMALY";
	case PROTO_COLLECTION_DONE: return "COLLECTION_DONE";
	case PROTO_SWEEP_NOW: return "SWEEP_NOW";
	case PROTO_SHUTDOWN: return "SHUTDOWN";
	case PROTO_DRAINED: return "DRAINED";
	case PROTO_RECORDER_INPUT: return "RECORDER_INPUT";
	case PROTO_BLOCKED_TASKS: return "BLOCKED_TASKS";
	case PROTO_PING: return "PING";
	case PROTO_PONG: return "PONG";
	case PROTO_COOLDOWNS: return "COOLDOWNS";
	case PROTO_CTL_STATUS: return "CTL_STATUS";
	case PROTO_CTL_RELOAD: return "CTL_RELOAD";
	case PROTO_CTL_COLLECT: return "CTL_COLLECT";
	case PROTO_CTL_CHECK_CONFIG: return "CTL_CHECK_CONFIG";
	case PROTO_CTL_METRICS: return "CTL_METRICS";
	case PROTO_CTL_REPLY: return "CTL_REPLY";
	default: return NULL;
	}
}

static bool proto_accepted(uint64_t accept, uint16_t type)
{
	return type < 64 && (accept & PROTO_BIT(type)) != 0;
}

int proto_recv(int sock, struct msg *m, uint64_t accept, char *why, size_t cap)
{
	int rc = msg_recv(sock, m);

	/* only the flight recorder's inputs carry one, and always */
	if (rc == 1 && (m->fd >= 0) != (m->type == PROTO_RECORDER_INPUT)) {
		bool had = m->fd >= 0;
		if (had)
			close(m->fd);
		m->fd = -1;
		snprintf(why, cap, "%s file descriptor with a %s message", had ? "a" : "no",
			 proto_type_name(m->type) ? proto_type_name(m->type) : "unknown");
		return -EBADMSG;
	}
	if (rc == 1 && !(proto_accepted(accept, m->type) &&
			 proto_body_valid(m->type, m->body, m->len))) {
		const char *name = proto_type_name(m->type);
		snprintf(why, cap, "an invalid or unexpected message (type %u %s, %u bytes)",
			 m->type, name ? name : "unknown", m->len);
		return -EBADMSG;
	}
	if (rc == -EBADMSG)
		snprintf(why, cap, "a malformed message (%s)", m->error ? m->error : "bad framing");
	else if (rc < 0 && rc != -EAGAIN)
		snprintf(why, cap, "%s", strerror(-rc));
	return rc;
}

const char *proto_anomaly_type_name(uint32_t type)
{
	switch (type) {
	case PROTO_ANOMALY_LATENCY: return "Latency";
	case PROTO_ANOMALY_ERROR: return "Error";
	case PROTO_ANOMALY_MANUAL: return "Manual";
	}
	return "unknown";
}

bool proto_recorder_input_valid(const void *body, size_t len)
{
	const struct proto_recorder_input *r = body;

	if (len != sizeof(*r))
		return false;
	return r->kind >= PROTO_REC_EVENTS && r->kind < PROTO_REC_NR && r->reserved == 0 &&
	       r->from_ns <= r->to_ns && r->pre_sec <= 3600 && r->post_sec <= 3600 &&
	       r->count <= (1u << 24);
}
