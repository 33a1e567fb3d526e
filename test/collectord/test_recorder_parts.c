// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flight recorder's pure parts: cutting a time window out of the packet
 * ring's pcap files (files built here, in both precisions and byte orders,
 * with a partial last record and a file of another link type), the trace
 * line timestamp, and the events CSV reading back to the same events.
 */
#include <byteswap.h>
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcapcut.h"
#include "recording_csv.h"
#include "smb_where.h"
#include "tracetime.h"

#define S 1000000000ull

static char dir[64];
static int dirfd_;

struct pcap_file {
	FILE *f;
	bool swap, nsec;
};

static uint32_t u32(const struct pcap_file *p, uint32_t v)
{
	return p->swap ? bswap_32(v) : v;
}

static void pf_open(struct pcap_file *p, const char *name, bool swap, bool nsec, uint32_t link)
{
	char path[160];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	p->f = fopen(path, "w");
	ck_assert_ptr_nonnull(p->f);
	p->swap = swap;
	p->nsec = nsec;
	uint32_t h[6] = { u32(p, nsec ? 0xa1b23c4du : 0xa1b2c3d4u),
			  swap ? 0x04000200u : 0x00040002u, 0, 0, u32(p, 512), u32(p, link) };
	ck_assert_uint_eq(fwrite(h, sizeof(h), 1, p->f), 1);
}

/* One packet at wall time t (ns) whose payload is its own index byte. */
static void pf_packet(struct pcap_file *p, uint64_t t, unsigned char tag, uint32_t len)
{
	unsigned char data[64];
	memset(data, tag, sizeof(data));
	uint32_t frac = p->nsec ? (uint32_t)(t % S) : (uint32_t)(t % S / 1000u);
	uint32_t r[4] = { u32(p, (uint32_t)(t / S)), u32(p, frac), u32(p, len), u32(p, len) };
	ck_assert_uint_eq(fwrite(r, sizeof(r), 1, p->f), 1);
	ck_assert_uint_eq(fwrite(data, len, 1, p->f), 1);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/aod-pcapcut.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(dirfd_, 0);
}

static void teardown(void)
{
	char cmd[128];
	close(dirfd_);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Cuts [from, to] into a memfd; returns its bytes (malloc'd) and length. */
static unsigned char *cut(uint64_t from, uint64_t to, struct pcapcut_result *res, size_t *len,
			  int *rc)
{
	int out = memfd_create("cut", MFD_CLOEXEC);
	ck_assert_int_ge(out, 0);
	*rc = pcapcut_run(dirfd_, "packets.pcap", from, to, out, res);
	off_t n = lseek(out, 0, SEEK_END);
	unsigned char *buf = malloc((size_t)n + 1);
	ck_assert_int_eq(pread(out, buf, (size_t)n, 0), n);
	close(out);
	*len = (size_t)n;
	return buf;
}

/* The records of a cut (native microsecond pcap): their tags in order. */
static unsigned tags(const unsigned char *buf, size_t len, unsigned char *out, unsigned max)
{
	unsigned n = 0;
	ck_assert_uint_ge(len, 24);
	for (size_t off = 24; off < len && n < max;) {
		uint32_t r[4];
		ck_assert_uint_le(off + 16, len);
		memcpy(r, buf + off, 16);
		ck_assert_uint_le(off + 16 + r[2], len);
		out[n++] = buf[off + 16];
		off += 16 + r[2];
	}
	return n;
}

START_TEST(cut_spans_rotated_files_in_time_order)
{
	struct pcap_file a, b, c;
	uint64_t t0 = 1800000000ull * S;
	/* written in rotation order 1, 2, 0: names do not say the order */
	pf_open(&b, "packets.pcap1", false, false, 1);
	pf_open(&c, "packets.pcap2", false, false, 1);
	pf_open(&a, "packets.pcap0", false, false, 1);
	for (unsigned i = 0; i < 5; i++)
		pf_packet(&b, t0 + i * S, (unsigned char)(10 + i), 40);
	for (unsigned i = 0; i < 5; i++)
		pf_packet(&c, t0 + (5 + i) * S, (unsigned char)(20 + i), 40);
	for (unsigned i = 0; i < 5; i++)
		pf_packet(&a, t0 + (10 + i) * S, (unsigned char)(30 + i), 40);
	/* the file being written: its last record is incomplete */
	uint32_t partial[4] = { (uint32_t)(t0 / S) + 15, 0, 40, 40 };
	fwrite(partial, sizeof(partial), 1, a.f);
	fwrite("xx", 2, 1, a.f);
	fclose(a.f);
	fclose(b.f);
	fclose(c.f);

	struct pcapcut_result res;
	size_t len;
	int rc;
	unsigned char got[32];
	unsigned char *buf = cut(t0 + 3 * S, t0 + 11 * S + 5, &res, &len, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(res.files, 3);
	ck_assert_uint_eq(res.packets, 9);
	ck_assert_uint_eq(res.first_ns, t0 + 3 * S);
	ck_assert_uint_eq(res.last_ns, t0 + 11 * S);
	ck_assert_uint_eq(res.ring_first_ns, t0);
	ck_assert_uint_eq(*(uint32_t *)buf, 0xa1b2c3d4u); /* the ring's own header */
	unsigned n = tags(buf, len, got, 32);
	ck_assert_uint_eq(n, 9);
	const unsigned char want[] = { 13, 14, 20, 21, 22, 23, 24, 30, 31 };
	ck_assert_mem_eq(got, want, sizeof(want));
	free(buf);

	/* a window nothing falls into: a valid pcap with a header only */
	buf = cut(t0 + 100 * S, t0 + 200 * S, &res, &len, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(len, 24);
	ck_assert_uint_eq(res.packets, 0);
	free(buf);
}
END_TEST

START_TEST(cut_reads_swapped_and_nanosecond_files)
{
	struct pcap_file a;
	uint64_t t0 = 1800000000ull * S;
	pf_open(&a, "packets.pcap0", true, true, 113);
	pf_packet(&a, t0 + 1, 1, 20);          /* 1 ns after t0: needs ns precision */
	pf_packet(&a, t0 + 999999999, 2, 20);
	pf_packet(&a, t0 + S, 3, 20);
	fclose(a.f);
	struct pcapcut_result res;
	size_t len;
	int rc;
	unsigned char *buf = cut(t0 + 1, t0 + 999999999, &res, &len, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(res.packets, 2);
	ck_assert_uint_eq(res.first_ns, t0 + 1);
	ck_assert_uint_eq(res.last_ns, t0 + 999999999);
	ck_assert_uint_eq(len, 24 + 2 * (16 + 20));
	ck_assert_uint_eq(*(uint32_t *)buf, bswap_32(0xa1b23c4du)); /* kept as the ring wrote it */
	free(buf);
}
END_TEST

START_TEST(cut_skips_other_files_and_foreign_link_types)
{
	struct pcap_file a, b;
	uint64_t t0 = 1800000000ull * S;
	pf_open(&a, "packets.pcap0", false, false, 1);
	pf_packet(&a, t0, 1, 20);
	fclose(a.f);
	pf_open(&b, "packets.pcap1", false, false, 113); /* another link type: not mixed in */
	pf_packet(&b, t0 + S, 2, 20);
	fclose(b.f);
	pf_open(&b, "other.pcap", false, false, 1); /* not the ring's name */
	pf_packet(&b, t0 + 2, 3, 20);
	fclose(b.f);
	char path[160];
	snprintf(path, sizeof(path), "%s/packets.pcap2", dir);
	ck_assert_int_eq(symlink("/etc/passwd", path), 0); /* never followed */
	struct pcapcut_result res;
	size_t len;
	int rc;
	unsigned char *buf = cut(0, UINT64_MAX, &res, &len, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(res.files, 1);
	ck_assert_uint_eq(res.packets, 1);
	free(buf);
}
END_TEST

START_TEST(cut_of_an_empty_ring_is_an_error_not_a_broken_file)
{
	char path[160];
	snprintf(path, sizeof(path), "%s/packets.pcap0", dir);
	int fd = open(path, O_WRONLY | O_CREAT, 0600); /* tcpdump's header not flushed yet */
	close(fd);
	struct pcapcut_result res;
	size_t len;
	int rc;
	unsigned char *buf = cut(0, UINT64_MAX, &res, &len, &rc);
	ck_assert_int_eq(rc, -ENODATA);
	ck_assert_uint_eq(len, 0);
	free(buf);
}
END_TEST

START_TEST(trace_line_timestamps)
{
	uint64_t ns;
	ck_assert_int_eq(tracetime_parse("           <...>-1234    [001] ..... 12345.678901: "
					 "smb3_cmd_enter: sid=0x1 tid=0x2 cmd=5 mid=7", &ns), 0);
	ck_assert_uint_eq(ns, 12345678901000ull);
	ck_assert_int_eq(tracetime_parse("  cifsd-99 [000] d..1. 7.000000001: smb3_cmd_done: x", &ns), 0);
	ck_assert_uint_eq(ns, 7000000001ull);
	/* a colon in the task name does not fool it */
	ck_assert_int_eq(tracetime_parse(" kworker/0:1-5 [000] ..... 3.500000: smb3_reconnect: a: b", &ns), 0);
	ck_assert_uint_eq(ns, 3500000000ull);
	ck_assert_int_eq(tracetime_parse("# tracer: nop", &ns), -EINVAL);
	ck_assert_int_eq(tracetime_parse("CPU:1 [LOST 3 EVENTS]", &ns), -EINVAL);
	ck_assert_int_eq(tracetime_parse(" x-1 [000] ..... 12.34: y", &ns), -EINVAL);
}
END_TEST

START_TEST(csv_format_reads_back_to_the_same_event)
{
	struct aod_event in[] = {
		{ .ts_ns = 5000, .latency_ns = 30000000, .session_id = 0x200b, .message_id = 9,
		  .tree_id = 7, .pid = 42, .comm = "dd", .command = 9, .kind = AOD_EV_LATENCY },
		{ .ts_ns = 7000, .session_id = 1, .tree_id = 2, .nt_status = 0xc0000022,
		  .pid = 3, .comm = "\"q,uo\"te", .command = 5, .kind = AOD_EV_ERROR, .err = 13 },
		{ .ts_ns = 9000, .comm = "tab\there", .command = 0x12, .kind = AOD_EV_ERROR,
		  .err = 4000 },
	};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		char line[RECORDING_CSV_MAX_LINE];
		struct aod_event out;
		const char *why = NULL;
		int n = recording_csv_format(&in[i], 1000, line, sizeof(line));
		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(line[n - 1], '\n');
		line[n - 1] = '\0';
		ck_assert_msg(recording_csv_parse(line, &out, &why) == 0, "%s: %s", line, why);
		struct aod_event want = in[i];
		want.ts_ns -= 1000;
		if (i == 2)
			memcpy(want.comm, "tab?here", 9); /* control characters are not kept */
		ck_assert_mem_eq(&out, &want, sizeof(want));
	}
	char small[8];
	ck_assert_int_eq(recording_csv_format(&in[0], 0, small, sizeof(small)), -ENOSPC);
}
END_TEST

/* events.csv's lines name the share: they read back to the same event and
 * share; a share the reader could not split back is refused. */
START_TEST(csv_share_format_reads_back)
{
	struct aod_event in = { .ts_ns = 5000, .latency_ns = 30000000, .session_id = 0x200b,
				.message_id = 9, .tree_id = 7, .pid = 42, .comm = "a,b",
				.command = 9, .kind = AOD_EV_LATENCY };
	static const char *const shares[] = { "\\\\srv\\data", "" };
	for (size_t i = 0; i < 2; i++) {
		char line[RECORDING_CSV_MAX_LINE], share[SMB_WHERE_SHARE_LEN];
		struct aod_event out;
		const char *why = NULL;
		int n = recording_csv_format_share(&in, 1000, shares[i], line, sizeof(line));
		ck_assert_int_gt(n, 0);
		line[n - 1] = '\0';
		ck_assert_msg(recording_csv_parse_share(line, &out, share, &why) == 0, "%s: %s", line, why);
		struct aod_event want = in;
		want.ts_ns -= 1000;
		ck_assert_mem_eq(&out, &want, sizeof(want));
		ck_assert_str_eq(share, shares[i]);
	}
	char line[RECORDING_CSV_MAX_LINE];
	ck_assert_int_eq(recording_csv_format_share(&in, 0, "\\\\srv\\a,b", line, sizeof(line)),
			 -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("recorder_parts");
	TCase *tc = tcase_create("pcapcut");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, cut_spans_rotated_files_in_time_order);
	tcase_add_test(tc, cut_reads_swapped_and_nanosecond_files);
	tcase_add_test(tc, cut_skips_other_files_and_foreign_link_types);
	tcase_add_test(tc, cut_of_an_empty_ring_is_an_error_not_a_broken_file);
	suite_add_tcase(s, tc);
	TCase *tt = tcase_create("text");
	tcase_add_test(tt, trace_line_timestamps);
	tcase_add_test(tt, csv_format_reads_back_to_the_same_event);
	tcase_add_test(tt, csv_share_format_reads_back);
	suite_add_tcase(s, tt);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
