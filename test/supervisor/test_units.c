// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the supervisor's pure bookkeeping: the rate limit of the
 * "event ring full" warning (every drop is reported, the first at once,
 * then at most once per interval, the rest of a burst after it) and the
 * workers' restart policy (1 s doubling to 60 s, reset after 60 s of
 * healthy running, giving up at the 5th death within 10 minutes); the
 * cooldowns the supervisor keeps across detectord's restarts; the workers'
 * counters carried across their restarts.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "backoff.h"
#include "cooldown.h"
#include "droplog.h"
#include "namelog.h"
#include "ring.h"
#include "stats_carry.h"
#include "suptest.h"

#define S 1000000000ull

START_TEST(first_drop_is_reported_at_once)
{
	struct droplog d;
	droplog_init(&d, 10 * S);
	ck_assert_uint_eq(droplog_due(&d), 0);
	ck_assert_uint_eq(droplog_add(&d, 5, 100 * S), 5);
	ck_assert_uint_eq(droplog_due(&d), 0); /* nothing pending */
}
END_TEST

START_TEST(a_burst_is_reported_once_per_interval)
{
	struct droplog d;
	uint64_t reported = 0;
	droplog_init(&d, 10 * S);
	reported += droplog_add(&d, 1, 100 * S);
	/* 1000 more drops within the interval: none reported yet... */
	for (int i = 1; i <= 1000; i++)
		ck_assert_uint_eq(droplog_add(&d, 1, 100 * S + (uint64_t)i * 1000000u), 0);
	ck_assert_uint_eq(reported, 1);
	/* ...but due when the interval ends, even if no drop comes then. */
	ck_assert_uint_eq(droplog_due(&d), 110 * S);
	ck_assert_uint_eq(droplog_take(&d, 109 * S, false), 0);
	reported += droplog_take(&d, 110 * S, false);
	ck_assert_uint_eq(reported, 1001);
	ck_assert_uint_eq(droplog_due(&d), 0);
	/* The next drop, an interval after that report, goes out at once. */
	ck_assert_uint_eq(droplog_add(&d, 3, 121 * S), 3);
}
END_TEST

START_TEST(a_drop_inside_the_interval_waits_for_it)
{
	struct droplog d;
	droplog_init(&d, 10 * S);
	ck_assert_uint_eq(droplog_add(&d, 2, 50 * S), 2);
	ck_assert_uint_eq(droplog_add(&d, 7, 55 * S), 0);
	ck_assert_uint_eq(droplog_due(&d), 60 * S);
	ck_assert_uint_eq(droplog_add(&d, 1, 60 * S), 8); /* the interval is over */
}
END_TEST

START_TEST(force_reports_the_rest_at_shutdown)
{
	struct droplog d;
	droplog_init(&d, 10 * S);
	ck_assert_uint_eq(droplog_add(&d, 1, 50 * S), 1);
	ck_assert_uint_eq(droplog_add(&d, 4, 51 * S), 0);
	ck_assert_uint_eq(droplog_take(&d, 52 * S, true), 4);
	ck_assert_uint_eq(droplog_take(&d, 53 * S, true), 0);
}
END_TEST

START_TEST(restart_delay_doubles_up_to_a_minute)
{
	static const uint32_t want[] = { 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000 };
	struct backoff b;
	uint32_t delay;
	backoff_init(&b);
	/* Deaths 200 s apart never make 5 within 10 minutes. */
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert(!backoff_death(&b, 0, 1000 * S + i * 200 * S, &delay));
		ck_assert_uint_eq(delay, want[i]);
	}
}
END_TEST

START_TEST(sixty_healthy_seconds_reset_the_delay)
{
	struct backoff b;
	uint32_t delay;
	backoff_init(&b);
	ck_assert(!backoff_death(&b, 0, 100 * S, &delay));
	ck_assert(!backoff_death(&b, 0, 102 * S, &delay));
	ck_assert_uint_eq(delay, 2000);
	/* ready at 105 s, dead at 164 s: 59 s is not long enough */
	ck_assert(!backoff_death(&b, 105 * S, 164 * S, &delay));
	ck_assert_uint_eq(delay, 4000);
	/* ready at 170 s, dead at 230 s: a full minute, back to 1 s */
	ck_assert(!backoff_death(&b, 170 * S, 230 * S, &delay));
	ck_assert_uint_eq(delay, 1000);
	ck_assert(!backoff_death(&b, 0, 900 * S, &delay));
	ck_assert_uint_eq(delay, 2000);
}
END_TEST

START_TEST(fifth_death_within_ten_minutes_gives_up)
{
	struct backoff b;
	uint32_t delay;
	backoff_init(&b);
	for (int i = 0; i < 4; i++)
		ck_assert(!backoff_death(&b, 0, 1000 * S + (uint64_t)i * 100 * S, &delay));
	ck_assert(backoff_death(&b, 0, 1600 * S, &delay)); /* 600 s after the first */

	backoff_init(&b);
	for (int i = 0; i < 4; i++)
		ck_assert(!backoff_death(&b, 0, 1000 * S + (uint64_t)i * 100 * S, &delay));
	ck_assert(!backoff_death(&b, 0, 1601 * S, &delay)); /* the first one is older */
	ck_assert(backoff_death(&b, 0, 1602 * S, &delay));  /* 100 s .. 602 s: five */
}
END_TEST

/* Five restarted detectords each send the next window's anomaly (each
 * new process has no memory of the last one): within cooldown_sec only
 * the first is collected; one after the cooldown is. */
START_TEST(cooldown_holds_across_restarts)
{
	struct cooldowns c;
	memset(&c, 0, sizeof(c));
	uint64_t t0 = 1700000000ull * S;
	ck_assert(cooldown_admit(&c, "latency", NULL, t0, 60 * S));
	for (int i = 1; i <= 5; i++)
		ck_assert(!cooldown_admit(&c, "latency", NULL, t0 + (uint64_t)i * 4 * S, 60 * S));
	ck_assert_uint_eq(c.dropped, 5);
	/* another anomaly has its own cooldown */
	ck_assert(cooldown_admit(&c, "errors", NULL, t0 + 5 * S, 60 * S));
	/* a timestamp from the past is no way around it */
	ck_assert(!cooldown_admit(&c, "latency", NULL, t0 - 30 * S, 60 * S));
	/* once the cooldown passed, collected; the next cooldown starts there */
	ck_assert(cooldown_admit(&c, "latency", NULL, t0 + 60 * S, 60 * S));
	ck_assert(!cooldown_admit(&c, "latency", NULL, t0 + 100 * S, 60 * S));
	ck_assert(cooldown_admit(&c, "latency", NULL, t0 + 120 * S, 60 * S));
	/* cooldown_sec 0: everything */
	ck_assert(cooldown_admit(&c, "fast", NULL, t0, 0));
	ck_assert(cooldown_admit(&c, "fast", NULL, t0, 0));
	ck_assert_uint_eq(c.dropped, 7);
	/* scoped: each share has its own cooldown, the same share waits */
	ck_assert(cooldown_admit(&c, "slow", "\\\\srv\\a", t0, 60 * S));
	ck_assert(cooldown_admit(&c, "slow", "\\\\srv\\b", t0 + S, 60 * S));
	ck_assert(!cooldown_admit(&c, "slow", "\\\\srv\\a", t0 + 2 * S, 60 * S));
	ck_assert_uint_eq(c.dropped, 8);
}
END_TEST

START_TEST(cooldown_table_is_bounded)
{
	struct cooldowns c;
	char name[16];
	memset(&c, 0, sizeof(c));
	for (unsigned i = 0; i < 3 * COOLDOWN_MAX; i++) {
		snprintf(name, sizeof(name), "a%u", i);
		ck_assert(cooldown_admit(&c, name, NULL, (uint64_t)(i + 1) * S, 60 * S));
		ck_assert_uint_le(c.n, COOLDOWN_MAX);
	}
	/* the newest names are still remembered */
	snprintf(name, sizeof(name), "a%u", 3 * COOLDOWN_MAX - 1);
	ck_assert(!cooldown_admit(&c, name, NULL, 3 * COOLDOWN_MAX * S + S, 60 * S));
}
END_TEST

/* collectord restarted twice: status counts on from where each process
 * stopped; "running" is the current process's alone. */
START_TEST(collector_counts_carry_over)
{
	union worker_stats shown, carried;
	struct proto_stats_collector r = { .running = 2, .done = 5, .failed = 1, .received = 8,
					   .actions_run = 20 };
	memset(&carried, 0, sizeof(carried));
	carry_collector(&shown, &carried, &r);
	ck_assert_uint_eq(shown.col.done, 5);
	carry_collector(&carried, &shown, NULL); /* it died */
	ck_assert_uint_eq(carried.col.running, 0);
	ck_assert_uint_eq(carried.col.done, 5);
	struct proto_stats_collector r2 = { .running = 1, .done = 1, .received = 2, .actions_run = 3 };
	carry_collector(&shown, &carried, &r2);
	ck_assert_uint_eq(shown.col.running, 1);
	ck_assert_uint_eq(shown.col.done, 6);
	ck_assert_uint_eq(shown.col.failed, 1);
	ck_assert_uint_eq(shown.col.received, 10);
	ck_assert_uint_eq(shown.col.actions_run, 23);
	/* a worker's nonsense saturates, never wraps */
	struct proto_stats_collector huge = { .done = UINT64_MAX };
	carry_collector(&shown, &carried, &huge);
	ck_assert_uint_eq(shown.col.done, UINT64_MAX);
}
END_TEST

START_TEST(detector_counts_carry_over_by_name)
{
	union worker_stats shown, carried;
	struct proto_stats_detector r;
	memset(&carried, 0, sizeof(carried));
	memset(&r, 0, sizeof(r));
	r.n_anomalies = 2;
	r.events_consumed = 100;
	snprintf(r.anomalies[0].name, PROTO_NAME_LEN, "latency");
	r.anomalies[0].sent = 1;
	r.anomalies[0].judged = 70;
	snprintf(r.anomalies[1].name, PROTO_NAME_LEN, "errors");
	r.anomalies[1].suppressed = 4;
	carry_detector(&shown, &carried, &r);
	carry_detector(&carried, &shown, NULL);
	/* the next process lists them the other way round, plus a new one */
	memset(&r, 0, sizeof(r));
	r.n_anomalies = 3;
	r.events_consumed = 10;
	snprintf(r.anomalies[0].name, PROTO_NAME_LEN, "errors");
	r.anomalies[0].suppressed = 1;
	snprintf(r.anomalies[1].name, PROTO_NAME_LEN, "latency");
	r.anomalies[1].judged = 5;
	snprintf(r.anomalies[2].name, PROTO_NAME_LEN, "new");
	r.anomalies[2].judged = 9;
	carry_detector(&shown, &carried, &r);
	ck_assert_uint_eq(shown.det.events_consumed, 110);
	ck_assert_uint_eq(shown.det.n_anomalies, 3);
	ck_assert_str_eq(shown.det.anomalies[0].name, "errors");
	ck_assert_uint_eq(shown.det.anomalies[0].suppressed, 5);
	ck_assert_uint_eq(shown.det.anomalies[1].judged, 75);
	ck_assert_uint_eq(shown.det.anomalies[1].sent, 1);
	ck_assert_uint_eq(shown.det.anomalies[2].judged, 9);
}
END_TEST

START_TEST(sweeper_deletions_carry_over)
{
	union worker_stats shown, carried;
	struct proto_stats_sweeper r = { .output_bytes = 500, .deleted = 3, .deleted_bytes = 900,
					 .last_sweep_unix = 1000 };
	memset(&carried, 0, sizeof(carried));
	carry_sweeper(&shown, &carried, &r);
	carry_sweeper(&carried, &shown, NULL);
	struct proto_stats_sweeper r2 = { .output_bytes = 400, .deleted = 1, .deleted_bytes = 100,
					  .last_sweep_unix = 1010 };
	carry_sweeper(&shown, &carried, &r2);
	ck_assert_uint_eq(shown.swp.output_bytes, 400);
	ck_assert_uint_eq(shown.swp.deleted, 4);
	ck_assert_uint_eq(shown.swp.deleted_bytes, 1000);
	ck_assert_uint_eq(shown.swp.last_sweep_unix, 1010);
}
END_TEST

static int parse_timeout(const char *v, unsigned *out)
{
	char a0[] = "aodv2-supervisor", a1[] = "--worker-timeout", a2[32];
	char *argv[] = { a0, a1, a2, NULL };
	struct sup_args a;
	snprintf(a2, sizeof(a2), "%s", v);
	int rc = args_parse(v ? 3 : 1, argv, &a);
	*out = a.worker_timeout_sec;
	return rc;
}

START_TEST(worker_timeout_option)
{
	unsigned sec;
	ck_assert_int_eq(parse_timeout(NULL, &sec), 0);
	ck_assert_uint_eq(sec, 60);
	ck_assert_int_eq(parse_timeout("3", &sec), 0);
	ck_assert_uint_eq(sec, 3);
	ck_assert_int_eq(parse_timeout("3600", &sec), 0);
	ck_assert_int_eq(parse_timeout("2", &sec), -1);
	ck_assert_int_eq(parse_timeout("3601", &sec), -1);
	ck_assert_int_eq(parse_timeout("10x", &sec), -1);
	ck_assert_int_eq(parse_timeout("-5", &sec), -1);
	ck_assert_int_eq(parse_timeout("", &sec), -1);
}
END_TEST

/* Everything the consumer can read now, appended to out[*n]. */
static void drain_ring(struct ring *cons, struct aod_event *out, size_t *n)
{
	const struct aod_event *got;
	long k;
	while ((k = ring_peek(cons, &got, RING_MIN_CAPACITY)) > 0) {
		if (out)
			memcpy(&out[*n], got, (size_t)k * sizeof(*got));
		if (n)
			*n += (size_t)k;
		ring_release(cons, (size_t)k);
	}
	ck_assert_int_eq(k, 0);
}

/* Share names that find the ring full wait and go in later, whole and in
 * order, as far as there is room; a name beyond 16 waiting is refused. */
START_TEST(a_name_that_finds_the_ring_full_goes_in_later)
{
	struct ring *prod, *cons;
	int memfd, data, space;
	ck_assert_int_eq(ring_create(RING_MIN_CAPACITY, &prod), 0);
	ring_fds(prod, &memfd, &data, &space);
	ck_assert_int_eq(ring_attach(memfd, data, space, &cons), 0);
	struct aod_event fill[RING_MIN_CAPACITY] = { 0 };
	ck_assert_uint_eq(ring_produce(prod, fill, RING_MIN_CAPACITY), RING_MIN_CAPACITY);

	static struct namelog q; /* zeroed */
	static struct aod_event want[NAMELOG_MAX_NAMES * EV_WHERE_RECORDS_MAX], seen[sizeof(want) / sizeof(want[0])];
	size_t nwant = 0, nseen = 0;
	char share[64];
	unsigned names = 0;
	for (;; names++) {
		struct aod_event rec[EV_WHERE_RECORDS_MAX];
		snprintf(share, sizeof(share), "\\\\server\\a-share-with-a-long-name-%u", names);
		size_t n = ev_where_encode(7 + names, 77, names, share, rec);
		ck_assert_uint_ge(n, 2);
		int rc = namelog_add(&q, rec, n);
		if (rc == -ENOSPC)
			break; /* refused whole */
		ck_assert_int_eq(rc, 0);
		memcpy(&want[nwant], rec, n * sizeof(rec[0]));
		nwant += n;
		ck_assert_uint_eq(namelog_flush(&q, prod), 0); /* full: it waits */
	}
	ck_assert_uint_ge(names, NAMELOG_MAX_NAMES);
	ck_assert_uint_gt(nwant, RING_MIN_CAPACITY);

	drain_ring(cons, NULL, NULL); /* detectord reads the events */
	ck_assert_uint_eq(namelog_flush(&q, prod), RING_MIN_CAPACITY); /* as far as it fits */
	ck_assert(!namelog_empty(&q));
	drain_ring(cons, seen, &nseen);
	ck_assert_uint_eq(namelog_flush(&q, prod), nwant - RING_MIN_CAPACITY);
	ck_assert(namelog_empty(&q));
	drain_ring(cons, seen, &nseen);
	ck_assert_uint_eq(nseen, nwant);
	ck_assert_mem_eq(seen, want, nwant * sizeof(want[0]));

	struct ev_where_asm a;
	struct smb_where w;
	int rc = 0;
	memset(&a, 0, sizeof(a));
	for (size_t i = 0; i < nseen && rc == 0; i++)
		rc = ev_where_feed(&a, &seen[i], &w);
	ck_assert_int_eq(rc, 1);
	ck_assert_str_eq(w.share, "\\\\server\\a-share-with-a-long-name-0");
	ring_close(cons);
	ring_close(prod);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("supervisor_units");
	TCase *tc = tcase_create("droplog");
	tcase_add_test(tc, first_drop_is_reported_at_once);
	tcase_add_test(tc, a_burst_is_reported_once_per_interval);
	tcase_add_test(tc, a_drop_inside_the_interval_waits_for_it);
	tcase_add_test(tc, force_reports_the_rest_at_shutdown);
	suite_add_tcase(s, tc);
	TCase *bo = tcase_create("backoff");
	tcase_add_test(bo, restart_delay_doubles_up_to_a_minute);
	tcase_add_test(bo, sixty_healthy_seconds_reset_the_delay);
	tcase_add_test(bo, fifth_death_within_ten_minutes_gives_up);
	suite_add_tcase(s, bo);
	TCase *wt = tcase_create("watchdog");
	tcase_add_test(wt, worker_timeout_option);
	suite_add_tcase(s, wt);
	TCase *cd = tcase_create("cooldown");
	tcase_add_test(cd, cooldown_holds_across_restarts);
	tcase_add_test(cd, cooldown_table_is_bounded);
	suite_add_tcase(s, cd);
	TCase *cs = tcase_create("stats_carry");
	tcase_add_test(cs, collector_counts_carry_over);
	tcase_add_test(cs, detector_counts_carry_over_by_name);
	tcase_add_test(cs, sweeper_deletions_carry_over);
	suite_add_tcase(s, cs);
	TCase *nl = tcase_create("namelog");
	tcase_add_test(nl, a_name_that_finds_the_ring_full_goes_in_later);
	suite_add_tcase(s, nl);
	return suptest_run(s);
}
