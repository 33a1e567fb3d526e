// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flight recorder's events window: what the supervisor hands collectord
 * for an anomaly is exactly the events of [from, to] that the shared ring
 * still holds (consumed or not), oldest slot first, across the ring's
 * wraparound; nothing older than the ring's capacity.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

int main(void)
{
	Suite *s = suite_create("flightrec");
	TCase *tc = tcase_create("window");
	tcase_add_test(tc, window_is_the_events_in_time_the_ring_still_holds);
	tcase_add_test(tc, window_larger_than_a_chunk);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
