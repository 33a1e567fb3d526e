/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The text of a tracefs "trace" file: the timestamp of one line
 *   "  cat-1234    [001] ..... 12345.678901: smb3_cmd_enter: ..."
 * (seconds.microseconds, or nanoseconds with 9 digits, before the first
 * ": " that follows the CPU field), and cutting that text to a window of
 * time (the cifs trace ring's part of a collection).
 *
 * The cut keeps the header ('#' lines) and every event line whose
 * timestamp is within [from, to], with the lines without a timestamp that
 * follow it (an event printed on several lines stays whole or goes whole).
 * The file is in time order (tracefs merges its per-CPU buffers by
 * timestamp), so the first event after `to` ends the cut: the caller stops
 * reading there, whatever the ring recorded since.
 */
#ifndef AOD_TRACETIME_H
#define AOD_TRACETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 0 and the time in ns, or -EINVAL for a line without one. */
int tracetime_parse(const char *line, uint64_t *ns);

#define TRACECUT_LINE_MAX 4096
#define TRACECUT_OUT_MAX 16384

struct tracecut {
	uint64_t from, to;    /* the window, on the trace's clock (ns) */
	int out;              /* where kept lines go */
	uint64_t oldest;      /* the first event's time in the file (0: none yet) */
	uint64_t first, last; /* the kept events' times (first 0: none kept) */
	uint64_t kept, before; /* events kept; events older than the window */
	bool past;            /* an event after `to` was seen: the cut is complete */
	bool keep;            /* the lines of the current event are kept */
	bool streaming;       /* inside a line longer than line[], decided already */
	bool stream_keep;     /* ... and kept */
	size_t len, outlen;
	char line[TRACECUT_LINE_MAX];
	char outbuf[TRACECUT_OUT_MAX];
};

void tracecut_init(struct tracecut *c, uint64_t from, uint64_t to, int out);
/* Feeds n bytes of the trace. 0 while the window may go on, 1 once the cut
 * is complete (the rest of the trace is after it), or -errno of a write. */
int tracecut_feed(struct tracecut *c, const char *buf, size_t n);
/* The end of the trace: decides a last line without a newline and writes
 * out what is buffered. 0 or -errno. */
int tracecut_finish(struct tracecut *c);

#endif
