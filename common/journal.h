/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Log lines with structured fields: sent to the systemd journal over its
 * native protocol (one datagram of KEY=value fields to
 * /run/systemd/journal/socket) where journald runs, so that
 * `journalctl AOD_ANOMALY=latency` finds them; to syslog (the message text
 * only) where it does not. With -f the line also goes to stderr.
 *
 * Why the native socket and not libsystemd's sd_journal_send: it is the
 * same wire format in a few dozen lines, adds no run-time dependency, and
 * works unchanged inside the unit's sandbox and after the workers drop
 * privileges (the socket is world-writable, the datagram needs no
 * connection); a missing socket is detected per send and falls back to
 * syslog, so a machine without journald loses nothing.
 *
 * AOD_JOURNAL_SOCKET in the environment names another socket path (the
 * tests bind a datagram socket there); an empty value disables the journal
 * and forces syslog.
 */
#ifndef AOD_JOURNAL_H
#define AOD_JOURNAL_H

#include <stdbool.h>

#include "log.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#define JOURNAL_MAX_FIELDS 16

struct journal_field {
	const char *key;   /* A-Z, 0-9, _; not starting with _ */
	const char *value; /* any text, newlines included */
};

/* MESSAGE_IDs of the normal log lines that carry fields (aodv2-supervisor(8)). */
#define JOURNAL_MSGID_ANOMALY "6265bd5c2104495d889dca0c181d46dd"
#define JOURNAL_MSGID_COLLECTION "496234698f004e7a8137de42090c74b5"

/* Logs one line at priority with MESSAGE_ID msgid (32 hex digits, or
 * NULL) and the fields (at most JOURNAL_MAX_FIELDS), whatever the log
 * level (journal_at checks it first, like log_info()). */
void journal_log(int priority, const char *msgid, const struct journal_field *f, unsigned n,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define journal_at(prio, ...) \
	do { \
		if (log_enabled(prio)) \
			journal_log(prio, __VA_ARGS__); \
	} while (0)
/* Forgets the socket (log_disconnect calls it before an fd sweep). */
void journal_close(void);

#endif
