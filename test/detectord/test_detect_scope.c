// SPDX-License-Identifier: GPL-2.0-only
/*
 * scope: server | share. Shares are named in the event stream (AOD_EV_WHERE
 * records, as the supervisor writes them); each share (server) is judged on
 * its own window counts, with its own cooldown, at most DETECT_SCOPE_KEYS of
 * them one by one and the rest under the "other" key.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "det_util.h"
#include "ev_where.h"

static struct dt_capture cap;

static struct detect *sc_create(const struct dt_config *t)
{
	struct detect *d = NULL;
	char err[256] = "";

	memset(&cap, 0, sizeof(cap));
	ck_assert_msg(detect_create(&t->cfg, WALL_OFFSET, dt_capture_emit, &cap, &d, err,
				    sizeof(err)) == 0, "detect_create: %s", err);
	return d;
}

/* Names tree on session 0x5e55 as share. */
static void sc_name(struct detect *d, uint64_t ts, uint32_t tree, const char *share)
{
	struct aod_event rec[EV_WHERE_RECORDS_MAX];
	size_t n = ev_where_encode(ts, 0x5e55, tree, share, rec);

	ck_assert_uint_ge(n, 2);
	detect_judge(d, rec, n);
}

static struct aod_event sc_lat(uint64_t ts, uint32_t tree, uint64_t latency_ns)
{
	struct aod_event e = dt_lat(ts, SMB2_READ, latency_ns);

	e.tree_id = tree;
	return e;
}

static struct detect *sc_two_shares(enum aod_scope scope, uint32_t cooldown_sec)
{
	static struct dt_config t;
	struct aod_anomaly_cfg *a;
	struct detect *d;

	dt_config_init(&t, 1.0);
	a = dt_anomaly(&t, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 3);
	a->scope = scope;
	a->cooldown_sec = cooldown_sec;
	d = sc_create(&t);
	sc_name(d, T0, 3, "\\\\fast\\a");
	sc_name(d, T0, 4, "\\\\slow\\b");
	sc_name(d, T0, 5, "\\\\slow\\c");
	return d;
}

/* window w: 4 slow reads on tree slow_tree, 20 fast ones on tree 3 */
static void sc_window(struct detect *d, unsigned w, uint32_t slow_tree)
{
	for (unsigned i = 0; i < 24; i++) {
		uint64_t ts = T0 + w * SEC + 10 * MS + i * MS;
		struct aod_event e = i < 4 ? sc_lat(ts, slow_tree, 30 * MS) : sc_lat(ts, 3, 1 * MS);
		detect_judge(d, &e, 1);
	}
}

START_TEST(one_slow_share_among_fast_ones_is_its_own_anomaly)
{
	struct detect *d = sc_two_shares(AOD_SCOPE_SHARE, 0);

	sc_window(d, 0, 4);
	detect_flush(d);
	ck_assert_uint_eq(cap.n, 1);
	ck_assert_uint_eq(cap.a[0].scope, PROTO_SCOPE_SHARE);
	ck_assert_uint_eq(cap.a[0].scope_other, 0);
	ck_assert_str_eq(cap.a[0].share, "\\\\slow\\b");
	ck_assert_str_eq(cap.a[0].server, "slow");
	ck_assert_uint_eq(cap.a[0].violations, 4);
	ck_assert_uint_eq(cap.a[0].events_judged, 4); /* its own counts, not the host's 24 */
	ck_assert(proto_anomaly_valid(&cap.a[0], sizeof(cap.a[0])));
	detect_free(d);
}
END_TEST

START_TEST(host_scope_judges_every_share_together)
{
	struct detect *d = sc_two_shares(AOD_SCOPE_HOST, 0);

	sc_window(d, 0, 4);
	detect_flush(d);
	ck_assert_uint_eq(cap.n, 1);
	ck_assert_uint_eq(cap.a[0].scope, PROTO_SCOPE_HOST);
	ck_assert_str_eq(cap.a[0].share, "");
	ck_assert_uint_eq(cap.a[0].events_judged, 24);
	detect_free(d);
}
END_TEST

/* Two shares of one server, each 2 slow (under acceptable 3 alone), are
 * one server's 4. */
START_TEST(server_scope_adds_up_a_servers_shares)
{
	struct detect *d = sc_two_shares(AOD_SCOPE_SERVER, 0);

	for (unsigned i = 0; i < 4; i++) {
		struct aod_event e = sc_lat(T0 + 10 * MS + i * MS, i % 2 ? 4 : 5, 30 * MS);
		detect_judge(d, &e, 1);
	}
	detect_flush(d);
	ck_assert_uint_eq(cap.n, 1);
	ck_assert_uint_eq(cap.a[0].scope, PROTO_SCOPE_SERVER);
	ck_assert_str_eq(cap.a[0].server, "slow");
	ck_assert_str_eq(cap.a[0].share, "");
	ck_assert_uint_eq(cap.a[0].violations, 4);
	detect_free(d);

	/* by share, neither is over its acceptable count */
	d = sc_two_shares(AOD_SCOPE_SHARE, 0);
	for (unsigned i = 0; i < 4; i++) {
		struct aod_event e = sc_lat(T0 + 10 * MS + i * MS, i % 2 ? 4 : 5, 30 * MS);
		detect_judge(d, &e, 1);
	}
	detect_flush(d);
	ck_assert_uint_eq(cap.n, 0);
	detect_free(d);
}
END_TEST

/* share b's anomaly does not silence share c's; b's own next one is. */
START_TEST(cooldown_is_per_share)
{
	struct detect *d = sc_two_shares(AOD_SCOPE_SHARE, 60);
	struct proto_stats_detector st;

	sc_window(d, 0, 4);
	sc_window(d, 1, 5);
	sc_window(d, 2, 4);
	detect_flush(d);
	ck_assert_uint_eq(cap.n, 2);
	ck_assert_str_eq(cap.a[0].share, "\\\\slow\\b");
	ck_assert_str_eq(cap.a[1].share, "\\\\slow\\c");
	detect_get_stats(d, &st);
	ck_assert_uint_eq(st.anomalies[0].detected, 3);
	ck_assert_uint_eq(st.anomalies[0].sent, 2);
	ck_assert_uint_eq(st.anomalies[0].suppressed, 1);
	detect_free(d);
}
END_TEST

/* DETECT_SCOPE_KEYS + 2 slow shares in one window: one anomaly each for the
 * first DETECT_SCOPE_KEYS, one "other" anomaly for the last two; once they
 * are idle, a new share is tracked by name again. */
START_TEST(keys_are_capped_then_freed_when_idle)
{
	struct dt_config t;
	struct detect *d;
	char share[64];
	unsigned n = DETECT_SCOPE_KEYS + 2;

	dt_config_init(&t, 1.0);
	dt_anomaly(&t, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 0)->scope = AOD_SCOPE_SHARE;
	d = sc_create(&t);
	for (unsigned s = 0; s < n; s++) {
		snprintf(share, sizeof(share), "\\\\srv\\s%u", s);
		sc_name(d, T0, 10 + s, share);
	}
	for (unsigned s = 0; s < n; s++) {
		struct aod_event e = sc_lat(T0 + 10 * MS + s * MS, 10 + s, 30 * MS);
		detect_judge(d, &e, 1);
	}
	struct aod_event tick = sc_lat(T0 + 1 * SEC + 10 * MS, 3, 1 * MS); /* unknown share, fast */
	detect_judge(d, &tick, 1);
	ck_assert_uint_eq(cap.n, DETECT_SCOPE_KEYS + 1);
	for (unsigned s = 0; s < DETECT_SCOPE_KEYS; s++) {
		snprintf(share, sizeof(share), "\\\\srv\\s%u", s);
		ck_assert_str_eq(cap.a[s].share, share);
		ck_assert_uint_eq(cap.a[s].scope_other, 0);
	}
	const struct proto_anomaly *o = &cap.a[DETECT_SCOPE_KEYS];
	ck_assert_uint_eq(o->scope_other, 1);
	ck_assert_str_eq(o->share, "");
	ck_assert_uint_eq(o->violations, 2);
	ck_assert(proto_anomaly_valid(o, sizeof(*o)));

	/* window 1 had only the unknown share: the named ones are idle and
	 * make room; in window 2 the last share is judged by name */
	struct aod_event late = sc_lat(T0 + 2 * SEC + 10 * MS, 10 + n - 1, 30 * MS);
	detect_judge(d, &late, 1);
	detect_flush(d);
	ck_assert_uint_eq(cap.n, DETECT_SCOPE_KEYS + 2);
	snprintf(share, sizeof(share), "\\\\srv\\s%u", n - 1);
	ck_assert_str_eq(cap.a[cap.n - 1].share, share);
	ck_assert_uint_eq(cap.a[cap.n - 1].scope_other, 0);
	detect_free(d);
}
END_TEST

/* A share never named, and a malformed name, leave the share empty (never
 * wrong); the bad records are counted, not judged. */
START_TEST(unnamed_and_malformed_names)
{
	struct dt_config t;
	struct detect *d;
	struct aod_event rec[EV_WHERE_RECORDS_MAX];
	size_t n;

	dt_config_init(&t, 1.0);
	dt_anomaly(&t, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 0)->scope = AOD_SCOPE_SHARE;
	d = sc_create(&t);
	n = ev_where_encode(T0, 0x5e55, 7, "\\\\srv\\x", rec);
	struct aod_where_text txt;
	memcpy(&txt, &rec[1], sizeof(txt));
	memcpy(txt.text, "not a unc", 10);
	memcpy(&rec[1], &txt, sizeof(txt));
	detect_judge(d, rec, n);
	ck_assert_uint_eq(ev_where_encode(T0, 1, 1, "", rec), 0);
	struct aod_event e = sc_lat(T0 + 10 * MS, 7, 30 * MS);
	detect_judge(d, &e, 1);
	detect_flush(d);
	ck_assert_uint_eq(cap.n, 1);
	ck_assert_str_eq(cap.a[0].share, "");
	ck_assert_uint_eq(cap.a[0].scope, PROTO_SCOPE_SHARE);
	detect_free(d);
}
END_TEST

/* The emergency of a hung share names it and counts against its key only. */
START_TEST(emergency_names_its_share)
{
	struct detect *d = sc_two_shares(AOD_SCOPE_SHARE, 60);
	struct aod_event e = sc_lat(T0 + 10 * MS, 5, 1500 * MS);

	detect_judge(d, &e, 1);
	ck_assert_uint_eq(cap.n, 1);
	ck_assert_uint_eq(cap.a[0].emergency, 1);
	ck_assert_str_eq(cap.a[0].share, "\\\\slow\\c");
	e = sc_lat(T0 + 20 * MS, 4, 1500 * MS);
	detect_judge(d, &e, 1);
	ck_assert_uint_eq(cap.n, 2); /* another share: its own cooldown */
	ck_assert_str_eq(cap.a[1].share, "\\\\slow\\b");
	detect_free(d);
}
END_TEST

static Suite *scope_suite(void)
{
	Suite *s = suite_create("detect_scope");
	TCase *tc = tcase_create("scope");

	tcase_add_test(tc, one_slow_share_among_fast_ones_is_its_own_anomaly);
	tcase_add_test(tc, host_scope_judges_every_share_together);
	tcase_add_test(tc, server_scope_adds_up_a_servers_shares);
	tcase_add_test(tc, cooldown_is_per_share);
	tcase_add_test(tc, keys_are_capped_then_freed_when_idle);
	tcase_add_test(tc, unnamed_and_malformed_names);
	tcase_add_test(tc, emergency_names_its_share);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(scope_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
