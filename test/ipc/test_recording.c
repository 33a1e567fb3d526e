// SPDX-License-Identifier: GPL-2.0-only
/*
 * Recordings: the binary format round-trips, CSV written by people and tools
 * is read strictly with every bad line reported by number, and the format is
 * told apart by the first bytes.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ev_where.h"
#include "recording.h"

#define MAX_ERRORS 32

struct errors {
	unsigned long line[MAX_ERRORS];
	char reason[MAX_ERRORS][128];
	int n;
};

static void on_error(unsigned long line, const char *reason, void *arg)
{
	struct errors *e = arg;

	if (e->n < MAX_ERRORS) {
		e->line[e->n] = line;
		snprintf(e->reason[e->n], sizeof(e->reason[0]), "%s", reason);
	}
	e->n++;
}

static char tmp_path[64];

static void setup(void)
{
	strcpy(tmp_path, "/tmp/aod-rec-XXXXXX");
	int fd = mkstemp(tmp_path);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void teardown(void)
{
	unlink(tmp_path);
}

static void write_file(const void *data, size_t len)
{
	FILE *f = fopen(tmp_path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static void write_text(const char *text)
{
	write_file(text, strlen(text));
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct aod_event sample(uint64_t ts, uint64_t i)
{
	struct aod_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = ts;
	ev.latency_ns = 1000 * i;
	ev.session_id = 0xabcdef0012345678ull;
	ev.message_id = i;
	ev.tree_id = 5;
	ev.nt_status = i % 2 ? 0xC000000Du : 0;
	ev.pid = 4242;
	snprintf(ev.comm, sizeof(ev.comm), "proc%llu", (unsigned long long)i);
	ev.command = (uint8_t)(i % 19);
	ev.kind = i % 2 ? AOD_EV_ERROR : AOD_EV_LATENCY;
	ev.err = i % 2 ? 22 : 0;
	return ev;
}

START_TEST(test_binary_round_trip)
{
	struct recording_writer *w;
	struct recording_reader *r;
	struct aod_event in[600], out;
	struct errors errs = { 0 };

	uint64_t mono = now_ns(CLOCK_MONOTONIC) - 5000000000ull; /* first event 5 s ago */
	for (uint64_t i = 0; i < 600; i++)
		in[i] = sample(mono + i * 1000, i);
	uint64_t wall_before = now_ns(CLOCK_REALTIME);
	ck_assert_int_eq(recording_create(tmp_path, &w), 0);
	ck_assert_int_eq(recording_write(w, in, 100), 0);
	ck_assert_int_eq(recording_write(w, in + 100, 500), 0);
	ck_assert_int_eq(recording_finish(w), 0);
	uint64_t wall_after = now_ns(CLOCK_REALTIME);

	ck_assert_int_eq(recording_open(tmp_path, on_error, &errs, &r, NULL, 0), 0);
	ck_assert(recording_is_binary(r));
	/* The header holds the wall-clock time of the first event. */
	uint64_t start = recording_start_wall_ns(r);
	ck_assert_uint_ge(start, wall_before - 5000000000ull - 1000000000ull);
	ck_assert_uint_le(start, wall_after - 5000000000ull + 1000000000ull);
	for (uint64_t i = 0; i < 600; i++) {
		struct aod_event want = in[i];
		want.ts_ns = i * 1000; /* rebased to the first event */
		ck_assert_int_eq(recording_next(r, &out), 1);
		ck_assert_mem_eq(&out, &want, sizeof(want));
	}
	ck_assert_int_eq(recording_next(r, &out), 0);
	ck_assert_uint_eq(recording_skipped(r), 0);
	ck_assert_int_eq(errs.n, 0);
	recording_close(r);
}
END_TEST

START_TEST(test_binary_bad_records_skipped)
{
	struct recording_file_header h = { .abi_version = AOD_EVENT_ABI_VERSION,
					   .record_size = sizeof(struct aod_event) };
	unsigned char buf[sizeof(h) + 3 * sizeof(struct aod_event) + 10];
	struct aod_event ev[3] = { sample(0, 0), sample(10, 1), sample(20, 2) };
	struct recording_reader *r;
	struct aod_event out;
	struct errors errs = { 0 };

	memcpy(h.magic, RECORDING_MAGIC, 8);
	ev[1].kind = 9;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), ev, sizeof(ev));
	memset(buf + sizeof(h) + sizeof(ev), 0, 10); /* a torn last record */
	write_file(buf, sizeof(buf));

	ck_assert_int_eq(recording_open(tmp_path, on_error, &errs, &r, NULL, 0), 0);
	ck_assert_int_eq(recording_next(r, &out), 1);
	ck_assert_uint_eq(out.message_id, 0);
	ck_assert_int_eq(recording_next(r, &out), 1);
	ck_assert_uint_eq(out.message_id, 2);
	ck_assert_int_eq(recording_next(r, &out), 0);
	ck_assert_uint_eq(recording_skipped(r), 2);
	ck_assert_int_eq(errs.n, 2);
	ck_assert_uint_eq(errs.line[0], 2); /* record numbers */
	ck_assert_uint_eq(errs.line[1], 4);
	recording_close(r);
}
END_TEST

START_TEST(test_binary_wrong_version_refused)
{
	struct recording_file_header h = { .abi_version = AOD_EVENT_ABI_VERSION + 1,
					   .record_size = sizeof(struct aod_event) };
	struct recording_reader *r = NULL;

	char why[160], want[160];

	memcpy(h.magic, RECORDING_MAGIC, 8);
	write_file(&h, sizeof(h));
	/* The operator learns which version the file is, not "not a recording". */
	ck_assert_int_eq(recording_open(tmp_path, NULL, NULL, &r, why, sizeof(why)), -EPROTONOSUPPORT);
	snprintf(want, sizeof(want), "recording ABI version %u, this build reads %u",
		 (unsigned)AOD_EVENT_ABI_VERSION + 1, (unsigned)AOD_EVENT_ABI_VERSION);
	ck_assert_str_eq(why, want);
	h.abi_version = 1; /* before in-flight and share records */
	write_file(&h, sizeof(h));
	ck_assert_int_eq(recording_open(tmp_path, NULL, NULL, &r, why, sizeof(why)), -EPROTONOSUPPORT);
	h.abi_version = AOD_EVENT_ABI_VERSION;
	h.record_size = 48;
	write_file(&h, sizeof(h));
	ck_assert_int_eq(recording_open(tmp_path, NULL, NULL, &r, why, sizeof(why)), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(why, "48-byte records"));
	write_file(&h, 12); /* torn header */
	ck_assert_int_eq(recording_open(tmp_path, NULL, NULL, &r, why, sizeof(why)), -EBADMSG);
	ck_assert_str_eq(why, "truncated binary recording header");
	ck_assert_ptr_null(r);
}
END_TEST

START_TEST(test_create_never_follows_a_symlink)
{
	struct recording_writer *w = NULL;
	char link[300];

	write_text("precious\n");
	snprintf(link, sizeof(link), "%s.link", tmp_path);
	unlink(link);
	ck_assert_int_eq(symlink(tmp_path, link), 0);
	ck_assert_int_eq(recording_create(link, &w), -ELOOP);
	ck_assert_ptr_null(w);
	struct stat st;
	ck_assert_int_eq(stat(tmp_path, &st), 0);
	ck_assert_int_eq(st.st_size, 9); /* not truncated */
	unlink(link);
}
END_TEST

START_TEST(test_format_detection)
{
	struct recording_reader *r = NULL;

	write_text("");
	ck_assert_int_eq(recording_open(tmp_path, NULL, NULL, &r, NULL, 0), -EBADMSG);
	write_text("hello world\n1,2,3\n");
	ck_assert_int_eq(recording_open(tmp_path, NULL, NULL, &r, NULL, 0), -EBADMSG);
	write_text("ts_ns,kind,command\n"); /* a different header */
	ck_assert_int_eq(recording_open(tmp_path, NULL, NULL, &r, NULL, 0), -EBADMSG);
	write_text("AODREC2\n................................");
	ck_assert_int_eq(recording_open(tmp_path, NULL, NULL, &r, NULL, 0), -EBADMSG);
	ck_assert_int_eq(recording_open("/nonexistent/rec", NULL, NULL, &r, NULL, 0), -ENOENT);
	ck_assert_ptr_null(r);

	write_text(RECORDING_CSV_HEADER "\n");
	ck_assert_int_eq(recording_open(tmp_path, NULL, NULL, &r, NULL, 0), 0);
	ck_assert(!recording_is_binary(r));
	ck_assert_uint_eq(recording_start_wall_ns(r), 0);
	struct aod_event ev;
	ck_assert_int_eq(recording_next(r, &ev), 0);
	recording_close(r);
}
END_TEST

/* Reads the share records the reader hands out, as detectord would. */
static void expect_share(struct recording_reader *r, uint64_t ses, uint32_t tree, const char *share)
{
	struct ev_where_asm a;
	struct smb_where w;
	struct aod_event ev;
	int got = 0;

	memset(&a, 0, sizeof(a));
	for (int i = 0; i < EV_WHERE_RECORDS_MAX && got == 0; i++) {
		ck_assert_int_eq(recording_next(r, &ev), 1);
		ck_assert(ev.kind == AOD_EV_WHERE || ev.kind == AOD_EV_WHERE_TEXT);
		got = ev_where_feed(&a, &ev, &w);
		ck_assert_int_ge(got, 0);
	}
	ck_assert_int_eq(got, 1);
	ck_assert_uint_eq(w.session_id, ses);
	ck_assert_uint_eq(w.tree_id, tree);
	ck_assert_str_eq(w.share, share);
}

/* The share column: a share new for its ids is announced once before its
 * event, a changed one again; empty is unknown; a bad one is skipped. */
START_TEST(test_csv_share_column)
{
	struct recording_reader *r;
	struct aod_event ev;
	struct errors errs = { 0 };

	write_text(RECORDING_CSV_HEADER_SHARE "\n"
		   "0,latency,SMB2_READ,30000000,,,7,3,1,1,\\\\srv1\\a,dd\n"
		   "1,latency,SMB2_READ,30000000,,,7,3,2,1,\\\\srv1\\a,dd\n"
		   "2,latency,SMB2_READ,30000000,,,7,4,3,1,,dd\n"
		   "3,latency,SMB2_READ,30000000,,,7,3,4,1,\\\\srv1\\a\\dir,dd\n"
		   "4,latency,SMB2_READ,30000000,,,7,3,5,1,\\\\srv2\\a-very-long-share-name-that-takes-two-text-records,x,y\n");
	ck_assert_int_eq(recording_open(tmp_path, on_error, &errs, &r, NULL, 0), 0);
	expect_share(r, 7, 3, "\\\\srv1\\a");
	for (uint64_t i = 0; i < 3; i++) {
		ck_assert_int_eq(recording_next(r, &ev), 1);
		ck_assert_uint_eq(ev.kind, AOD_EV_LATENCY);
		ck_assert_uint_eq(ev.message_id, i + 1);
	}
	expect_share(r, 7, 3, "\\\\srv2\\a-very-long-share-name-that-takes-two-text-records");
	ck_assert_int_eq(recording_next(r, &ev), 1);
	ck_assert_uint_eq(ev.message_id, 5);
	ck_assert_str_eq(ev.comm, "x,y");
	ck_assert_int_eq(recording_next(r, &ev), 0);
	ck_assert_int_eq(errs.n, 1);
	ck_assert_uint_eq(errs.line[0], 5);
	ck_assert_str_eq(errs.reason[0], "share is not a \\\\server\\share name");
	recording_close(r);
}
END_TEST

/* The grid line (a collection's events.csv): handed out first as one
 * AOD_EV_GRID record; other comments are skipped; a grid line after an
 * event, or with a bad number, is a malformed line. */
START_TEST(test_csv_grid_line)
{
	struct recording_reader *r;
	struct aod_event ev;
	struct errors errs = { 0 };

	write_text(RECORDING_CSV_HEADER "\n"
		   "# written by hand\n"
		   RECORDING_CSV_GRID "500000000\n"
		   "0,latency,SMB2_READ,30000000,,,7,3,1,1,dd\n"
		   RECORDING_CSV_GRID "7\n"
		   RECORDING_CSV_GRID "-1\n"
		   "#\n"
		   "900000000,latency,SMB2_READ,30000000,,,7,3,2,1,dd\n");
	ck_assert_int_eq(recording_open(tmp_path, on_error, &errs, &r, NULL, 0), 0);
	ck_assert_int_eq(recording_next(r, &ev), 1);
	ck_assert_uint_eq(ev.kind, AOD_EV_GRID);
	ck_assert_uint_eq(ev.ts_ns, 500000000);
	ck_assert_uint_eq(ev.latency_ns + ev.session_id + ev.tree_id + ev.message_id, 0);
	ck_assert_int_eq(recording_next(r, &ev), 1);
	ck_assert_uint_eq(ev.kind, AOD_EV_LATENCY);
	ck_assert_uint_eq(ev.message_id, 1);
	ck_assert_int_eq(recording_next(r, &ev), 1);
	ck_assert_uint_eq(ev.message_id, 2);
	ck_assert_int_eq(recording_next(r, &ev), 0);
	ck_assert_int_eq(errs.n, 2);
	ck_assert_uint_eq(errs.line[0], 5);
	ck_assert_str_eq(errs.reason[0], "grid line after the first record");
	ck_assert_uint_eq(errs.line[1], 6);
	ck_assert_str_eq(errs.reason[1], "grid_ns is not an unsigned integer");
	recording_close(r);

	/* with the share column, the grid record still comes before the share's */
	write_text(RECORDING_CSV_HEADER_SHARE "\n" RECORDING_CSV_GRID "0\n"
		   "3,latency,SMB2_READ,30000000,,,7,3,1,1,\\\\srv\\a,dd\n");
	ck_assert_int_eq(recording_open(tmp_path, on_error, &errs, &r, NULL, 0), 0);
	ck_assert_int_eq(recording_next(r, &ev), 1);
	ck_assert_uint_eq(ev.kind, AOD_EV_GRID);
	ck_assert_uint_eq(ev.ts_ns, 0);
	expect_share(r, 7, 3, "\\\\srv\\a");
	ck_assert_int_eq(recording_next(r, &ev), 1);
	ck_assert_uint_eq(ev.ts_ns, 3);
	recording_close(r);
}
END_TEST

/* Share records pass through a binary recording unchanged (but for ts_ns). */
START_TEST(test_binary_keeps_share_records)
{
	struct recording_writer *w;
	struct recording_reader *r;
	struct aod_event rec[EV_WHERE_RECORDS_MAX];
	size_t n = ev_where_encode(5000, 9, 2, "\\\\host\\data", rec);

	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(recording_create(tmp_path, &w), 0);
	ck_assert_int_eq(recording_write(w, rec, n), 0);
	ck_assert_int_eq(recording_finish(w), 0);
	ck_assert_int_eq(recording_open(tmp_path, NULL, NULL, &r, NULL, 0), 0);
	expect_share(r, 9, 2, "\\\\host\\data");
	recording_close(r);
}
END_TEST

START_TEST(test_csv_good_lines)
{
	struct recording_reader *r;
	struct aod_event ev;
	struct errors errs = { 0 };

	write_text(RECORDING_CSV_HEADER "\r\n"
		   "0,latency,SMB2_READ,1500000,,,0x1a2b,3,17,1234,dd\r\n"
		   "\r\n"
		   "250,error,5,0,EIO,0xC000000D,7,0,18,99,\r\n"
		   "300,error,SMB2_CREATE,20,2,c0000034,7,4294967295,19,1,my,proc\n"
		   "400,latency,0x12,18446744073709551615,0,0,0,0,0,0,\"a \"\"q\"\" b\"\n");
	ck_assert_int_eq(recording_open(tmp_path, on_error, &errs, &r, NULL, 0), 0);

	ck_assert_int_eq(recording_next(r, &ev), 1);
	ck_assert_uint_eq(ev.ts_ns, 0);
	ck_assert_uint_eq(ev.kind, AOD_EV_LATENCY);
	ck_assert_uint_eq(ev.command, 8);
	ck_assert_uint_eq(ev.latency_ns, 1500000);
	ck_assert_int_eq(ev.err, 0);
	ck_assert_uint_eq(ev.nt_status, 0);
	ck_assert_uint_eq(ev.session_id, 0x1a2b);
	ck_assert_uint_eq(ev.tree_id, 3);
	ck_assert_uint_eq(ev.message_id, 17);
	ck_assert_uint_eq(ev.pid, 1234);
	ck_assert_str_eq(ev.comm, "dd");

	ck_assert_int_eq(recording_next(r, &ev), 1);
	ck_assert_uint_eq(ev.ts_ns, 250);
	ck_assert_uint_eq(ev.kind, AOD_EV_ERROR);
	ck_assert_uint_eq(ev.command, 5);
	ck_assert_int_eq(ev.err, 5);
	ck_assert_uint_eq(ev.nt_status, 0xC000000Du);
	ck_assert_str_eq(ev.comm, "");

	ck_assert_int_eq(recording_next(r, &ev), 1);
	ck_assert_uint_eq(ev.command, 5);
	ck_assert_int_eq(ev.err, 2);
	ck_assert_uint_eq(ev.nt_status, 0xC0000034u);
	ck_assert_uint_eq(ev.tree_id, 4294967295u);
	ck_assert_str_eq(ev.comm, "my,proc"); /* comm is the rest of the line */

	ck_assert_int_eq(recording_next(r, &ev), 1);
	ck_assert_uint_eq(ev.command, 0x12);
	ck_assert_uint_eq(ev.latency_ns, UINT64_MAX);
	ck_assert_str_eq(ev.comm, "a \"q\" b");

	ck_assert_int_eq(recording_next(r, &ev), 0);
	ck_assert_int_eq(errs.n, 0);
	ck_assert_uint_eq(recording_skipped(r), 0);
	recording_close(r);
}
END_TEST

START_TEST(test_csv_malformed_lines_counted)
{
	static const char *const bad[] = {
		"12a,latency,SMB2_READ,1,,,1,1,1,1,x",          /* junk after a number */
		"-1,latency,SMB2_READ,1,,,1,1,1,1,x",           /* sign */
		" 1,latency,SMB2_READ,1,,,1,1,1,1,x",           /* space */
		"18446744073709551616,latency,SMB2_READ,1,,,1,1,1,1,x", /* overflow */
		"1,slow,SMB2_READ,1,,,1,1,1,1,x",               /* kind */
		"1,latency,SMB2_FROB,1,,,1,1,1,1,x",            /* command name */
		"1,latency,19,1,,,1,1,1,1,x",                   /* command code */
		"1,latency,smb2_read,1,,,1,1,1,1,x",            /* names are case-sensitive */
		"1,error,SMB2_READ,1,EWHAT,,1,1,1,1,x",         /* errno name */
		"1,error,SMB2_READ,1,40000,,1,1,1,1,x",         /* errno range */
		"1,error,SMB2_READ,1,EIO,0x1C000000D,1,1,1,1,x",/* nt_status width */
		"1,error,SMB2_READ,1,EIO,0xZZ,1,1,1,1,x",       /* nt_status digits */
		"1,latency,SMB2_READ,1,,,1,4294967296,1,1,x",   /* tree_id range */
		"1,latency,SMB2_READ,1,,,1,1,1,,x",             /* empty pid */
		"1,latency,SMB2_READ,1,,,1,1,1,1,sixteen_chars_xx", /* comm too long */
		"1,latency,SMB2_READ,1,,,1,1,1",                /* too few columns */
		"1,latency,SMB2_READ,1,,,1,1,1,1,\"open",       /* bad quoting */
	};
	char text[4096];
	size_t off = (size_t)snprintf(text, sizeof(text), "%s\n", RECORDING_CSV_HEADER);
	size_t nbad = sizeof(bad) / sizeof(bad[0]);

	/* A good line, then each bad one followed by a good one. */
	off += (size_t)snprintf(text + off, sizeof(text) - off, "0,latency,SMB2_READ,1,,,1,1,0,1,x\n");
	for (size_t i = 0; i < nbad; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"%s\n%zu,latency,SMB2_WRITE,1,,,1,1,%zu,1,y\n", bad[i], i + 1, i + 1);
	write_text(text);

	struct recording_reader *r;
	struct aod_event ev;
	struct errors errs = { 0 };
	ck_assert_int_eq(recording_open(tmp_path, on_error, &errs, &r, NULL, 0), 0);
	for (uint64_t i = 0; i <= nbad; i++) {
		ck_assert_int_eq(recording_next(r, &ev), 1);
		ck_assert_uint_eq(ev.message_id, i);
	}
	ck_assert_int_eq(recording_next(r, &ev), 0);
	ck_assert_uint_eq(recording_skipped(r), nbad);
	ck_assert_int_eq(errs.n, (int)nbad);
	for (size_t i = 0; i < nbad; i++) {
		/* header is line 1, the first good line 2, then bad/good pairs */
		ck_assert_uint_eq(errs.line[i], 3 + 2 * i);
		ck_assert_str_ne(errs.reason[i], "");
	}
	recording_close(r);
}
END_TEST

START_TEST(test_csv_nul_and_long_lines)
{
	char text[4096];
	struct errors errs = { 0 };
	struct recording_reader *r;
	struct aod_event ev;
	size_t off = (size_t)snprintf(text, sizeof(text), "%s\n1,latency,SMB2_READ,1,,,1,1,1,1,a", RECORDING_CSV_HEADER);

	text[off++] = '\0';
	text[off++] = '\n';
	memset(text + off, '9', 2000);
	off += 2000;
	text[off++] = '\n';
	write_file(text, off);
	ck_assert_int_eq(recording_open(tmp_path, on_error, &errs, &r, NULL, 0), 0);
	ck_assert_int_eq(recording_next(r, &ev), 0);
	ck_assert_int_eq(errs.n, 2);
	ck_assert_uint_eq(errs.line[0], 2);
	ck_assert_uint_eq(errs.line[1], 3);
	recording_close(r);
}
END_TEST

/* A 200 MiB line (a hole in a sparse file, so no disk is used) is refused
 * while it is read: the reader's memory does not grow with it, and the
 * lines after it are read as usual. */
START_TEST(test_csv_huge_line_bounded_memory)
{
	const off_t huge = 200 << 20;
	const char *good = "\n7,latency,SMB2_READ,1,,,1,1,7,1,z\n";
	struct errors errs = { 0 };
	struct recording_reader *r;
	struct aod_event ev;
	struct rusage before, after;

	write_text(RECORDING_CSV_HEADER "\n5,latency,SMB2_READ,1,,,1,1,5,1,");
	FILE *f = fopen(tmp_path, "r+b");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseeko(f, huge, SEEK_CUR), 0);
	ck_assert_int_ge(fputs(good, f), 0);
	ck_assert_int_eq(fclose(f), 0);

	ck_assert_int_eq(getrusage(RUSAGE_SELF, &before), 0);
	ck_assert_int_eq(recording_open(tmp_path, on_error, &errs, &r, NULL, 0), 0);
	ck_assert_int_eq(recording_next(r, &ev), 1);
	ck_assert_uint_eq(ev.message_id, 7);
	ck_assert_int_eq(recording_next(r, &ev), 0);
	ck_assert_int_eq(getrusage(RUSAGE_SELF, &after), 0);
	ck_assert_int_eq(errs.n, 1);
	ck_assert_uint_eq(errs.line[0], 2);
	ck_assert_str_eq(errs.reason[0], "line too long");
	/* ru_maxrss is in KiB; holding the line would add 200 MiB. */
	ck_assert_msg(after.ru_maxrss - before.ru_maxrss < 16 * 1024,
		      "peak RSS grew by %ld KiB reading one long line",
		      after.ru_maxrss - before.ru_maxrss);
	recording_close(r);
}
END_TEST

static Suite *recording_suite(void)
{
	Suite *s = suite_create("recording");
	TCase *tc = tcase_create("recording");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_binary_round_trip);
	tcase_add_test(tc, test_binary_bad_records_skipped);
	tcase_add_test(tc, test_binary_wrong_version_refused);
	tcase_add_test(tc, test_format_detection);
	tcase_add_test(tc, test_create_never_follows_a_symlink);
	tcase_add_test(tc, test_csv_good_lines);
	tcase_add_test(tc, test_csv_share_column);
	tcase_add_test(tc, test_csv_grid_line);
	tcase_add_test(tc, test_binary_keeps_share_records);
	tcase_add_test(tc, test_csv_malformed_lines_counted);
	tcase_add_test(tc, test_csv_nul_and_long_lines);
	tcase_add_test(tc, test_csv_huge_line_bounded_memory);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(recording_suite());

	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
