/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Logging for every aodv2 process: syslog under the ident "aodv2-<process>"
 * with LOG_PID, and also stderr when running in the foreground (-f).
 * The level comes from AOD_LOG_LEVEL (ERROR, WARNING, INFO, DEBUG; default
 * INFO). A disabled level costs one comparison: the arguments of a debug line
 * are not even evaluated when DEBUG is off.
 *
 * The level and the foreground flag are the module's only state; like
 * openlog(3), logging is process-wide by nature.
 */
#ifndef AOD_LOG_H
#define AOD_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* process: the short name, e.g. "detectord"; the ident becomes "aodv2-detectord".
 * Calling it again (same process) only reconnects to syslog. */
void log_init(const char *process, bool foreground);
/* Forget the syslog connection (before closing fds behind glibc's back),
 * then connect again under the same ident (after). Without this, glibc
 * would send to, and on failure close, whatever reused its fd number. */
void log_disconnect(void);
void log_reconnect(void);
/* Parses AOD_LOG_LEVEL-style names; returns a LOG_* priority or -1. */
int log_level_parse(const char *name);
void log_set_level(int priority);
int log_get_level(void);
bool log_enabled(int priority);
void log_emit(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For journal.c: the line on stderr only (when in the foreground), and the
 * ident ("aodv2-<process>"). */
void log_stderr(int priority, const char *text);
const char *log_ident(void);

#define log_at(prio, ...) \
	do { \
		if (log_enabled(prio)) \
			log_emit(prio, __VA_ARGS__); \
	} while (0)
#define log_error(...) log_at(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_at(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_at(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_at(LOG_DEBUG, __VA_ARGS__)

#endif
