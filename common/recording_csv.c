// SPDX-License-Identifier: GPL-2.0-only
/*
 * CSV recording lines. Tools and people write these files, so every field is
 * parsed strictly: no signs, spaces or trailing junk in numbers, overflow is
 * an error, names must be known. Only comm, the last column, is free text: it
 * takes the rest of the line (a process name may hold commas), or a quoted
 * field as written by CSV libraries.
 */
#include "recording_csv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "recording.h"
#include "smb_tables.h"
#include "smb_where.h"

enum csv_col {
	COL_TS, COL_KIND, COL_COMMAND, COL_LATENCY, COL_ERRNO, COL_NT_STATUS,
	COL_SESSION, COL_TREE, COL_MESSAGE, COL_PID, COL_SHARE, COL_COMM, COL_NR
};

static int csv_digit(char c, unsigned base)
{
	int v = -1;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	return v >= 0 && (unsigned)v < base ? v : -1;
}

/* Digits in base only, at least one, no overflow. */
static bool csv_parse_digits(const char *s, unsigned base, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		int d = csv_digit(*s, base);
		if (d < 0 || v > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return true;
}

static bool csv_has_hex_prefix(const char *s)
{
	return s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

/* Decimal, or hex with a 0x prefix. */
static bool csv_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	bool ok = csv_has_hex_prefix(s) ? csv_parse_digits(s + 2, 16, out)
					: csv_parse_digits(s, 10, out);
	return ok && *out <= max;
}

static bool csv_parse_command(const char *s, uint8_t *out)
{
	uint64_t v;

	if (csv_digit(s[0], 10) >= 0) {
		if (!csv_parse_u64(s, AOD_SMB2_NR_COMMANDS - 1, &v))
			return false;
	} else {
		int code = smb2_command_from_name(s);
		if (code < 0 || code >= AOD_SMB2_NR_COMMANDS)
			return false;
		v = (uint64_t)code;
	}
	*out = (uint8_t)v;
	return true;
}

static bool csv_parse_errno(const char *s, int16_t *out)
{
	uint64_t v = 0;

	if (*s == '\0') {
		v = 0;
	} else if (csv_digit(s[0], 10) >= 0) {
		if (!csv_parse_u64(s, INT16_MAX, &v))
			return false;
	} else {
		int err = errno_from_name(s);
		if (err <= 0 || err > INT16_MAX)
			return false;
		v = (uint64_t)err;
	}
	*out = (int16_t)v;
	return true;
}

/* Always hex, with or without 0x; empty is 0 (success). */
static bool csv_parse_nt_status(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (csv_has_hex_prefix(s))
		s += 2;
	else if (*s == '\0')
		return *out = 0, true;
	if (strlen(s) > 8 || !csv_parse_digits(s, 16, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool csv_parse_kind(const char *s, uint8_t *out)
{
	if (strcmp(s, "latency") == 0)
		*out = AOD_EV_LATENCY;
	else if (strcmp(s, "error") == 0)
		*out = AOD_EV_ERROR;
	else if (strcmp(s, "inflight") == 0)
		*out = AOD_EV_INFLIGHT;
	else
		return false;
	return true;
}

/* Unquotes "..." with "" for a quote, in place. */
static bool csv_unquote(char *s)
{
	size_t len = strlen(s);
	char *w = s;

	if (len < 2 || s[len - 1] != '"')
		return false;
	s[len - 1] = '\0';
	for (char *p = s + 1; *p; p++) {
		if (*p == '"' && *++p != '"')
			return false;
		*w++ = *p;
	}
	*w = '\0';
	return true;
}

static bool csv_parse_comm(char *s, char comm[AOD_COMM_LEN])
{
	if (s[0] == '"' && !csv_unquote(s))
		return false;
	size_t len = strlen(s);
	if (len >= AOD_COMM_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	memset(comm, 0, AOD_COMM_LEN);
	memcpy(comm, s, len);
	return true;
}

/* Splits the columns before comm at commas (share only when the file has
 * it; share names hold no commas); comm keeps the rest. */
static bool csv_split(char *line, char *col[COL_NR], bool with_share)
{
	char *p = line;

	col[COL_SHARE] = NULL;
	for (int i = 0; i < COL_COMM; i++) {
		if (i == COL_SHARE && !with_share)
			continue;
		char *comma = strchr(p, ',');
		if (!comma)
			return false;
		*comma = '\0';
		col[i] = p;
		p = comma + 1;
	}
	col[COL_COMM] = p;
	return true;
}

static const char *csv_parse_cols(char *col[COL_NR], struct aod_event *ev)
{
	uint64_t v;

	if (!csv_parse_u64(col[COL_TS], UINT64_MAX, &v))
		return "ts_ns is not an unsigned integer";
	ev->ts_ns = v;
	if (!csv_parse_kind(col[COL_KIND], &ev->kind))
		return "kind is not 'latency', 'error' or 'inflight'";
	if (!csv_parse_command(col[COL_COMMAND], &ev->command))
		return "command is not an SMB2 command name or code (0..18)";
	if (!csv_parse_u64(col[COL_LATENCY], UINT64_MAX, &v))
		return "latency_ns is not an unsigned integer";
	ev->latency_ns = v;
	if (!csv_parse_errno(col[COL_ERRNO], &ev->err))
		return "errno is not a known errno name or a number";
	if (!csv_parse_nt_status(col[COL_NT_STATUS], &ev->nt_status))
		return "nt_status is not a 32-bit hex number";
	if (!csv_parse_u64(col[COL_SESSION], UINT64_MAX, &v))
		return "session_id is not an unsigned integer";
	ev->session_id = v;
	if (!csv_parse_u64(col[COL_TREE], UINT32_MAX, &v))
		return "tree_id is not a 32-bit unsigned integer";
	ev->tree_id = (uint32_t)v;
	if (!csv_parse_u64(col[COL_MESSAGE], UINT64_MAX, &v))
		return "message_id is not an unsigned integer";
	ev->message_id = v;
	if (!csv_parse_u64(col[COL_PID], UINT32_MAX, &v))
		return "pid is not a 32-bit unsigned integer";
	ev->pid = (uint32_t)v;
	if (!csv_parse_comm(col[COL_COMM], ev->comm))
		return "comm is longer than 15 bytes, badly quoted or holds control characters";
	return NULL;
}

int recording_csv_parse(char *line, struct aod_event *ev, const char **why)
{
	char *col[COL_NR];

	memset(ev, 0, sizeof(*ev));
	if (!csv_split(line, col, false)) {
		*why = "expected 11 comma-separated columns";
		return -EINVAL;
	}
	*why = csv_parse_cols(col, ev);
	return *why ? -EINVAL : 0;
}

/* Empty, or exactly a \\server\share name. */
static bool csv_parse_share(const char *s, char *share)
{
	struct smb_where w;

	share[0] = '\0';
	if (*s == '\0')
		return true;
	memset(&w, 0, sizeof(w));
	if (strlen(s) >= sizeof(w.share) || smb_where_from_unc(s, &w) != 0 || strcmp(w.share, s) != 0 ||
	    !smb_where_valid(&w))
		return false;
	memcpy(share, w.share, sizeof(w.share));
	return true;
}

int recording_csv_parse_share(char *line, struct aod_event *ev, char *share, const char **why)
{
	char *col[COL_NR];

	memset(ev, 0, sizeof(*ev));
	share[0] = '\0';
	if (!csv_split(line, col, true)) {
		*why = "expected 12 comma-separated columns";
		return -EINVAL;
	}
	*why = csv_parse_cols(col, ev);
	if (!*why && !csv_parse_share(col[COL_SHARE], share))
		*why = "share is not a \\\\server\\share name";
	return *why ? -EINVAL : 0;
}

/* comm as the last column: as written, or quoted when it starts with a
 * quote (the reader would take it for a quoted field). */
static size_t csv_put_comm(const struct aod_event *ev, char *out)
{
	size_t len = strnlen(ev->comm, AOD_COMM_LEN), n = 0;
	bool quote = len && ev->comm[0] == '"';

	if (quote)
		out[n++] = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)ev->comm[i];
		if (quote && c == '"')
			out[n++] = '"';
		out[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (quote)
		out[n++] = '"';
	return n;
}

int recording_csv_parse_comment(const char *line, uint64_t *grid_ns, const char **why)
{
	size_t n = strlen(RECORDING_CSV_GRID);

	if (strncmp(line, RECORDING_CSV_GRID, n) != 0)
		return 0;
	if (!csv_parse_digits(line + n, 10, grid_ns)) {
		*why = "grid_ns is not an unsigned integer";
		return -EINVAL;
	}
	return 1;
}

/* One line; share NULL: without the share column. */
static int csv_format(const struct aod_event *ev, uint64_t base_ns, const char *share, char *buf,
		      size_t cap)
{
	const char *cmd = smb2_command_name(ev->command);
	const char *err = ev->err ? errno_name(ev->err) : NULL;
	char cmdbuf[8], errbuf[8], ntbuf[16] = "", comm[2 * AOD_COMM_LEN + 4];

	if (!cmd) {
		snprintf(cmdbuf, sizeof(cmdbuf), "%u", ev->command);
		cmd = cmdbuf;
	}
	if (ev->err && !err) {
		snprintf(errbuf, sizeof(errbuf), "%d", ev->err);
		err = errbuf;
	}
	if (ev->nt_status)
		snprintf(ntbuf, sizeof(ntbuf), "0x%08x", ev->nt_status);
	comm[csv_put_comm(ev, comm)] = '\0';
	int n = snprintf(buf, cap, "%llu,%s,%s,%llu,%s,%s,%llu,%u,%llu,%u,%s%s%s\n",
			 (unsigned long long)(ev->ts_ns > base_ns ? ev->ts_ns - base_ns : 0),
			 ev->kind == AOD_EV_ERROR ? "error" : "latency", cmd,
			 (unsigned long long)ev->latency_ns, err ? err : "", ntbuf,
			 (unsigned long long)ev->session_id, ev->tree_id,
			 (unsigned long long)ev->message_id, ev->pid, share ? share : "",
			 share ? "," : "", comm);
	return n < 0 || (size_t)n >= cap ? -ENOSPC : n;
}

int recording_csv_format(const struct aod_event *ev, uint64_t base_ns, char *buf, size_t cap)
{
	return csv_format(ev, base_ns, NULL, buf, cap);
}

int recording_csv_format_share(const struct aod_event *ev, uint64_t base_ns, const char *share,
			       char *buf, size_t cap)
{
	if (strchr(share, ',') || strchr(share, '\n') || strlen(share) >= SMB_WHERE_SHARE_LEN)
		return -EINVAL; /* the reader could not split it back */
	return csv_format(ev, base_ns, share, buf, cap);
}
