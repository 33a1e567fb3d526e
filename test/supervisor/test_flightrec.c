// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flight recorder's events window: what the supervisor hands collectord
 * for an anomaly is exactly the events of [from, to] that the shared ring
 * still holds (consumed or not), oldest slot first, across the ring's
 * wraparound; nothing older than the ring's capacity. Before it, the share
 * names its events need.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ev_where.h"
#include "flightrec.h"
#include "ring.h"

static struct aod_event ev_at(uint64_t ts)
{
	return (struct aod_event){ .ts_ns = ts, .kind = AOD_EV_LATENCY, .command = 8,
				   .message_id = ts };
}

/* Produces n events stamped start, start+1, ... consuming them as it goes. */
static void produce(struct ring *r, struct ring *c, uint64_t start, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct aod_event e = ev_at(start + i);
		ck_assert_uint_eq(ring_produce(r, &e, 1), 1);
		const struct aod_event *p;
		ck_assert_int_eq(ring_peek(c, &p, 1), 1);
		ring_release(c, 1);
	}
}

static long window(struct ring *r, uint64_t from, uint64_t to, struct aod_event *out, size_t max)
{
	const struct aod_event *span[2];
	size_t len[2];
	int fd = memfd_create("w", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	unsigned ns = ring_recent(r, span, len);
	long n = flightrec_write_window(fd, span, len, ns, from, to);
	ck_assert_int_ge(n, 0);
	ck_assert_int_le(n, (long)max);
	ck_assert_int_eq(pread(fd, out, (size_t)n * sizeof(*out), 0), n * (long)sizeof(*out));
	close(fd);
	return n;
}

static void attach(struct ring *r, struct ring **c)
{
	int m, d, s;
	ring_fds(r, &m, &d, &s);
	ck_assert_int_eq(ring_attach(m, d, s, c), 0);
}

START_TEST(window_is_the_events_in_time_the_ring_still_holds)
{
	struct ring *r, *c;
	struct aod_event *got = calloc(1024, sizeof(*got));
	ck_assert_int_eq(ring_create(64, &r), 0);
	attach(r, &c);

	const struct aod_event *span[2];
	size_t len[2];
	ck_assert_uint_eq(ring_recent(r, span, len), 0); /* nothing produced yet */
	ck_assert_int_eq(window(r, 0, 1000, got, 1024), 0);

	produce(r, c, 1000, 10); /* 1000..1009, one span */
	ck_assert_int_eq(window(r, 1003, 1006, got, 1024), 4);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(got[i].ts_ns, 1003 + (uint64_t)i);

	produce(r, c, 1010, 100); /* 110 produced into 64 slots: wrapped */
	ck_assert_uint_eq(ring_recent(r, span, len), 2);
	ck_assert_uint_eq(len[0] + len[1], 64);
	long n = window(r, 0, UINT64_MAX, got, 1024);
	ck_assert_int_eq(n, 64); /* the capacity bounds the window */
	for (long i = 0; i < n; i++) /* oldest first across the wrap */
		ck_assert_uint_eq(got[i].ts_ns, 1046 + (uint64_t)i);
	ck_assert_int_eq(window(r, 1100, 1105, got, 1024), 6);
	ck_assert_uint_eq(got[0].ts_ns, 1100);
	ck_assert_int_eq(window(r, 0, 1045, got, 1024), 0); /* overwritten: gone */
	ring_close(c);
	ring_close(r);
	free(got);
}
END_TEST

/* More matching events than one write chunk: all of them, in order. */
START_TEST(window_larger_than_a_chunk)
{
	struct ring *r, *c;
	struct aod_event *got = calloc(4096, sizeof(*got));
	ck_assert_int_eq(ring_create(4096, &r), 0);
	attach(r, &c);
	produce(r, c, 1, 3000);
	long n = window(r, 2, 2999, got, 4096);
	ck_assert_int_eq(n, 2998);
	for (long i = 0; i < n; i++)
		ck_assert_uint_eq(got[i].message_id, 2 + (uint64_t)i);
	ring_close(c);
	ring_close(r);
	free(got);
}
END_TEST

/* The share names the window needs, before it: each named (session, tree)
 * of its events once, stamped at the window's start; the name in force then
 * (an announcement in the ring before the window overrides the table's);
 * nothing for ids without a name or for events outside the window. */
START_TEST(names_of_the_window_before_it)
{
	struct aod_event ev[32], got[64];
	struct smb_where_table *known = calloc(1, sizeof(*known));
	size_t n = 0;

	smb_where_init(known);
	struct smb_where k = { .session_id = 7, .tree_id = 1 };
	ck_assert_int_eq(smb_where_from_unc("\\\\table\\one", &k), 0);
	smb_where_put(known, &k);
	k.tree_id = 2;
	ck_assert_int_eq(smb_where_from_unc("\\\\table\\two", &k), 0);
	smb_where_put(known, &k);
	n += ev_where_encode(10, 7, 2, "\\\\ring\\two", ev + n); /* before the window */
	n += ev_where_encode(11, 7, 3, "\\\\ring\\three", ev + n);
	for (uint32_t t = 1; t <= 4; t++) { /* tree 4 has no name */
		ev[n] = ev_at(100 + t);
		ev[n].session_id = 7;
		ev[n++].tree_id = t;
		ev[n] = ev_at(200 + t); /* the same ids again */
		ev[n].session_id = 7;
		ev[n++].tree_id = t;
	}
	ev[n] = ev_at(500); /* after the window: its ids are not needed */
	ev[n].session_id = 8;
	ev[n++].tree_id = 1;
	const struct aod_event *span[2] = { ev, NULL };
	size_t len[2] = { n, 0 };
	int fd = memfd_create("names", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	long w = flightrec_write_names(fd, span, len, 1, 100, 400, known);
	ck_assert_int_ge(w, 0);
	ck_assert_int_eq(pread(fd, got, (size_t)w * sizeof(got[0]), 0), w * (long)sizeof(got[0]));
	close(fd);

	static const char *const want[] = { "\\\\table\\one", "\\\\ring\\two",
					    "\\\\ring\\three" };
	struct ev_where_asm as = { 0 };
	struct smb_where named;
	unsigned names = 0;
	for (long i = 0; i < w; i++) {
		ck_assert_uint_eq(got[i].ts_ns, 100);
		int rc = ev_where_feed(&as, &got[i], &named);
		ck_assert_int_ge(rc, 0);
		if (rc == 0)
			continue;
		ck_assert_uint_lt(names, 3);
		ck_assert_uint_eq(named.session_id, 7);
		ck_assert_uint_eq(named.tree_id, names + 1);
		ck_assert_str_eq(named.share, want[names]);
		names++;
	}
	ck_assert_uint_eq(names, 3);
	free(known);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("flightrec");
	TCase *tc = tcase_create("window");
	tcase_add_test(tc, window_is_the_events_in_time_the_ring_still_holds);
	tcase_add_test(tc, window_larger_than_a_chunk);
	tcase_add_test(tc, names_of_the_window_before_it);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
