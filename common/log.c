// SPDX-License-Identifier: GPL-2.0-only
#include "log.h"

#include "journal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "utf8.h"

/* The module's only state (see log.h): what openlog(3) keeps anyway. */
static struct {
	int level;
	bool foreground;
	char ident[48];
	char syslog_ident[48 + 24]; /* "ident[host pid]": see log_host_pid */
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
	journal_close();
}

void log_reconnect(void)
{
	if (log_state.syslog_ident[0])
		openlog(log_state.syslog_ident, LOG_NDELAY, LOG_DAEMON);
}

/* The pid the host knows this process by. A worker is init of its own PID
 * namespace (supervisor/children.c), where getpid() and so LOG_PID say 1;
 * /proc is the host's procfs, whose "self" names the host's number. */
static long log_host_pid(void)
{
	char buf[24];
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);
	char *end;

	if (n > 0) {
		buf[n] = '\0';
		long pid = strtol(buf, &end, 10);
		if (*end == '\0' && pid > 0)
			return pid;
	}
	return (long)getpid();
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
	/* What LOG_PID would add, with the host's pid: "ident[pid]: " is the
	 * form syslog daemons and journald parse into SYSLOG_PID. */
	snprintf(log_state.syslog_ident, sizeof(log_state.syslog_ident), "%s[%ld]", ident,
		 log_host_pid());
	openlog(log_state.syslog_ident, LOG_NDELAY, LOG_DAEMON);

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
	case LOG_NOTICE: return "notice";
	case LOG_INFO: return "info";
	default: return "debug";
	}
}

/* One write per line: the supervisor and its workers share this stderr, and
 * unbuffered pieces of their lines would interleave. text is escaped. */
static void log_write_stderr(int priority, const char *text)
{
	struct timespec ts;
	struct tm tm;
	char line[4096 + 96], when[24] = "";

	clock_gettime(CLOCK_REALTIME, &ts);
	/* Local time, as a person reading a terminal expects. */
	if (localtime_r(&ts.tv_sec, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	int n = snprintf(line, sizeof(line), "%s.%03ld %s[%s]: %s\n", when, ts.tv_nsec / 1000000,
			 log_state.ident[0] ? log_state.ident : "aodv2", log_tag(priority), text);
	if (n > 0) {
		ssize_t w = write(STDERR_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
		(void)w; /* nowhere left to report a failing stderr */
	}
}

void log_stderr(int priority, const char *text)
{
	char esc[4096];

	if (!log_state.foreground)
		return;
	utf8_escape(esc, sizeof(esc), text);
	log_write_stderr(priority, esc);
}

const char *log_ident(void)
{
	return log_state.ident[0] ? log_state.ident : "aodv2";
}

/* Every line is escaped (utf8.h): kernel-supplied text in it (a task's
 * comm, a path) can neither forge lines nor carry invalid UTF-8 into the
 * journal. */
void log_emit(int priority, const char *fmt, ...)
{
	char raw[2048], text[4096];
	va_list ap;

	va_start(ap, fmt);
	int m = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	utf8_escape(text, sizeof(text), raw);
	if (log_state.foreground)
		log_write_stderr(priority, text);
	syslog(priority, "%s", text);
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
