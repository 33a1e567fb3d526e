// SPDX-License-Identifier: GPL-2.0-only
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* The module's only state (see log.h): what openlog(3) keeps anyway. */
static struct {
	int level;
	bool foreground;
	char ident[48];
} log_state = { .level = LOG_INFO };

static const struct {
	const char *name;
	int priority;
} log_levels[] = {
	{ "ERROR", LOG_ERR }, { "ERR", LOG_ERR },     { "WARNING", LOG_WARNING },
	{ "WARN", LOG_WARNING }, { "INFO", LOG_INFO }, { "DEBUG", LOG_DEBUG },
};

int log_level_parse(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
		if (strcasecmp(name, log_levels[i].name) == 0)
			return log_levels[i].priority;
	return -1;
}

void log_disconnect(void)
{
	closelog();
}

void log_reconnect(void)
{
	if (log_state.ident[0])
		openlog(log_state.ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_init(const char *process, bool foreground)
{
	char ident[sizeof(log_state.ident)];

	snprintf(ident, sizeof(ident), "aodv2-%s", process);
	log_state.foreground = foreground;
	if (strcmp(ident, log_state.ident) == 0) {
		/* Already set up: a caller reconnecting after an fd sweep. */
		log_reconnect();
		return;
	}
	memcpy(log_state.ident, ident, sizeof(ident));
	openlog(log_state.ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);

	const char *env = getenv("AOD_LOG_LEVEL");
	int level = log_level_parse(env);
	if (level >= 0)
		log_state.level = level;
	else if (env && *env)
		log_emit(LOG_WARNING, "AOD_LOG_LEVEL=%s is not one of ERROR, WARNING, INFO, DEBUG; using INFO",
			 env);
}

void log_set_level(int priority)
{
	log_state.level = priority;
}

int log_get_level(void)
{
	return log_state.level;
}

bool log_enabled(int priority)
{
	return priority <= log_state.level;
}

static const char *log_tag(int priority)
{
	switch (priority) {
	case LOG_ERR: return "error";
	case LOG_WARNING: return "warning";
	case LOG_INFO: return "info";
	default: return "debug";
	}
}

void log_emit(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (log_state.foreground) {
		va_list copy;
		struct timespec ts;
		char line[2048];

		/* One write per line: the supervisor and its workers share this
		 * stderr, and unbuffered pieces of their lines would interleave. */
		va_copy(copy, ap);
		clock_gettime(CLOCK_REALTIME, &ts);
		int n = snprintf(line, sizeof(line), "%lld.%03ld %s[%s]: ", (long long)ts.tv_sec,
				 ts.tv_nsec / 1000000, log_state.ident[0] ? log_state.ident : "aodv2",
				 log_tag(priority));
		if (n > 0 && (size_t)n < sizeof(line) - 1) {
			size_t room = sizeof(line) - 1 - (size_t)n; /* one byte kept for '\n' */
			int m = vsnprintf(line + n, room, fmt, copy);
			if (m > 0)
				n += (size_t)m < room ? m : (int)room - 1; /* truncated */
			line[n++] = '\n';
			ssize_t w = write(STDERR_FILENO, line, (size_t)n);
			(void)w; /* nowhere left to report a failing stderr */
		}
		va_end(copy);
	}
	vsyslog(priority, fmt, ap);
	va_end(ap);
}

bool log_ratelimit_pass(struct log_ratelimit *rl, int priority, const char *file, int line,
			uint64_t now_ns)
{
	if (rl->window_start_ns == 0 || now_ns - rl->window_start_ns >= LOG_RL_INTERVAL_NS) {
		rl->window_start_ns = now_ns ? now_ns : 1;
		rl->passed = 0;
	}
	if (rl->passed >= LOG_RL_BURST) {
		rl->suppressed++;
		return false;
	}
	rl->passed++;
	if (rl->suppressed) {
		const char *base = strrchr(file, '/');
		log_emit(priority, "suppressed %lu similar messages (%s:%d, at most %u per %llu s)",
			 rl->suppressed, base ? base + 1 : file, line, LOG_RL_BURST,
			 LOG_RL_INTERVAL_NS / 1000000000ull);
		rl->suppressed = 0;
	}
	return true;
}
