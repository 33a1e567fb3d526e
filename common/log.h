/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Logging for every aodv2 process: syslog under the ident "aodv2-<process>"
 * with the pid the host knows the process by (a worker is pid 1 of its own
 * PID namespace, so not LOG_PID's getpid()), and also stderr when running in the foreground (-f).
 * The level comes from AOD_LOG_LEVEL (ERROR, WARNING, INFO, DEBUG; default
 * INFO). A disabled level costs one comparison: the arguments of a debug line
 * are not even evaluated when DEBUG is off.
 *
 * The level and the foreground flag are the module's only state; like
 * openlog(3), logging is process-wide by nature. Lines that can repeat go
 * through the rate-limited variants below (log_warn_rl, ...).
 */
#ifndef AOD_LOG_H
#define AOD_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

#include "clock.h"

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

/*
 * Rate-limited lines, for anything a peer, a file or a timer can repeat
 * (a flood of control connections, a million malformed replay lines, the
 * same error on every sweep): each call site passes at most LOG_RL_BURST
 * lines per LOG_RL_INTERVAL_NS; the first line it passes after dropping
 * some is preceded by one "suppressed N similar messages" line naming the
 * call site. Like the kernel's printk_ratelimited, the bucket is a static
 * per call site: it is the call site's own state, not the process's.
 */
#define LOG_RL_INTERVAL_NS (5ull * 1000000000ull)
#define LOG_RL_BURST 10u

struct log_ratelimit {
	uint64_t window_start_ns;   /* 0: no window yet */
	unsigned passed;            /* lines passed in this window */
	unsigned long suppressed;   /* lines dropped since the last one passed */
};

/* True when the line may be logged at now_ns; logs the summary of what was
 * suppressed before returning true. file/line name the call site. */
bool log_ratelimit_pass(struct log_ratelimit *rl, int priority, const char *file, int line,
			uint64_t now_ns);

#define log_at_rl(prio, ...) \
	do { \
		static struct log_ratelimit log_rl_site_; \
		if (log_enabled(prio) && \
		    log_ratelimit_pass(&log_rl_site_, prio, __FILE__, __LINE__, clock_mono_ns())) \
			log_emit(prio, __VA_ARGS__); \
	} while (0)
#define log_error_rl(...) log_at_rl(LOG_ERR, __VA_ARGS__)
#define log_warn_rl(...) log_at_rl(LOG_WARNING, __VA_ARGS__)
#define log_info_rl(...) log_at_rl(LOG_INFO, __VA_ARGS__)

#endif
