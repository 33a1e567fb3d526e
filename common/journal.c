// SPDX-License-Identifier: GPL-2.0-only
#include "journal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

#define JOURNAL_DGRAM_MAX 8192

/* The socket, opened on first use; like syslog's, process-wide. */
static int journal_fd = -1;

void journal_close(void)
{
	if (journal_fd >= 0)
		close(journal_fd);
	journal_fd = -1;
}

static const char *journal_path(void)
{
	const char *env = getenv("AOD_JOURNAL_SOCKET");
	return env ? env : JOURNAL_SOCKET;
}

/* Appends KEY=value, or the binary form (KEY\n, 64-bit little-endian length,
 * value) when the value holds a newline. False when it does not fit. */
static bool journal_put(char *buf, size_t *len, const char *key, const char *value)
{
	size_t k = strlen(key), v = strlen(value);
	bool binary = memchr(value, '\n', v) != NULL;
	size_t need = k + 1 + (binary ? 8 : 0) + v + 1;

	if (*len + need > JOURNAL_DGRAM_MAX)
		return false;
	memcpy(buf + *len, key, k);
	*len += k;
	if (binary) {
		buf[(*len)++] = '\n';
		for (int i = 0; i < 8; i++)
			buf[(*len)++] = (char)((uint64_t)v >> (8 * i));
	} else {
		buf[(*len)++] = '=';
	}
	memcpy(buf + *len, value, v);
	*len += v;
	buf[(*len)++] = '\n';
	return true;
}

/* 0 when journald took it; -errno otherwise (the caller falls back). */
static int journal_send(int priority, const char *msgid, const struct journal_field *f,
			unsigned n, const char *text)
{
	const char *path = journal_path();
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[JOURNAL_DGRAM_MAX], prio[4], ident[64];
	size_t len = 0;
	bool ok;

	if (!*path || strlen(path) >= sizeof(sa.sun_path))
		return -ENOENT;
	strcpy(sa.sun_path, path);
	snprintf(prio, sizeof(prio), "%d", priority);
	snprintf(ident, sizeof(ident), "%s", log_ident());
	ok = journal_put(buf, &len, "MESSAGE", text) && journal_put(buf, &len, "PRIORITY", prio) &&
	     journal_put(buf, &len, "SYSLOG_IDENTIFIER", ident) &&
	     (!msgid || journal_put(buf, &len, "MESSAGE_ID", msgid));
	for (unsigned i = 0; ok && i < n && i < JOURNAL_MAX_FIELDS; i++)
		ok = journal_put(buf, &len, f[i].key, f[i].value ? f[i].value : "");
	if (!ok)
		return -EMSGSIZE;
	if (journal_fd < 0)
		journal_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (journal_fd < 0)
		return -errno;
	if (sendto(journal_fd, buf, len, MSG_NOSIGNAL, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

void journal_log(int priority, const char *msgid, const struct journal_field *f, unsigned n,
		 const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log_stderr(priority, text);
	if (journal_send(priority, msgid, f, n, text) < 0)
		syslog(priority, "%s", text);
}
