// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the supervisor's pure bookkeeping: the rate limit of the
 * "event ring full" warning (every drop is reported, the first at once,
 * then at most once per interval, the rest of a burst after it) and the
 * workers' restart policy (1 s doubling to 60 s, reset after 60 s of
 * healthy running, giving up at the 5th death within 10 minutes).
 */
#include <check.h>
#include <stdlib.h>

#include "backoff.h"
#include "droplog.h"
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
	return suptest_run(s);
}
