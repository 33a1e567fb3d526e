// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rate-limited log lines (log.h): a call site repeated a thousand times
 * writes at most LOG_RL_BURST lines per interval, and the next line it
 * passes says how many were suppressed, so a flood can neither fill the
 * log nor vanish from it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "logcapture.h"

static unsigned count(const char *text, const char *needle)
{
	unsigned n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void flood_one_site(void)
{
	for (int i = 0; i < 1000; i++)
		log_warn_rl("client %d refused", i);
}

START_TEST(a_flood_is_cut_to_the_burst)
{
	log_init("logtest", true);
	char *out = logcapture(flood_one_site);
	ck_assert_uint_eq(count(out, "refused"), LOG_RL_BURST);
	ck_assert_uint_eq(count(out, "\n"), LOG_RL_BURST);
}
END_TEST

static void window_by_hand(void)
{
	struct log_ratelimit rl = { 0 };
	uint64_t t0 = 1000000000ull;
	unsigned passed = 0;

	for (int i = 0; i < 1000; i++)
		passed += log_ratelimit_pass(&rl, LOG_WARNING, "x/site.c", 7, t0 + (uint64_t)i);
	ck_assert_uint_eq(passed, LOG_RL_BURST);
	/* still inside the interval: nothing more, nothing said */
	ck_assert(!log_ratelimit_pass(&rl, LOG_WARNING, "x/site.c", 7, t0 + LOG_RL_INTERVAL_NS - 1));
	/* the next interval passes again, after the summary line */
	ck_assert(log_ratelimit_pass(&rl, LOG_WARNING, "x/site.c", 7, t0 + LOG_RL_INTERVAL_NS));
	ck_assert_uint_eq(rl.suppressed, 0);
}

START_TEST(the_next_line_counts_what_was_suppressed)
{
	log_init("logtest", true);
	char *out = logcapture(window_by_hand);
	ck_assert_msg(strstr(out, "suppressed 991 similar messages (site.c:7"), "%s", out);
	ck_assert_uint_eq(count(out, "\n"), 1);
}
END_TEST

START_TEST(a_disabled_level_costs_no_bucket)
{
	struct log_ratelimit rl = { 0 };
	log_set_level(LOG_ERR);
	for (int i = 0; i < 100; i++)
		log_info_rl("never %d", i);
	log_set_level(LOG_INFO);
	ck_assert(log_ratelimit_pass(&rl, LOG_INFO, "a.c", 1, 5));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("ratelimit");
	tcase_add_test(tc, a_flood_is_cut_to_the_burst);
	tcase_add_test(tc, the_next_line_counts_what_was_suppressed);
	tcase_add_test(tc, a_disabled_level_costs_no_bucket);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
