// SPDX-License-Identifier: GPL-2.0-only
/*
 * Event recordings (recording.h): format detection, the binary reader and
 * writer, and the CSV reader loop (lines are parsed in recording_csv.c).
 */
#include "recording.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ev_where.h"
#include "recording_csv.h"
#include "smb_where.h"

_Static_assert(sizeof(struct recording_file_header) == 32, "recording header is a file format");
_Static_assert(sizeof(RECORDING_MAGIC) - 1 == 8, "recording magic is 8 bytes");

#define RECORDING_WRITE_CHUNK 256
/* A CSV line is kept up to this many bytes (its limit, a '\r' and the NUL);
 * the rest of a longer line is read and dropped, so memory stays bounded
 * however long a line is. */
#define RECORDING_LINE_KEEP (RECORDING_CSV_MAX_LINE + 2)
#define RECORDING_READ_CHUNK 65536

struct recording_reader {
	FILE *f;
	bool binary;
	unsigned long line; /* CSV line, or binary record number */
	uint64_t skipped;
	uint64_t start_wall_ns;
	recording_error_fn on_error;
	void *arg;
	char buf[RECORDING_LINE_KEEP];
	char in[RECORDING_READ_CHUNK]; /* CSV read-ahead */
	size_t in_pos, in_len;
	/* CSV with a share column: the records to hand out before reading on
	 * (a share's AOD_EV_WHERE records, then its event), and the names
	 * announced so far */
	bool csv_share;
	struct aod_event pending[EV_WHERE_RECORDS_MAX + 1];
	unsigned n_pending, next_pending;
	struct smb_where_table *named;
	bool handed; /* a record went out: a grid line now is too late */
};

/* One CSV line as read: its first bytes in r->buf, NUL-terminated. */
struct recording_line {
	size_t len;   /* bytes kept in r->buf, end of line stripped */
	bool too_long; /* longer than RECORDING_CSV_MAX_LINE */
	bool has_nul;  /* a NUL byte among the kept bytes */
};

struct recording_writer {
	FILE *f;
	bool started;
	uint64_t first_ts;
	int err; /* first write error, reported again by recording_finish */
};

static void recording_report(struct recording_reader *r, const char *why)
{
	r->skipped++;
	if (r->on_error)
		r->on_error(r->line, why, r->arg);
}

static int recording_read_binary_header(struct recording_reader *r, char *why, size_t why_len)
{
	struct recording_file_header h;

	if (fread(&h, sizeof(h), 1, r->f) != 1) {
		snprintf(why, why_len, "truncated binary recording header");
		return ferror(r->f) ? -EIO : -EBADMSG;
	}
	if (h.abi_version != AOD_EVENT_ABI_VERSION) {
		snprintf(why, why_len, "recording ABI version %" PRIu32 ", this build reads %u",
			 h.abi_version, (unsigned)AOD_EVENT_ABI_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (h.record_size != sizeof(struct aod_event)) {
		snprintf(why, why_len, "recording ABI version %" PRIu32 " with %" PRIu32
			 "-byte records, this build reads %zu-byte records (a damaged header)",
			 h.abi_version, h.record_size, sizeof(struct aod_event));
		return -EBADMSG;
	}
	r->binary = true;
	r->start_wall_ns = h.start_wall_ns;
	return 0;
}

/* Refills r->in from the file. 1, 0 at the end, -EIO. */
static int recording_fill(struct recording_reader *r)
{
	r->in_pos = 0;
	r->in_len = fread(r->in, 1, sizeof(r->in), r->f);
	if (r->in_len > 0)
		return 1;
	return ferror(r->f) ? -EIO : 0;
}

/* Reads one line: keeps its first bytes, drops the rest of a long one
 * (checked while reading, never held whole). Returns 1, 0 at the end of
 * the file, -EIO on a read error. */
static int recording_read_line(struct recording_reader *r, struct recording_line *l)
{
	size_t total = 0, kept = 0;
	bool eol = false;
	int rc = 1;

	l->has_nul = false;
	while (!eol) {
		if (r->in_pos == r->in_len && (rc = recording_fill(r)) <= 0)
			break;
		const char *p = r->in + r->in_pos;
		size_t avail = r->in_len - r->in_pos;
		const char *nl = memchr(p, '\n', avail);
		size_t n = nl ? (size_t)(nl - p) : avail;
		size_t keep = sizeof(r->buf) - 1 - kept < n ? sizeof(r->buf) - 1 - kept : n;
		memcpy(r->buf + kept, p, keep);
		l->has_nul |= memchr(p, '\0', keep) != NULL;
		kept += keep;
		total += n;
		eol = nl != NULL;
		r->in_pos += n + eol;
	}
	if (rc < 0)
		return rc;
	if (!eol && total == 0)
		return 0;
	while (kept > 0 && r->buf[kept - 1] == '\r' && kept == total) {
		kept--;
		total--;
	}
	r->buf[kept] = '\0';
	l->len = kept;
	l->too_long = total > RECORDING_CSV_MAX_LINE;
	return 1;
}

static int recording_read_csv_header(struct recording_reader *r)
{
	struct recording_line l;
	int rc = recording_read_line(r, &l);

	if (rc < 0)
		return rc;
	if (rc == 0 || l.too_long || l.has_nul)
		return -EBADMSG;
	r->csv_share = strcmp(r->buf, RECORDING_CSV_HEADER_SHARE) == 0;
	if (!r->csv_share && strcmp(r->buf, RECORDING_CSV_HEADER) != 0)
		return -EBADMSG;
	if (r->csv_share) {
		r->named = calloc(1, sizeof(*r->named));
		if (!r->named)
			return -ENOMEM;
		smb_where_init(r->named);
	}
	r->line = 1;
	return 0;
}

/* Told apart by the first bytes: the binary magic, else the CSV header. */
static int recording_detect(struct recording_reader *r, char *why, size_t why_len)
{
	char magic[8];
	size_t got = fread(magic, 1, sizeof(magic), r->f);

	if (ferror(r->f))
		return -EIO;
	if (got == sizeof(magic) && memcmp(magic, RECORDING_MAGIC, sizeof(magic)) == 0) {
		rewind(r->f);
		return recording_read_binary_header(r, why, why_len);
	}
	rewind(r->f);
	snprintf(why, why_len, "not an aodv2 recording (binary or CSV)");
	return recording_read_csv_header(r);
}

int recording_open(const char *path, recording_error_fn on_error, void *arg,
		   struct recording_reader **out, char *why, size_t why_len)
{
	struct recording_reader *r = calloc(1, sizeof(*r));
	char scratch[1];

	if (!why || !why_len) {
		why = scratch;
		why_len = sizeof(scratch);
	}
	if (!r) {
		snprintf(why, why_len, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	r->on_error = on_error;
	r->arg = arg;
	r->f = fopen(path, "rbe");
	int rc = r->f ? recording_detect(r, why, why_len) : -errno;
	if (rc < 0) {
		if (rc != -EBADMSG && rc != -EPROTONOSUPPORT)
			snprintf(why, why_len, "%s", strerror(-rc));
		recording_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

static const char *recording_event_check(const struct aod_event *ev)
{
	/* a share's name: its bytes are checked where it is assembled */
	if (ev->kind == AOD_EV_WHERE_TEXT)
		return NULL;
	if (ev->kind == AOD_EV_WHERE)
		return ev->message_id >= 1 && ev->message_id <= EV_WHERE_TEXT_MAX ? NULL
			: "share name record with a bad length";
	if (ev->kind != AOD_EV_LATENCY && ev->kind != AOD_EV_ERROR && ev->kind != AOD_EV_INFLIGHT)
		return "unknown event kind";
	if (ev->command >= AOD_SMB2_NR_COMMANDS)
		return "command is not an SMB2 command code";
	if (ev->err < 0)
		return "negative errno";
	if (!memchr(ev->comm, '\0', sizeof(ev->comm)))
		return "comm is not NUL-terminated";
	return NULL;
}

static int recording_next_binary(struct recording_reader *r, struct aod_event *ev)
{
	for (;;) {
		size_t got = fread(ev, 1, sizeof(*ev), r->f);
		if (got < sizeof(*ev)) {
			if (ferror(r->f))
				return -EIO;
			if (got > 0) {
				r->line++;
				recording_report(r, "truncated record at the end of the file");
			}
			return 0;
		}
		r->line++;
		const char *why = recording_event_check(ev);
		if (!why)
			return 1;
		recording_report(r, why);
	}
}

/* A share new for its (session, tree): its records go out before the event. */
static void recording_csv_queue(struct recording_reader *r, const struct aod_event *ev,
				const char *share)
{
	const struct smb_where *known = smb_where_find(r->named, ev->session_id, ev->tree_id);
	size_t n = 0;

	r->n_pending = r->next_pending = 0;
	if (share[0] && (!known || strcmp(known->share, share) != 0)) {
		struct smb_where w = { .session_id = ev->session_id, .tree_id = ev->tree_id };
		n = ev_where_encode(ev->ts_ns, ev->session_id, ev->tree_id, share, r->pending);
		if (n && smb_where_from_unc(share, &w) == 0)
			smb_where_put(r->named, &w);
	}
	r->pending[n] = *ev;
	r->n_pending = (unsigned)n + 1u;
}

static int recording_parse_line(struct recording_reader *r, char *line, struct aod_event *ev,
				const char **why)
{
	char share[SMB_WHERE_SHARE_LEN];

	if (!r->csv_share)
		return recording_csv_parse(line, ev, why);
	if (recording_csv_parse_share(line, ev, share, why) != 0)
		return -EINVAL;
	recording_csv_queue(r, ev, share);
	*ev = r->pending[r->next_pending++];
	return 0;
}

/* A comment line: 1 with *ev the grid record, 0 to read on, -EINVAL
 * with *why. */
static int recording_comment(struct recording_reader *r, struct aod_event *ev, const char **why)
{
	uint64_t grid;
	int rc = recording_csv_parse_comment(r->buf, &grid, why);

	if (rc <= 0)
		return rc;
	if (r->handed) {
		*why = "grid line after the first record";
		return -EINVAL;
	}
	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = grid;
	ev->kind = AOD_EV_GRID;
	return 1;
}

static int recording_next_csv(struct recording_reader *r, struct aod_event *ev)
{
	struct recording_line l;
	int rc;

	if (r->next_pending < r->n_pending) {
		*ev = r->pending[r->next_pending++];
		return 1;
	}
	while ((rc = recording_read_line(r, &l)) > 0) {
		r->line++;
		const char *why = NULL;
		if (l.len == 0 && !l.too_long)
			continue; /* blank lines carry nothing */
		if (l.too_long)
			why = "line too long";
		else if (l.has_nul)
			why = "NUL byte in line";
		else if (r->buf[0] == '#') {
			int c = recording_comment(r, ev, &why);
			if (c == 0)
				continue;
			if (c == 1)
				return r->handed = true, 1;
		} else if (recording_parse_line(r, r->buf, ev, &why) == 0) {
			return r->handed = true, 1;
		}
		recording_report(r, why);
	}
	return rc;
}

int recording_next(struct recording_reader *r, struct aod_event *ev)
{
	return r->binary ? recording_next_binary(r, ev) : recording_next_csv(r, ev);
}

uint64_t recording_skipped(const struct recording_reader *r)
{
	return r->skipped;
}

bool recording_is_binary(const struct recording_reader *r)
{
	return r->binary;
}

uint64_t recording_start_wall_ns(const struct recording_reader *r)
{
	return r->start_wall_ns;
}

void recording_close(struct recording_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	free(r->named);
	free(r);
}

int recording_create(const char *path, struct recording_writer **out)
{
	struct recording_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0 || !(w->f = fdopen(fd, "wb"))) {
		int err = -errno;
		if (fd >= 0)
			close(fd);
		free(w);
		return err;
	}
	*out = w;
	return 0;
}

static uint64_t recording_clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The header goes out with the first event: only then is the start known.
 * Event timestamps are CLOCK_MONOTONIC; the header holds wall-clock time. */
static int recording_write_header(struct recording_writer *w, const struct aod_event *first)
{
	struct recording_file_header h = {
		.abi_version = AOD_EVENT_ABI_VERSION,
		.record_size = sizeof(struct aod_event),
	};
	uint64_t wall = recording_clock_ns(CLOCK_REALTIME);
	uint64_t mono = recording_clock_ns(CLOCK_MONOTONIC);

	memcpy(h.magic, RECORDING_MAGIC, sizeof(h.magic));
	h.start_wall_ns = first && first->ts_ns <= mono ? wall - (mono - first->ts_ns) : wall;
	w->started = true;
	w->first_ts = first ? first->ts_ns : 0;
	errno = 0;
	if (fwrite(&h, sizeof(h), 1, w->f) != 1)
		return errno ? -errno : -EIO;
	return 0;
}

int recording_write(struct recording_writer *w, const struct aod_event *ev, size_t n)
{
	struct aod_event chunk[RECORDING_WRITE_CHUNK];

	if (w->err)
		return w->err;
	if (n > 0 && !w->started)
		w->err = recording_write_header(w, &ev[0]);
	for (size_t done = 0; done < n && !w->err;) {
		size_t k = n - done < RECORDING_WRITE_CHUNK ? n - done : RECORDING_WRITE_CHUNK;
		for (size_t i = 0; i < k; i++) {
			chunk[i] = ev[done + i];
			/* Slightly out-of-order events (from different CPUs) before
			 * the first one are pinned to the start. */
			chunk[i].ts_ns = chunk[i].ts_ns > w->first_ts ? chunk[i].ts_ns - w->first_ts : 0;
		}
		errno = 0;
		if (fwrite(chunk, sizeof(chunk[0]), k, w->f) != k)
			w->err = errno ? -errno : -EIO;
		done += k;
	}
	return w->err;
}

int recording_finish(struct recording_writer *w)
{
	int rc = w->err;

	if (!rc && !w->started)
		rc = recording_write_header(w, NULL);
	if (fflush(w->f) != 0 && !rc)
		rc = -errno;
	if (fsync(fileno(w->f)) < 0 && !rc)
		rc = -errno;
	if (fclose(w->f) != 0 && !rc)
		rc = -errno;
	free(w);
	return rc;
}
