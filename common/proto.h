/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The typed messages aodv2 processes exchange (framed by msg.h), and the
 * fixed-layout bodies they carry. Every body type has a *_valid() check that
 * a receiver runs before using the bytes: strings must be NUL-terminated
 * inside their arrays, counts within their arrays, enums known.
 *
 * Hub and spoke: each worker talks only to the supervisor.
 *   worker -> supervisor: READY, STATS, ANOMALY (detectord),
 *                         COLLECTION_DONE (collectord), PONG
 *   supervisor -> worker: CONFIG (effective config as YAML text), STATS_REQ,
 *                         ANOMALY (to collectord), SWEEP_NOW (to sweeperd),
 *                         SHUTDOWN, PING (the watchdog: every worker's
 *                         skeleton answers it with a PONG of the same body)
 *   aodctl <-> supervisor (control socket): CTL_* requests, CTL_REPLY
 */
#ifndef AOD_PROTO_H
#define AOD_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aod_event.h"

struct msg;

enum proto_type {
	PROTO_READY = 1,           /* empty body */
	PROTO_CONFIG = 2,          /* body: YAML text (not NUL-terminated) */
	PROTO_CONFIG_ACK = 3,      /* body: struct proto_config_ack */
	PROTO_STATS_REQ = 4,       /* empty */
	PROTO_STATS_DETECTOR = 5,  /* struct proto_stats_detector */
	PROTO_STATS_COLLECTOR = 6, /* struct proto_stats_collector */
	PROTO_STATS_SWEEPER = 7,   /* struct proto_stats_sweeper */
	PROTO_ANOMALY = 8,         /* struct proto_anomaly */
	PROTO_COLLECTION_DONE = 9, /* struct proto_collection_done */
	PROTO_SWEEP_NOW = 10,      /* empty */
	PROTO_SHUTDOWN = 11,       /* body: uint32_t deadline_ms */
	PROTO_DRAINED = 12,        /* worker finished its shutdown work; empty */
	PROTO_RECORDER_INPUT = 13, /* to collectord, with an fd: struct proto_recorder_input */
	PROTO_BLOCKED_TASKS = 14,  /* to collectord, just before its anomaly: uint64_t timestamp_ns,
				    * then the blocked_tasks text (no NUL) */
	PROTO_PING = 15,           /* to a worker: uint64_t sequence number */
	PROTO_PONG = 16,           /* its answer: the PING's uint64_t, echoed */
	PROTO_COOLDOWNS = 17,      /* to a restarted detectord, after its first CONFIG:
				    * struct proto_cooldowns */

	PROTO_CTL_STATUS = 100,      /* body: uint8_t json (0/1) */
	PROTO_CTL_RELOAD = 101,      /* empty */
	PROTO_CTL_COLLECT = 102,     /* body: anomaly name, may be empty (not NUL-terminated) */
	PROTO_CTL_CHECK_CONFIG = 103,/* empty */
	PROTO_CTL_METRICS = 104,     /* empty: the Prometheus exposition */
	PROTO_CTL_REPLY = 110,       /* struct proto_ctl_reply header + text */
};

/* The flight recorder's inputs, each sent with its fd right before the
 * ANOMALY it belongs to: EVENTS a sealed memfd of struct aod_event records
 * (CLOCK_MONOTONIC ts_ns); CIFS_TRACE the tracefs instance's "trace" file,
 * opened read-only; PACKETS the packet ring's directory (O_DIRECTORY). */
enum proto_recorder_kind {
	PROTO_REC_EVENTS = 1,
	PROTO_REC_CIFS_TRACE = 2,
	PROTO_REC_PACKETS = 3,
	PROTO_REC_NR = 4,
};

struct proto_recorder_input {
	uint64_t anomaly_ts_ns;   /* the anomaly's timestamp_ns */
	uint32_t kind;            /* enum proto_recorder_kind */
	uint32_t reserved;
	int64_t mono_to_wall_ns;  /* CLOCK_REALTIME - CLOCK_MONOTONIC when sent */
	uint64_t from_ns, to_ns;  /* EVENTS, CIFS_TRACE: wall-clock span of the window asked for */
	uint64_t count;           /* EVENTS: records in the memfd */
	uint32_t pre_sec, post_sec;
};

#define PROTO_NAME_LEN 64
#define PROTO_MAX_ANOMALIES 32
#define PROTO_WORST 5
#define PROTO_MAX_ERRNOS 16
#define PROTO_SUMMARY_CMDS AOD_SMB2_NR_COMMANDS
/* Where a request went (common/smb_where.h's sizes): empty when unknown. */
#define PROTO_SERVER_LEN 64
#define PROTO_ADDR_LEN 48
#define PROTO_SHARE_LEN 160

enum proto_anomaly_type {
	PROTO_ANOMALY_LATENCY = 1,
	PROTO_ANOMALY_ERROR = 2,
	PROTO_ANOMALY_MANUAL = 3, /* aodctl collect */
};

enum proto_scope {
	PROTO_SCOPE_HOST = 1,
	PROTO_SCOPE_SERVER = 2,
	PROTO_SCOPE_SHARE = 3,
};

struct proto_cmd_stat {
	uint64_t count;      /* violations of this command in the interval */
	uint64_t p50_ns, p99_ns, max_ns;
};

struct proto_errno_stat {
	int32_t err;         /* positive errno */
	uint32_t reserved;
	uint64_t count;
};

struct proto_worst {
	uint64_t latency_ns;  /* in_flight: how long it had waited so far */
	uint64_t session_id;
	uint32_t tree_id;
	uint32_t pid;
	uint32_t nt_status;
	int16_t err;
	uint8_t command;
	uint8_t in_flight;    /* 1: still waiting for its response when seen */
	char comm[AOD_COMM_LEN];
	char server[PROTO_SERVER_LEN];  /* as the share was mounted ("" unknown) */
	char address[PROTO_ADDR_LEN];   /* the session's server address ("" unknown) */
	char share[PROTO_SHARE_LEN];    /* \\server\share ("" unknown) */
};

struct proto_anomaly {
	char name[PROTO_NAME_LEN];      /* the config key under guardian.anomalies */
	uint32_t type;                  /* enum proto_anomaly_type */
	uint32_t emergency;             /* 1 when raised by a single request over the emergency bound */
	uint64_t timestamp_ns;          /* wall clock, ns since the epoch: names aod_<timestamp_ns>/ */
	uint64_t interval_start_ns;     /* wall clock bounds of the judged window */
	uint64_t interval_end_ns;
	/* detectord's CLOCK_MONOTONIC -> wall clock offset (0 for a manual
	 * one): interval_start_ns minus it is the window's start on the
	 * events' own clock, exactly */
	int64_t mono_to_wall_ns;
	uint64_t events_judged;         /* events in the window this handler judged */
	uint64_t violations;            /* slow requests (Latency) or errors (Error) */
	uint32_t acceptable_count;
	uint32_t n_errnos;              /* used entries of errnos[] */
	uint32_t n_worst;               /* used entries of worst[] */
	uint32_t in_flight;             /* requests still waiting over the emergency bound when raised */
	struct proto_cmd_stat cmds[PROTO_SUMMARY_CMDS]; /* by SMB2 command code */
	struct proto_errno_stat errnos[PROTO_MAX_ERRNOS];
	struct proto_worst worst[PROTO_WORST];
	/* What the anomaly judged together (scope in aodv2.yaml(5)): the host,
	 * one server or one share; server and share name it ("" for the host,
	 * and for requests whose share was not known). scope_other: the
	 * requests of every server or share past the ones tracked one by one. */
	uint32_t scope;                 /* enum proto_scope; 0 is host (a manual collection) */
	uint32_t scope_other;
	char server[PROTO_SERVER_LEN];
	char share[PROTO_SHARE_LEN];
};

/* The last anomaly of each name the supervisor collected (its timestamp_ns):
 * a restarted detectord starts its cooldowns from them. */
struct proto_cooldown {
	char name[PROTO_NAME_LEN];
	uint64_t last_ns;
};

struct proto_cooldowns {
	uint32_t n;        /* used entries of e[] */
	uint32_t reserved;
	struct proto_cooldown e[PROTO_MAX_ANOMALIES];
};

struct proto_config_ack {
	int32_t status;  /* 0 applied, else -errno; the worker keeps its old config */
	char reason[200];
};

struct proto_anomaly_counts {
	char name[PROTO_NAME_LEN];
	uint64_t judged;     /* events judged by this anomaly's handler */
	uint64_t detected;   /* anomalies declared (sent + suppressed) */
	uint64_t sent;
	uint64_t suppressed; /* inside cooldown_sec */
};

struct proto_stats_detector {
	uint32_t n_anomalies;
	uint32_t reserved;
	uint64_t events_consumed;
	uint64_t late_events;  /* arrived for an already closed window */
	struct proto_anomaly_counts anomalies[PROTO_MAX_ANOMALIES];
};

struct proto_stats_collector {
	uint64_t running, done, failed;
	uint64_t actions_run, actions_failed, actions_timed_out;
	uint64_t write_errors;   /* ENOSPC / unwritable output dir */
	uint64_t received;       /* anomalies received */
};

struct proto_stats_sweeper {
	uint64_t output_bytes;   /* size of complete + partial collections */
	uint64_t limit_bytes;
	uint64_t collections;    /* complete collections present */
	uint64_t deleted;        /* collections deleted since start */
	uint64_t deleted_bytes;
	uint64_t last_sweep_unix;
};

struct proto_collection_done {
	char dir[PROTO_NAME_LEN]; /* "aod_<timestamp_ns>" */
	int32_t status;           /* 0 complete; -errno when the collection failed */
	uint32_t actions_ok, actions_failed;
	uint32_t reserved;
};

struct proto_ctl_reply {
	int32_t status; /* 0 ok, else an aodctl exit code */
	uint32_t reserved;
	/* followed by text, not NUL-terminated */
};

/* Validators: true when the body of len bytes is a well-formed message of
 * that type. They never read past len. */
bool proto_anomaly_valid(const void *body, size_t len);
bool proto_stats_detector_valid(const void *body, size_t len);
bool proto_stats_collector_valid(const void *body, size_t len);
bool proto_stats_sweeper_valid(const void *body, size_t len);
bool proto_recorder_input_valid(const void *body, size_t len);
bool proto_collection_done_valid(const void *body, size_t len);
bool proto_config_ack_valid(const void *body, size_t len);
bool proto_cooldowns_valid(const void *body, size_t len);

/* True when a fixed char array holds a NUL-terminated string. */
bool proto_str_valid(const char *s, size_t cap);

/* PROTO_SHUTDOWN: exactly a uint32_t deadline_ms. */
bool proto_shutdown_valid(const void *body, size_t len);
/* PROTO_CTL_STATUS: one byte, 0 or 1. */
bool proto_ctl_status_valid(const void *body, size_t len);
/* PROTO_CTL_REPLY: struct proto_ctl_reply, then text without NUL bytes. */
bool proto_ctl_reply_valid(const void *body, size_t len);
/* Any type above: the check that type's body needs (empty bodies must be
 * empty; text bodies hold no NUL byte; PROTO_CTL_COLLECT's name is shorter
 * than PROTO_NAME_LEN). False for an unknown type. */
bool proto_body_valid(uint16_t type, const void *body, size_t len);
/* "Latency", "Error", "Manual"; "unknown" otherwise. */
const char *proto_anomaly_type_name(uint32_t type);
/* "ANOMALY", "CONFIG", ... for log lines; NULL for an unknown type. */
const char *proto_type_name(uint16_t type);

/* A set of worker-protocol types (all below 64) for proto_recv. */
#define PROTO_BIT(type) (UINT64_C(1) << (type))
/* What a worker may send the supervisor; each row of the supervisor's
 * dispatch narrows it to what that worker sends. */
#define PROTO_FROM_WORKERS \
	(PROTO_BIT(PROTO_READY) | PROTO_BIT(PROTO_CONFIG_ACK) | PROTO_BIT(PROTO_STATS_DETECTOR) | \
	 PROTO_BIT(PROTO_STATS_COLLECTOR) | PROTO_BIT(PROTO_STATS_SWEEPER) | \
	 PROTO_BIT(PROTO_ANOMALY) | PROTO_BIT(PROTO_COLLECTION_DONE) | PROTO_BIT(PROTO_DRAINED) | \
	 PROTO_BIT(PROTO_PONG))

/* The one checked receive of the worker protocol, for both of its ends:
 * msg_recv, then no fd may come along, the type must be in accept and the
 * body must pass proto_body_valid. Returns 1 for a message the caller may
 * trust, 0 on EOF, -EAGAIN when a non-blocking socket has nothing,
 * -EBADMSG for a message that breaks the protocol (a passed fd is closed),
 * another -errno when reading failed. why then says what the peer sent,
 * to be read as "<peer> sent <why>" ("a malformed message (bad magic)",
 * "an invalid or unexpected message (type 11 SHUTDOWN, 2 bytes)"), or for
 * a failed read, strerror's text; the caller logs it once, naming the peer. */
int proto_recv(int sock, struct msg *m, uint64_t accept, char *why, size_t cap);

#endif
