// SPDX-License-Identifier: GPL-2.0-only
/*
 * detectord's judging code in one process: the Latency and Error handlers
 * under every mode, the acceptable_count boundary, per-command thresholds,
 * the emergency path, cooldowns, reloads, and windows in event time.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "det_util.h"
#include "lathist.h"

static struct dt_capture cap;

static struct detect *dt_create(const struct dt_config *t)
{
	struct detect *d = NULL;
	char err[256] = "";

	memset(&cap, 0, sizeof(cap));
	ck_assert_msg(detect_create(&t->cfg, WALL_OFFSET, dt_capture_emit, &cap, &d, err,
				    sizeof(err)) == 0, "detect_create: %s", err);
	return d;
}

static void judge1(struct detect *d, struct aod_event e)
{
	detect_judge(d, &e, 1);
}

/* ---- every mode x type ------------------------------------------------- */

struct lat_row {
	enum aod_mode mode;
	int cmd;
	uint64_t latency_ms;
	int violation;  /* counted against acceptable_count */
	int emergency;  /* raised at once */
};

/* default 20 ms; SMB2_WRITE listed (threshold 50 ms where thresholds are
 * allowed); emergency 1000 ms. */
static const struct lat_row lat_rows[] = {
	{ AOD_MODE_ALL, SMB2_WRITE, 60, 1, 0 },
	{ AOD_MODE_ALL, SMB2_WRITE, 40, 0, 0 },
	{ AOD_MODE_ALL, SMB2_READ, 30, 1, 0 },
	{ AOD_MODE_ALL, SMB2_READ, 10, 0, 0 },
	{ AOD_MODE_ALL, SMB2_READ, 1500, 1, 1 },
	{ AOD_MODE_TRACKONLY, SMB2_WRITE, 60, 1, 0 },
	{ AOD_MODE_TRACKONLY, SMB2_WRITE, 40, 0, 0 },
	{ AOD_MODE_TRACKONLY, SMB2_WRITE, 1500, 1, 1 },
	{ AOD_MODE_TRACKONLY, SMB2_READ, 30, 0, 0 },
	{ AOD_MODE_TRACKONLY, SMB2_READ, 1500, 0, 0 },
	{ AOD_MODE_EXCLUDEONLY, SMB2_WRITE, 60, 0, 0 },
	{ AOD_MODE_EXCLUDEONLY, SMB2_WRITE, 1500, 0, 0 },
	{ AOD_MODE_EXCLUDEONLY, SMB2_READ, 30, 1, 0 },
	{ AOD_MODE_EXCLUDEONLY, SMB2_READ, 10, 0, 0 },
	{ AOD_MODE_EXCLUDEONLY, SMB2_READ, 1500, 1, 1 },
};

START_TEST(latency_modes)
{
	const struct lat_row *row = &lat_rows[_i];
	struct dt_config t;
	struct aod_anomaly_cfg *a;
	struct detect *d;

	dt_config_init(&t, 1.0);
	a = dt_anomaly(&t, "lat", AOD_TYPE_LATENCY, row->mode, 0);
	dt_track_command(a, SMB2_WRITE, row->mode == AOD_MODE_EXCLUDEONLY ? 0 : 50);
	d = dt_create(&t);

	judge1(d, dt_lat(T0, row->cmd, row->latency_ms * MS));
	/* An error event with the same latency is not this handler's. */
	struct aod_event e = dt_lat(T0 + 1, row->cmd, row->latency_ms * MS);
	e.kind = AOD_EV_ERROR;
	judge1(d, e);
	ck_assert_uint_eq(cap.n, (unsigned)row->emergency);
	if (row->emergency)
		ck_assert_uint_eq(cap.a[0].emergency, 1);
	detect_flush(d);
	ck_assert_uint_eq(cap.n, (unsigned)(row->emergency + row->violation));
	if (row->violation) {
		const struct proto_anomaly *w = &cap.a[cap.n - 1];
		ck_assert_uint_eq(w->emergency, 0);
		ck_assert_uint_eq(w->type, PROTO_ANOMALY_LATENCY);
		ck_assert_str_eq(w->name, "lat");
		ck_assert_uint_eq(w->violations, 1);
		ck_assert_uint_eq(w->events_judged, 1);
		ck_assert_uint_eq(w->cmds[row->cmd].count, 1);
		ck_assert_uint_eq(w->cmds[row->cmd].max_ns, row->latency_ms * MS);
		ck_assert_uint_eq(w->n_worst, 1);
		ck_assert_uint_eq(w->worst[0].latency_ns, row->latency_ms * MS);
		ck_assert_int_eq(w->worst[0].command, row->cmd);
		ck_assert_str_eq(w->worst[0].comm, "dd");
		ck_assert_uint_eq(w->worst[0].pid, 4242);
		ck_assert_uint_eq(w->worst[0].session_id, 0x5e55);
		ck_assert_uint_eq(w->worst[0].tree_id, 3);
		ck_assert_uint_eq(w->n_errnos, 0);
	}
	detect_free(d);
}
END_TEST

struct err_row {
	enum aod_mode mode;
	int err;
	int counted;
};

/* track_codes EIO, EACCES in trackonly / excludeonly; none in all. */
static const struct err_row err_rows[] = {
	{ AOD_MODE_ALL, EIO, 1 },
	{ AOD_MODE_ALL, ENOENT, 1 },
	{ AOD_MODE_ALL, 0, 1 },
	{ AOD_MODE_TRACKONLY, EIO, 1 },
	{ AOD_MODE_TRACKONLY, EACCES, 1 },
	{ AOD_MODE_TRACKONLY, ENOENT, 0 },
	{ AOD_MODE_TRACKONLY, 0, 0 },
	{ AOD_MODE_EXCLUDEONLY, EIO, 0 },
	{ AOD_MODE_EXCLUDEONLY, EACCES, 0 },
	{ AOD_MODE_EXCLUDEONLY, ENOENT, 1 },
	{ AOD_MODE_EXCLUDEONLY, 0, 1 },
};

START_TEST(error_modes)
{
	const struct err_row *row = &err_rows[_i];
	struct dt_config t;
	struct aod_anomaly_cfg *a;
	struct detect *d;

	dt_config_init(&t, 1.0);
	a = dt_anomaly(&t, "err", AOD_TYPE_ERROR, row->mode, 0);
	if (row->mode != AOD_MODE_ALL) {
		dt_track_code(a, EIO);
		dt_track_code(a, EACCES);
	}
	d = dt_create(&t);

	judge1(d, dt_err(T0, SMB2_CREATE, row->err));
	/* A latency event carrying an errno is not this handler's. */
	struct aod_event e = dt_err(T0 + 1, SMB2_CREATE, row->err);
	e.kind = AOD_EV_LATENCY;
	judge1(d, e);
	ck_assert_uint_eq(cap.n, 0);
	detect_flush(d);
	ck_assert_uint_eq(cap.n, (unsigned)row->counted);
	if (row->counted) {
		const struct proto_anomaly *w = &cap.a[0];
		ck_assert_uint_eq(w->type, PROTO_ANOMALY_ERROR);
		ck_assert_uint_eq(w->violations, 1);
		ck_assert_uint_eq(w->events_judged, 1);
		ck_assert_uint_eq(w->cmds[SMB2_CREATE].count, 1);
		ck_assert_uint_eq(w->n_errnos, row->err ? 1 : 0);
		if (row->err) {
			ck_assert_int_eq(w->errnos[0].err, row->err);
			ck_assert_uint_eq(w->errnos[0].count, 1);
		}
		ck_assert_uint_eq(w->n_worst, 1);
		ck_assert_int_eq(w->worst[0].err, row->err);
		ck_assert_uint_eq(w->worst[0].nt_status, 0xC0000185u);
		ck_assert(proto_anomaly_valid(w, sizeof(*w)));
	}
	detect_free(d);
}
END_TEST

/* ---- acceptable_count boundary ------------------------------------------ */

static const uint32_t boundary_acceptable[] = { 0, 1, 10, 100 };

static void boundary_run(enum aod_anomaly_type type, uint32_t acceptable, uint32_t violations)
{
	struct dt_config t;
	struct detect *d;

	dt_config_init(&t, 1.0);
	dt_anomaly(&t, "x", type, AOD_MODE_ALL, acceptable);
	d = dt_create(&t);
	for (uint32_t i = 0; i < violations; i++) {
		uint64_t ts = T0 + i * (900 * MS / (violations + 1));
		judge1(d, type == AOD_TYPE_LATENCY ? dt_lat(ts, SMB2_READ, 25 * MS)
						   : dt_err(ts, SMB2_READ, EIO));
		/* fast requests and successes in between do not count */
		judge1(d, dt_lat(ts + 1, SMB2_READ, 5 * MS));
	}
	/* the next window's first event closes this one */
	judge1(d, dt_lat(T0 + 1 * SEC, SMB2_READ, 5 * MS));
	detect_free(d);
}

START_TEST(boundary_latency)
{
	uint32_t acc = boundary_acceptable[_i];

	boundary_run(AOD_TYPE_LATENCY, acc, acc);
	ck_assert_msg(cap.n == 0, "exactly acceptable_count=%u violations is not an anomaly", acc);
	boundary_run(AOD_TYPE_LATENCY, acc, acc + 1);
	ck_assert_uint_eq(cap.n, 1);
	ck_assert_uint_eq(cap.a[0].violations, acc + 1);
	ck_assert_uint_eq(cap.a[0].acceptable_count, acc);
	ck_assert_uint_eq(cap.a[0].events_judged, 2 * (acc + 1));
	ck_assert_uint_eq(cap.a[0].interval_start_ns, WALL(T0));
	ck_assert_uint_eq(cap.a[0].interval_end_ns, WALL(T0 + SEC));
	ck_assert_uint_eq(cap.a[0].timestamp_ns, WALL(T0 + SEC));
}
END_TEST

START_TEST(boundary_error)
{
	uint32_t acc = boundary_acceptable[_i];

	boundary_run(AOD_TYPE_ERROR, acc, acc);
	ck_assert_msg(cap.n == 0, "exactly acceptable_count=%u errors is not an anomaly", acc);
	boundary_run(AOD_TYPE_ERROR, acc, acc + 1);
	ck_assert_uint_eq(cap.n, 1);
	ck_assert_uint_eq(cap.a[0].violations, acc + 1);
	ck_assert_uint_eq(cap.a[0].errnos[0].err, EIO);
	ck_assert_uint_eq(cap.a[0].errnos[0].count, acc + 1);
}
END_TEST

/* ---- per-command thresholds and the summary ----------------------------- */

START_TEST(per_command_thresholds)
{
	struct dt_config t;
	struct aod_anomaly_cfg *a;
	struct detect *d;

	dt_config_init(&t, 1.0);
	a = dt_anomaly(&t, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 0);
	dt_track_command(a, SMB2_WRITE, 50);
	dt_track_command(a, SMB2_READ, 5);
	dt_track_command(a, SMB2_CREATE, 0); /* listed without a threshold: the default */
	d = dt_create(&t);
	const struct aod_event ev[] = {
		dt_lat(T0 + 1, SMB2_WRITE, 50 * MS), /* not slower than 50 */
		dt_lat(T0 + 2, SMB2_WRITE, 50 * MS + 1),
		dt_lat(T0 + 3, SMB2_READ, 5 * MS),
		dt_lat(T0 + 4, SMB2_READ, 6 * MS),
		dt_lat(T0 + 5, SMB2_CREATE, 20 * MS),
		dt_lat(T0 + 6, SMB2_CREATE, 21 * MS),
		dt_lat(T0 + 7, 0x0E, 21 * MS), /* QUERY_DIRECTORY: the default */
		dt_lat(T0 + 8, 0x0E, 19 * MS),
	};
	detect_judge(d, ev, sizeof(ev) / sizeof(ev[0]));
	detect_flush(d);
	ck_assert_uint_eq(cap.n, 1);
	ck_assert_uint_eq(cap.a[0].violations, 4);
	ck_assert_uint_eq(cap.a[0].cmds[SMB2_WRITE].count, 1);
	ck_assert_uint_eq(cap.a[0].cmds[SMB2_READ].count, 1);
	ck_assert_uint_eq(cap.a[0].cmds[SMB2_CREATE].count, 1);
	ck_assert_uint_eq(cap.a[0].cmds[0x0E].count, 1);
	ck_assert_uint_eq(cap.a[0].cmds[SMB2_READ].max_ns, 6 * MS);
	ck_assert_uint_eq(cap.a[0].cmds[0x06].count, 0);
	detect_free(d);
}
END_TEST

START_TEST(summary_exact)
{
	struct dt_config t;
	struct detect *d;

	dt_config_init(&t, 1.0);
	dt_anomaly(&t, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 10);
	d = dt_create(&t);
	/* 200 WRITE violations 21..220 ms in shuffled order, 3 READ ones */
	for (unsigned i = 0; i < 200; i++) {
		unsigned v = (i * 7919u) % 200u; /* a permutation of 0..199 */
		struct aod_event e = dt_lat(T0 + i * MS, SMB2_WRITE, (21 + v) * MS);
		e.session_id = v;
		judge1(d, e);
	}
	judge1(d, dt_lat(T0 + 300 * MS, SMB2_READ, 40 * MS));
	judge1(d, dt_lat(T0 + 301 * MS, SMB2_READ, 30 * MS));
	judge1(d, dt_lat(T0 + 302 * MS, SMB2_READ, 35 * MS));
	detect_flush(d);
	ck_assert_uint_eq(cap.n, 1);
	const struct proto_anomaly *w = &cap.a[0];
	ck_assert_uint_eq(w->violations, 203);
	ck_assert_uint_eq(w->cmds[SMB2_WRITE].count, 200);
	ck_assert_uint_eq(w->cmds[SMB2_WRITE].p50_ns, 120 * MS); /* 100th of 21..220 */
	ck_assert_uint_eq(w->cmds[SMB2_WRITE].p99_ns, 218 * MS); /* 198th */
	ck_assert_uint_eq(w->cmds[SMB2_WRITE].max_ns, 220 * MS);
	ck_assert_uint_eq(w->cmds[SMB2_READ].count, 3);
	ck_assert_uint_eq(w->cmds[SMB2_READ].p50_ns, 35 * MS);
	ck_assert_uint_eq(w->cmds[SMB2_READ].p99_ns, 40 * MS);
	ck_assert_uint_eq(w->n_worst, PROTO_WORST);
	for (unsigned i = 0; i < PROTO_WORST; i++) {
		ck_assert_uint_eq(w->worst[i].latency_ns, (220 - i) * MS);
		ck_assert_uint_eq(w->worst[i].session_id, 199 - i);
	}
	ck_assert(proto_anomaly_valid(w, sizeof(*w)));
	detect_free(d);
}
END_TEST

START_TEST(summary_histogram)
{
	struct dt_config t;
	struct detect *d;
	const unsigned n = 10000; /* more than the exact samples kept */

	dt_config_init(&t, 1.0);
	dt_anomaly(&t, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 10);
	d = dt_create(&t);
	for (unsigned i = 0; i < n; i++)
		judge1(d, dt_lat(T0 + i * 1000, SMB2_READ, 21 * MS + (uint64_t)((i * 7919u) % n) * 10000));
	detect_flush(d);
	ck_assert_uint_eq(cap.n, 1);
	const struct proto_cmd_stat *cs = &cap.a[0].cmds[SMB2_READ];
	uint64_t p50 = 21 * MS + 4999ull * 10000, p99 = 21 * MS + 9899ull * 10000;
	ck_assert_uint_eq(cs->count, n);
	ck_assert_uint_eq(cs->max_ns, 21 * MS + (n - 1) * 10000ull);
	ck_assert_msg(cs->p50_ns >= p50 && cs->p50_ns <= p50 + p50 / 32, "p50 %llu vs %llu",
		      (unsigned long long)cs->p50_ns, (unsigned long long)p50);
	ck_assert_msg(cs->p99_ns >= p99 && cs->p99_ns <= cs->max_ns, "p99 %llu vs %llu",
		      (unsigned long long)cs->p99_ns, (unsigned long long)p99);
	detect_free(d);
}
END_TEST

START_TEST(error_summary)
{
	struct dt_config t;
	struct detect *d;
	static const int codes[] = { EIO, EACCES, EAGAIN, ENOENT, EIO, EIO, EACCES, 0, 512 };

	dt_config_init(&t, 1.0);
	dt_anomaly(&t, "err", AOD_TYPE_ERROR, AOD_MODE_ALL, 2);
	d = dt_create(&t);
	for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		judge1(d, dt_err(T0 + i, i < 3 ? SMB2_WRITE : SMB2_CREATE, codes[i]));
	detect_flush(d);
	ck_assert_uint_eq(cap.n, 1);
	const struct proto_anomaly *w = &cap.a[0];
	ck_assert_uint_eq(w->violations, 9);
	ck_assert_uint_eq(w->cmds[SMB2_WRITE].count, 3);
	ck_assert_uint_eq(w->cmds[SMB2_CREATE].count, 6);
	/* most frequent first, ties by errno; err 0 has no entry */
	ck_assert_uint_eq(w->n_errnos, 5);
	ck_assert_int_eq(w->errnos[0].err, EIO);
	ck_assert_uint_eq(w->errnos[0].count, 3);
	ck_assert_int_eq(w->errnos[1].err, EACCES);
	ck_assert_uint_eq(w->errnos[1].count, 2);
	ck_assert_int_eq(w->errnos[2].err, ENOENT);
	ck_assert_int_eq(w->errnos[3].err, EAGAIN);
	ck_assert_int_eq(w->errnos[4].err, 512);
	ck_assert_uint_eq(w->n_worst, PROTO_WORST);
	ck_assert(proto_anomaly_valid(w, sizeof(*w)));
	detect_free(d);
}
END_TEST

/* ---- emergency ----------------------------------------------------------- */

/* The probes' report of a request still waiting: (session, mid, start). */
static struct aod_event inflight(uint64_t walk, uint64_t start, uint64_t mid, int cmd)
{
	struct aod_event e = dt_lat(walk, cmd, walk - start);

	e.kind = AOD_EV_INFLIGHT;
	e.message_id = mid;
	return e;
}

START_TEST(a_hung_request_is_an_anomaly_while_it_waits_once)
{
	struct dt_config t;
	struct detect *d;

	dt_config_init(&t, 1.0);
	dt_anomaly(&t, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 10)->cooldown_sec = 0;
	struct aod_anomaly_cfg *errs = dt_anomaly(&t, "err", AOD_TYPE_ERROR, AOD_MODE_ALL, 0);
	errs->cooldown_sec = 0;
	d = dt_create(&t);

	/* waiting 900 ms: under the bound, nothing */
	judge1(d, inflight(T0 + 900 * MS, T0, 7, SMB2_READ));
	ck_assert_uint_eq(cap.n, 0);
	/* the next walk: 1100 ms, and another request waiting 1200 ms */
	const struct aod_event walk[] = {
		inflight(T0 + 1100 * MS, T0, 7, SMB2_READ),
		inflight(T0 + 1100 * MS, T0 - 100 * MS, 8, SMB2_CREATE),
	};
	detect_judge(d, walk, 2);
	ck_assert_uint_eq(cap.n, 1); /* one emergency naming both */
	const struct proto_anomaly *a = &cap.a[0];
	ck_assert_str_eq(a->name, "lat");
	ck_assert_uint_eq(a->emergency, 1);
	ck_assert_uint_eq(a->in_flight, 2);
	ck_assert_uint_eq(a->violations, 0); /* not completed: not a violation yet */
	ck_assert_uint_eq(a->n_worst, 2);
	ck_assert_uint_eq(a->worst[0].in_flight, 1);
	ck_assert_uint_eq(a->worst[0].command, SMB2_CREATE);
	ck_assert_uint_eq(a->worst[0].latency_ns, 1200 * MS);
	ck_assert_uint_eq(a->worst[1].command, SMB2_READ);
	ck_assert_uint_eq(a->timestamp_ns, WALL(T0 + 1100 * MS));
	ck_assert(proto_anomaly_valid(a, sizeof(*a)));

	/* later walks, in later windows: still waiting, not raised again */
	judge1(d, inflight(T0 + 2100 * MS, T0, 7, SMB2_READ));
	judge1(d, inflight(T0 + 3100 * MS, T0, 7, SMB2_READ));
	ck_assert_uint_eq(cap.n, 1);
	/* it completes after 3.5 s: a violation in its window, no emergency */
	struct aod_event done = dt_lat(T0 + 3500 * MS, SMB2_READ, 3500 * MS);
	done.message_id = 7;
	judge1(d, done);
	ck_assert_uint_eq(cap.n, 1);
	/* the same message id of a later request (another start) is new */
	judge1(d, inflight(T0 + 5200 * MS, T0 + 4000 * MS, 7, SMB2_READ));
	ck_assert_uint_eq(cap.n, 2);
	ck_assert_uint_eq(cap.a[1].worst[0].latency_ns, 1200 * MS);
	detect_flush(d);
	ck_assert_uint_eq(cap.n, 2); /* and the Error anomaly judged none of it */
	detect_free(d);
}
END_TEST

START_TEST(emergency_at_once)
{
	struct dt_config t;
	struct detect *d;

	dt_config_init(&t, 1.0);
	dt_anomaly(&t, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 10);
	d = dt_create(&t);
	ck_assert_uint_eq(detect_wake_latency_ns(d), 1000 * MS);

	const struct aod_event before[] = {
		dt_lat(T0, SMB2_READ, 25 * MS),
		dt_lat(T0 + 100 * MS, SMB2_WRITE, 1000 * MS), /* not slower than the bound */
	};
	detect_judge(d, before, 2);
	ck_assert_uint_eq(cap.n, 0);

	struct aod_event slow = dt_lat(T0 + 300 * MS, SMB2_WRITE, 1500 * MS);
	slow.pid = 777;
	detect_judge(d, &slow, 1);
	/* Raised while judging that event: the window is still open and ends
	 * 700 ms later (plus grace). */
	ck_assert_uint_eq(cap.n, 1);
	ck_assert_uint_eq(detect_deadline(d), T0 + SEC + 200 * MS);
	const struct proto_anomaly *a = &cap.a[0];
	ck_assert_uint_eq(a->emergency, 1);
	ck_assert_str_eq(a->name, "lat");
	ck_assert_uint_eq(a->timestamp_ns, WALL(T0 + 300 * MS));
	ck_assert_uint_eq(a->interval_start_ns, WALL(T0));
	ck_assert_uint_eq(a->interval_end_ns, WALL(T0 + 300 * MS));
	ck_assert_uint_eq(a->events_judged, 3);
	ck_assert_uint_eq(a->violations, 3); /* 25 ms READ, 1000 ms and 1500 ms WRITE */
	ck_assert_uint_eq(a->n_worst, 3);
	ck_assert_uint_eq(a->worst[0].latency_ns, 1500 * MS);
	ck_assert_uint_eq(a->worst[0].pid, 777);
	ck_assert_uint_eq(a->cmds[SMB2_WRITE].max_ns, 1500 * MS);
	ck_assert(proto_anomaly_valid(a, sizeof(*a)));

	/* A second one in the same window is in the summary, not another anomaly. */
	judge1(d, dt_lat(T0 + 400 * MS, SMB2_READ, 2000 * MS));
	ck_assert_uint_eq(cap.n, 1);
	detect_tick(d, T0 + SEC + 199 * MS);
	ck_assert_uint_eq(cap.n, 1);
	detect_tick(d, T0 + SEC + 200 * MS);
	ck_assert_uint_eq(cap.n, 1); /* 4 violations <= 10: no window anomaly */
	ck_assert_uint_eq(detect_deadline(d), 0);

	/* The next window may raise its own (cooldown 0). */
	judge1(d, dt_lat(T0 + 1500 * MS, SMB2_READ, 1001 * MS));
	ck_assert_uint_eq(cap.n, 2);
	ck_assert_uint_eq(cap.a[1].emergency, 1);
	ck_assert_uint_eq(cap.a[1].interval_start_ns, WALL(T0 + SEC));
	ck_assert_uint_eq(cap.a[1].events_judged, 1);
	detect_free(d);
}
END_TEST

START_TEST(emergency_disabled)
{
	struct dt_config t;
	struct aod_anomaly_cfg *a;
	struct detect *d;

	dt_config_init(&t, 1.0);
	a = dt_anomaly(&t, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 10);
	a->emergency_threshold_ms = 0;
	dt_anomaly(&t, "err", AOD_TYPE_ERROR, AOD_MODE_ALL, 10);
	d = dt_create(&t);
	ck_assert_uint_eq(detect_wake_latency_ns(d), 0);
	judge1(d, dt_lat(T0, SMB2_READ, 60 * SEC));
	ck_assert_uint_eq(cap.n, 0);
	detect_free(d);
}
END_TEST

START_TEST(emergency_below_command_threshold)
{
	/* A command whose own threshold is above the emergency bound still
	 * raises an emergency: the bound is per request, not per command. */
	struct dt_config t;
	struct aod_anomaly_cfg *a;
	struct detect *d;

	dt_config_init(&t, 1.0);
	a = dt_anomaly(&t, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 10);
	dt_track_command(a, SMB2_WRITE, 5000);
	d = dt_create(&t);
	judge1(d, dt_lat(T0, SMB2_WRITE, 1200 * MS));
	ck_assert_uint_eq(cap.n, 1);
	ck_assert_uint_eq(cap.a[0].violations, 0);
	ck_assert_uint_eq(cap.a[0].n_worst, 1);
	ck_assert_uint_eq(cap.a[0].worst[0].latency_ns, 1200 * MS);
	detect_free(d);
}
END_TEST

START_TEST(wake_latency_is_smallest_bound)
{
	struct dt_config t;
	struct detect *d;

	dt_config_init(&t, 1.0);
	dt_anomaly(&t, "a", AOD_TYPE_LATENCY, AOD_MODE_ALL, 10)->emergency_threshold_ms = 3000;
	dt_anomaly(&t, "b", AOD_TYPE_LATENCY, AOD_MODE_ALL, 10)->emergency_threshold_ms = 700;
	dt_anomaly(&t, "c", AOD_TYPE_LATENCY, AOD_MODE_ALL, 10)->emergency_threshold_ms = 0;
	d = dt_create(&t);
	ck_assert_uint_eq(detect_wake_latency_ns(d), 700 * MS);
	detect_free(d);
}
END_TEST

/* ---- cooldown ------------------------------------------------------------ */

START_TEST(cooldown_suppresses)
{
	struct dt_config t;
	struct detect *d;
	struct proto_stats_detector st;

	dt_config_init(&t, 1.0);
	dt_anomaly(&t, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 0)->cooldown_sec = 5;
	d = dt_create(&t);
	/* one violation in each of windows 0..7: anomalies at the ends 1..8 s */
	for (unsigned w = 0; w < 8; w++)
		judge1(d, dt_lat(T0 + w * SEC + (w ? 10 * MS : 0), SMB2_READ, 30 * MS));
	detect_flush(d);
	ck_assert_uint_eq(cap.n, 2);
	ck_assert_uint_eq(cap.a[0].timestamp_ns, WALL(T0 + 1 * SEC));
	ck_assert_uint_eq(cap.a[1].timestamp_ns, WALL(T0 + 6 * SEC)); /* 5 s later */
	detect_get_stats(d, &st);
	ck_assert_uint_eq(st.n_anomalies, 1);
	ck_assert_str_eq(st.anomalies[0].name, "lat");
	ck_assert_uint_eq(st.anomalies[0].detected, 8);
	ck_assert_uint_eq(st.anomalies[0].sent, 2);
	ck_assert_uint_eq(st.anomalies[0].suppressed, 6);
	ck_assert_uint_eq(st.anomalies[0].judged, 8);
	ck_assert_uint_eq(st.events_consumed, 8);
	ck_assert(proto_stats_detector_valid(&st, sizeof(st)));
	detect_free(d);
}
END_TEST

START_TEST(cooldown_covers_emergency_then_window)
{
	struct dt_config t;
	struct detect *d;
	struct proto_stats_detector st;

	dt_config_init(&t, 1.0);
	dt_anomaly(&t, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 1)->cooldown_sec = 60;
	d = dt_create(&t);
	judge1(d, dt_lat(T0, SMB2_READ, 1100 * MS)); /* emergency, sent */
	judge1(d, dt_lat(T0 + 1, SMB2_READ, 30 * MS));
	judge1(d, dt_lat(T0 + 2, SMB2_READ, 30 * MS));
	detect_flush(d); /* 3 > 1: detected, inside the cooldown */
	ck_assert_uint_eq(cap.n, 1);
	ck_assert_uint_eq(cap.a[0].emergency, 1);
	detect_get_stats(d, &st);
	ck_assert_uint_eq(st.anomalies[0].detected, 2);
	ck_assert_uint_eq(st.anomalies[0].suppressed, 1);
	detect_free(d);
}
END_TEST

START_TEST(cooldown_per_anomaly)
{
	struct dt_config t;
	struct detect *d;

	dt_config_init(&t, 1.0);
	dt_anomaly(&t, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 0)->cooldown_sec = 60;
	dt_anomaly(&t, "err", AOD_TYPE_ERROR, AOD_MODE_ALL, 0)->cooldown_sec = 60;
	d = dt_create(&t);
	judge1(d, dt_lat(T0, SMB2_READ, 30 * MS));
	judge1(d, dt_err(T0 + 1, SMB2_READ, EIO));
	judge1(d, dt_lat(T0 + SEC, SMB2_READ, 30 * MS));
	judge1(d, dt_err(T0 + SEC + 1, SMB2_READ, EIO));
	detect_flush(d);
	/* one each; the second window's are suppressed; the two closing
	 * together get distinct timestamps (they name folders) */
	ck_assert_uint_eq(cap.n, 2);
	ck_assert_str_eq(cap.a[0].name, "lat");
	ck_assert_str_eq(cap.a[1].name, "err");
	ck_assert_uint_eq(cap.a[0].timestamp_ns, WALL(T0 + SEC));
	ck_assert_uint_eq(cap.a[1].timestamp_ns, WALL(T0 + SEC) + 1);
	detect_free(d);
}
END_TEST

/* ---- reload -------------------------------------------------------------- */

START_TEST(reload_between_batches)
{
	struct dt_config t1, t2, bad;
	struct aod_anomaly_cfg *a;
	struct detect *d;
	struct proto_stats_detector st;
	char err[256];

	dt_config_init(&t1, 1.0);
	dt_anomaly(&t1, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 3)->cooldown_sec = 30;
	d = dt_create(&t1);
	const struct aod_event b1[] = {
		dt_lat(T0 + 1, SMB2_READ, 30 * MS),
		dt_lat(T0 + 2, SMB2_READ, 30 * MS),
		dt_lat(T0 + 3, SMB2_READ, 30 * MS),
	};
	detect_judge(d, b1, 3); /* 3 violations at 20 ms */

	dt_config_init(&t2, 1.0);
	dt_anomaly(&t2, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 3)->default_threshold_ms = 40;
	ck_assert_int_eq(detect_reload(d, &t2.cfg, err, sizeof(err)), 0);

	/* A reload that cannot apply keeps the running thresholds. */
	dt_config_init(&bad, 1.0);
	a = dt_anomaly(&bad, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 3);
	a->default_threshold_ms = 1;
	dt_track_command(a, 99, 5);
	err[0] = '\0';
	ck_assert_int_eq(detect_reload(d, &bad.cfg, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "99") != NULL, "reason: %s", err);

	const struct aod_event b2[] = {
		dt_lat(T0 + 4, SMB2_READ, 30 * MS), /* not a violation at 40 ms */
		dt_lat(T0 + 5, SMB2_READ, 30 * MS),
		dt_lat(T0 + 6, SMB2_READ, 50 * MS),
	};
	detect_judge(d, b2, 3);
	detect_flush(d);
	/* 3 + 1: each event judged once, by the thresholds in force */
	ck_assert_uint_eq(cap.n, 1);
	ck_assert_uint_eq(cap.a[0].violations, 4);
	ck_assert_uint_eq(cap.a[0].events_judged, 6);
	ck_assert_uint_eq(cap.a[0].cmds[SMB2_READ].max_ns, 50 * MS);
	detect_get_stats(d, &st);
	ck_assert_uint_eq(st.anomalies[0].judged, 6);
	ck_assert_uint_eq(st.anomalies[0].sent, 1);
	ck_assert_uint_eq(st.events_consumed, 6);
	detect_free(d);
}
END_TEST

START_TEST(reload_changes_anomalies)
{
	struct dt_config t1, t2;
	struct detect *d;
	struct proto_stats_detector st;
	char err[256];

	dt_config_init(&t1, 1.0);
	dt_anomaly(&t1, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 0)->cooldown_sec = 100;
	d = dt_create(&t1);
	judge1(d, dt_lat(T0, SMB2_READ, 30 * MS));
	judge1(d, dt_lat(T0 + SEC, SMB2_READ, 30 * MS)); /* closes window 0: sent */
	ck_assert_uint_eq(cap.n, 1);

	/* "lat" stays (its cooldown with it), "err" is new; interval changes. */
	dt_config_init(&t2, 0.5);
	dt_anomaly(&t2, "err", AOD_TYPE_ERROR, AOD_MODE_ALL, 0);
	dt_anomaly(&t2, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 0)->cooldown_sec = 100;
	ck_assert_int_eq(detect_reload(d, &t2.cfg, err, sizeof(err)), 0);
	/* the changed interval closed window 1 under the old config: suppressed */
	ck_assert_uint_eq(cap.n, 1);
	detect_get_stats(d, &st);
	ck_assert_uint_eq(st.n_anomalies, 2);
	ck_assert_str_eq(st.anomalies[1].name, "lat");
	ck_assert_uint_eq(st.anomalies[1].detected, 2);
	ck_assert_uint_eq(st.anomalies[1].suppressed, 1);
	ck_assert_uint_eq(detect_interval_ns(d), 500 * MS);

	judge1(d, dt_err(T0 + 3 * SEC, SMB2_READ, EIO));
	detect_flush(d);
	ck_assert_uint_eq(cap.n, 2);
	ck_assert_str_eq(cap.a[1].name, "err");
	ck_assert_uint_eq(cap.a[1].interval_start_ns, WALL(T0 + 3 * SEC));
	ck_assert_uint_eq(cap.a[1].interval_end_ns, WALL(T0 + 3 * SEC + 500 * MS));
	detect_free(d);
}
END_TEST

START_TEST(create_refuses_bad_config)
{
	struct dt_config t;
	struct detect *d = NULL;
	char err[256] = "";

	dt_config_init(&t, 1.0);
	dt_anomaly(&t, "err", AOD_TYPE_ERROR, AOD_MODE_TRACKONLY, 0);
	dt_track_code(t.cfg.anomalies, -3);
	ck_assert_int_eq(detect_create(&t.cfg, 0, dt_capture_emit, &cap, &d, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_null(d);
	ck_assert_msg(strstr(err, "err") && strstr(err, "-3"), "reason: %s", err);

	dt_config_init(&t, 1.0);
	dt_anomaly(&t, "x", (enum aod_anomaly_type)9, AOD_MODE_ALL, 0);
	ck_assert_int_eq(detect_create(&t.cfg, 0, dt_capture_emit, &cap, &d, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "no handler"), "reason: %s", err);
}
END_TEST

/* ---- windows in event time ----------------------------------------------- */

/* A deterministic 12 s trace: background traffic, a WRITE spike in second 3,
 * an error burst in second 5, an idle gap of 3 s, an emergency in second 10,
 * and a spike straddling the 11 s boundary. */
static size_t trace_make(struct aod_event *ev, size_t cap_n)
{
	size_t n = 0;
	uint32_t rnd = 12345;
	bool emergency_done = false;

	for (uint64_t t = 0; t < 12 * SEC && n + 3 < cap_n; t += 2 * MS + (rnd % 997) * 1000) {
		rnd = rnd * 1103515245u + 12345u;
		if (t >= 6 * SEC && t < 9 * SEC)
			continue; /* idle */
		if (t >= 10 * SEC && !emergency_done) {
			ev[n] = dt_lat(T0 + 10 * SEC, SMB2_READ, 1700 * MS);
			ev[n].session_id = n;
			n++;
			emergency_done = true;
		}
		int cmd = (int)((rnd >> 8) % AOD_SMB2_NR_COMMANDS);
		uint64_t lat = 1 * MS + (rnd >> 16) % (15 * MS);
		if (t >= 3 * SEC && t < 3400 * MS && (rnd & 3) == 0) {
			cmd = SMB2_WRITE;
			lat = 60 * MS + (rnd >> 12) % (200 * MS);
		}
		if (t >= 10900 * MS && t < 11100 * MS && (rnd & 1))
			lat = 25 * MS + (rnd >> 12) % (30 * MS);
		ev[n] = dt_lat(T0 + t, cmd, lat);
		ev[n].session_id = n;
		n++;
		if (t >= 5 * SEC && t < 5300 * MS && (rnd & 7) < 3) {
			ev[n] = dt_err(T0 + t + 1, SMB2_CREATE, (rnd & 16) ? EIO : EACCES);
			ev[n].session_id = n;
			n++;
		}
	}
	return n;
}

static void trace_config(struct dt_config *t)
{
	struct aod_anomaly_cfg *a;

	dt_config_init(t, 1.0);
	a = dt_anomaly(t, "latency", AOD_TYPE_LATENCY, AOD_MODE_ALL, 10);
	dt_track_command(a, SMB2_WRITE, 50);
	a->cooldown_sec = 0;
	a = dt_anomaly(t, "error", AOD_TYPE_ERROR, AOD_MODE_TRACKONLY, 10);
	dt_track_code(a, EIO);
	dt_track_code(a, EACCES);
}

/* Delivers the trace as a live source would at `speed` (0 = as fast as
 * possible): the clock advances in steps, each step delivers the events
 * whose time has come in batches of at most `batch`, then ticks. */
static void trace_replay(const struct aod_event *ev, size_t n, double speed, size_t batch,
			 struct dt_capture *out)
{
	struct dt_config t;
	struct detect *d;
	size_t i = 0;
	uint64_t now = T0;

	trace_config(&t);
	d = dt_create(&t);
	while (i < n) {
		size_t j = i;
		if (speed > 0) {
			now += (uint64_t)(37 * MS * speed);
			while (j < n && ev[j].ts_ns <= now)
				j++;
		} else {
			j = n;
		}
		while (i < j) {
			size_t k = j - i < batch ? j - i : batch;
			detect_judge(d, ev + i, k);
			i += k;
		}
		if (speed > 0)
			detect_tick(d, now);
	}
	if (speed > 0)
		detect_tick(d, now + 10 * SEC);
	detect_flush(d);
	*out = cap;
	detect_free(d);
}

START_TEST(replay_speed_invariance)
{
	static struct aod_event ev[20000];
	static struct dt_capture ref, run;
	size_t n = trace_make(ev, 20000);
	static const struct { double speed; size_t batch; } runs[] = {
		{ 1.0, 1 }, { 1.0, 4096 }, { 0.25, 7 }, { 3.0, 100 }, { 0, 1 }, { 0, 333 }, { 0, 65536 },
	};

	trace_replay(ev, n, 0, 1u << 20, &ref);
	/* The anomalies of this trace, in order: the WRITE spike (window 3), the
	 * error burst (5), the emergency at 10 s, then the spike straddling 11 s
	 * in both windows it touches. */
	static const struct {
		const char *name;
		uint32_t emergency;
		uint64_t start_s;
		uint64_t violations;
	} want[] = {
		{ "latency", 0, 3, 40 }, { "error", 0, 5, 45 }, { "latency", 1, 10, 1 },
		{ "latency", 0, 10, 19 }, { "latency", 0, 11, 19 },
	};
	ck_assert_uint_eq(ref.n, sizeof(want) / sizeof(want[0]));
	for (unsigned i = 0; i < ref.n; i++) {
		const struct proto_anomaly *a = &ref.a[i];
		ck_assert(proto_anomaly_valid(a, sizeof(*a)));
		ck_assert_str_eq(a->name, want[i].name);
		ck_assert_uint_eq(a->emergency, want[i].emergency);
		ck_assert_uint_eq(a->interval_start_ns, WALL(T0 + want[i].start_s * SEC));
		ck_assert_uint_eq(a->violations, want[i].violations);
	}
	ck_assert_uint_eq(ref.a[0].cmds[SMB2_WRITE].count, 40);
	ck_assert_uint_ge(ref.a[0].cmds[SMB2_WRITE].p50_ns, 60 * MS);
	ck_assert_uint_eq(ref.a[2].timestamp_ns, WALL(T0 + 10 * SEC));
	ck_assert_uint_eq(ref.a[2].worst[0].latency_ns, 1700 * MS);

	for (unsigned r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		trace_replay(ev, n, runs[r].speed, runs[r].batch, &run);
		ck_assert_msg(run.n == ref.n, "speed %g batch %zu: %u anomalies, expected %u",
			      runs[r].speed, runs[r].batch, run.n, ref.n);
		for (unsigned i = 0; i < ref.n; i++)
			ck_assert_msg(memcmp(&run.a[i], &ref.a[i], sizeof(ref.a[i])) == 0,
				      "speed %g batch %zu: anomaly %u differs", runs[r].speed,
				      runs[r].batch, i);
	}
}
END_TEST

START_TEST(window_closes_by_event_or_clock)
{
	struct dt_config t;
	struct detect *d;

	dt_config_init(&t, 0.5);
	dt_anomaly(&t, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 0);
	d = dt_create(&t);
	ck_assert_uint_eq(detect_deadline(d), 0);
	judge1(d, dt_lat(T0 + 7, SMB2_READ, 30 * MS)); /* anchors the grid at T0 + 7 */
	ck_assert_uint_eq(detect_deadline(d), T0 + 7 + 500 * MS + 125 * MS);
	judge1(d, dt_lat(T0 + 7 + 499 * MS, SMB2_READ, 1 * MS));
	ck_assert_uint_eq(cap.n, 0);
	judge1(d, dt_lat(T0 + 7 + 500 * MS, SMB2_READ, 1 * MS)); /* past the end */
	ck_assert_uint_eq(cap.n, 1);
	ck_assert_uint_eq(cap.a[0].interval_start_ns, WALL(T0 + 7));
	ck_assert_uint_eq(cap.a[0].events_judged, 2);

	judge1(d, dt_lat(T0 + 7 + 600 * MS, SMB2_READ, 30 * MS));
	detect_tick(d, T0 + 7 + 1124 * MS);
	ck_assert_uint_eq(cap.n, 1);
	detect_tick(d, T0 + 7 + 1125 * MS); /* end + grace */
	ck_assert_uint_eq(cap.n, 2);
	ck_assert_uint_eq(cap.a[1].interval_start_ns, WALL(T0 + 7 + 500 * MS));
	ck_assert_uint_eq(cap.a[1].events_judged, 2);

	/* After a gap the grid continues: windows stay on T0 + 7 + k * 500 ms. */
	judge1(d, dt_lat(T0 + 7 + 5 * SEC + 300 * MS, SMB2_READ, 30 * MS));
	detect_flush(d);
	ck_assert_uint_eq(cap.n, 3);
	ck_assert_uint_eq(cap.a[2].interval_start_ns, WALL(T0 + 7 + 5 * SEC));
	detect_free(d);
}
END_TEST

START_TEST(late_and_malformed_events)
{
	struct dt_config t;
	struct detect *d;
	struct proto_stats_detector st;

	dt_config_init(&t, 1.0);
	dt_anomaly(&t, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 1);
	d = dt_create(&t);
	judge1(d, dt_lat(T0, SMB2_READ, 30 * MS));
	detect_tick(d, T0 + 2 * SEC); /* window 0 closed by the clock */
	/* late: belongs to window 0, judged in window 1 and counted */
	judge1(d, dt_lat(T0 + 500 * MS, SMB2_READ, 30 * MS));

	struct aod_event bad[4];
	bad[0] = dt_lat(T0 + SEC + 1, SMB2_READ, 30 * MS);
	bad[0].kind = 7;
	bad[1] = dt_lat(T0 + SEC + 2, 0x13, 30 * MS);
	bad[2] = dt_err(T0 + SEC + 3, SMB2_READ, -5);
	bad[3] = dt_lat(T0 + SEC + 4, SMB2_READ, 30 * MS); /* a good one among them */
	detect_judge(d, bad, 4);
	detect_flush(d);
	ck_assert_uint_eq(cap.n, 1);
	ck_assert_uint_eq(cap.a[0].interval_start_ns, WALL(T0 + SEC));
	ck_assert_uint_eq(cap.a[0].violations, 2);
	ck_assert_uint_eq(cap.a[0].events_judged, 2);
	detect_get_stats(d, &st);
	ck_assert_uint_eq(st.late_events, 1);
	ck_assert_uint_eq(st.events_consumed, 6);
	ck_assert_uint_eq(st.anomalies[0].judged, 3);
	detect_free(d);
}
END_TEST

/* A grid record before any event puts the windows where it says (a replayed
 * collection's events in the original windows), also for events before
 * it; once events anchored the grid, a grid record changes nothing. */
START_TEST(grid_record_anchors_the_windows)
{
	struct dt_config t;
	struct detect *d;
	struct aod_event ev[4];

	dt_config_init(&t, 1.0);
	dt_anomaly(&t, "lat", AOD_TYPE_LATENCY, AOD_MODE_ALL, 1);
	d = dt_create(&t);
	memset(&ev[0], 0, sizeof(ev[0]));
	ev[0].ts_ns = T0 + 5 * SEC; /* the live windows started at T0 + k s */
	ev[0].kind = AOD_EV_GRID;
	ev[1] = dt_lat(T0 + 4 * SEC + 500 * MS, SMB2_READ, 1 * MS); /* before the grid record */
	ev[2] = dt_lat(T0 + 5 * SEC + 300 * MS, SMB2_READ, 30 * MS);
	ev[3] = dt_lat(T0 + 5 * SEC + 600 * MS, SMB2_READ, 30 * MS);
	detect_judge(d, ev, 4);
	detect_flush(d);
	/* first-event anchoring would have split them: [4.5, 5.5) and [5.5, 6.5) */
	ck_assert_uint_eq(cap.n, 1);
	ck_assert_uint_eq(cap.a[0].interval_start_ns, WALL(T0 + 5 * SEC));
	ck_assert_uint_eq(cap.a[0].violations, 2);
	/* the anomaly says how to take its window back to the events' clock */
	ck_assert_uint_eq(cap.a[0].interval_start_ns - (uint64_t)cap.a[0].mono_to_wall_ns, T0 + 5 * SEC);
	detect_free(d);

	d = dt_create(&t);
	ev[0] = dt_lat(T0 + 4 * SEC + 500 * MS, SMB2_READ, 1 * MS);
	memset(&ev[1], 0, sizeof(ev[1]));
	ev[1].ts_ns = T0 + 5 * SEC;
	ev[1].kind = AOD_EV_GRID; /* too late: the first event anchored */
	detect_judge(d, ev, 4);
	detect_flush(d);
	ck_assert_uint_eq(cap.n, 0); /* one violation in each window: none over 1 */
	detect_free(d);
}
END_TEST

/* ---- the histogram on its own -------------------------------------------- */

START_TEST(lathist_buckets)
{
	static struct lathist h;
	uint64_t vals[] = { 0, 1, 63, 64, 65, 127, 128, 1000, 20 * MS, 1500 * MS, UINT64_MAX };

	for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		unsigned b = lathist_bucket(vals[i]);
		ck_assert_uint_lt(b, LATHIST_BUCKETS);
		ck_assert_uint_le(lathist_bucket_low(b), vals[i]);
		ck_assert_uint_ge(lathist_bucket_high(b), vals[i]);
		/* never wider than 1/32 of its values */
		ck_assert_uint_le(lathist_bucket_high(b) - lathist_bucket_low(b),
				  lathist_bucket_low(b) / LATHIST_SUB);
		if (b > 0)
			ck_assert_uint_eq(lathist_bucket_high(b - 1) + 1, lathist_bucket_low(b));
	}
	memset(&h, 0, sizeof(h));
	ck_assert_uint_eq(lathist_percentile(&h, 50), 0);
	for (uint64_t v = 1; v <= 100; v++)
		lathist_add(&h, v);
	ck_assert_uint_eq(lathist_percentile(&h, 50), 50);
	ck_assert_uint_eq(lathist_percentile(&h, 99), 99);
	ck_assert_uint_eq(lathist_percentile(&h, 100), 101); /* the top of [100, 101] */
	ck_assert_uint_eq(lathist_rank(1, 99), 1);
	ck_assert_uint_eq(lathist_rank(200, 50), 100);
}
END_TEST

static Suite *detect_suite(void)
{
	Suite *s = suite_create("detectord");
	TCase *tc;

	tc = tcase_create("modes");
	tcase_add_loop_test(tc, latency_modes, 0, sizeof(lat_rows) / sizeof(lat_rows[0]));
	tcase_add_loop_test(tc, error_modes, 0, sizeof(err_rows) / sizeof(err_rows[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("boundary");
	tcase_add_loop_test(tc, boundary_latency, 0, 4);
	tcase_add_loop_test(tc, boundary_error, 0, 4);
	suite_add_tcase(s, tc);

	tc = tcase_create("summary");
	tcase_add_test(tc, per_command_thresholds);
	tcase_add_test(tc, summary_exact);
	tcase_add_test(tc, summary_histogram);
	tcase_add_test(tc, error_summary);
	tcase_add_test(tc, lathist_buckets);
	suite_add_tcase(s, tc);

	tc = tcase_create("emergency");
	tcase_add_test(tc, emergency_at_once);
	tcase_add_test(tc, a_hung_request_is_an_anomaly_while_it_waits_once);
	tcase_add_test(tc, emergency_disabled);
	tcase_add_test(tc, emergency_below_command_threshold);
	tcase_add_test(tc, wake_latency_is_smallest_bound);
	suite_add_tcase(s, tc);

	tc = tcase_create("cooldown");
	tcase_add_test(tc, cooldown_suppresses);
	tcase_add_test(tc, cooldown_covers_emergency_then_window);
	tcase_add_test(tc, cooldown_per_anomaly);
	suite_add_tcase(s, tc);

	tc = tcase_create("reload");
	tcase_add_test(tc, reload_between_batches);
	tcase_add_test(tc, reload_changes_anomalies);
	tcase_add_test(tc, create_refuses_bad_config);
	suite_add_tcase(s, tc);

	tc = tcase_create("windows");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, replay_speed_invariance);
	tcase_add_test(tc, window_closes_by_event_or_clock);
	tcase_add_test(tc, late_and_malformed_events);
	tcase_add_test(tc, grid_record_anchors_the_windows);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(detect_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
