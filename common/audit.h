/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The audit trail (audit.enabled): what aodv2 decided and did and who
 * asked, one record per event, with a MESSAGE_ID per kind and AOD_* fields
 * (journal.h: the journal where journald runs, else syslog). Every kind is
 * documented in aodv2-supervisor(8), section AUDIT TRAIL.
 *
 * Promise: nothing is recorded while disabled (the default); records are
 * rate-limited per kind (AUDIT_RATE a second, bursts of AUDIT_BURST), and
 * the number dropped is said in the next record of that kind
 * (AOD_AUDIT_SUPPRESSED=). Audit records are written whatever
 * AOD_LOG_LEVEL says. Like the log, the enabled flag and the buckets are
 * process-wide state.
 */
#ifndef AOD_AUDIT_H
#define AOD_AUDIT_H

#include <stdbool.h>

#include "journal.h"

#define AUDIT_RATE 50
#define AUDIT_BURST 200

enum audit_kind {
	AUDIT_WINDOW,   /* detectord: a window judged (anomaly, events, verdict) */
	AUDIT_ANOMALY,  /* detectord: an anomaly and its cooldown decision */
	AUDIT_ACTION,   /* collectord: an action run (command, exit, bytes, duration) */
	AUDIT_CONTROL,  /* supervisor: a control request (peer uid/pid, command, outcome) */
	AUDIT_RELOAD,   /* supervisor: a reload (files, SHA-256, accepted or refused) */
	AUDIT_SWEEP,    /* sweeperd: a collection deleted (what, why) */
	AUDIT_KINDS,
};

/* From audit.enabled, whenever a process applies a configuration. */
void audit_enable(bool on);
bool audit_enabled(void);
/* One record; at most JOURNAL_MAX_FIELDS - 2 fields. */
void audit_record(enum audit_kind kind, const struct journal_field *f, unsigned n,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The kind's MESSAGE_ID (for tests and the man page). */
const char *audit_msgid(enum audit_kind kind);

#endif
