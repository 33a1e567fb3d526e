// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel-side filter the supervisor derives from the config: the
 * probes must still emit every request an anomaly could act on, the
 * emergency bound included (a trackonly anomaly whose listed thresholds
 * are all above it still raises an emergency for a request over it), and
 * may drop only what no anomaly judges.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "probe_filter.h"
#include "suptest.h"

#define MS 1000000ull

static struct aod_track_command write_5000[] = { { .command = 0x09, .threshold_ms = 5000 } };
static struct aod_track_command read_50[] = { { .command = 0x08, .threshold_ms = 50 } };

static struct aod_anomaly_cfg latency(enum aod_mode mode, uint32_t def, uint32_t emergency,
				      struct aod_track_command *tc, unsigned n)
{
	return (struct aod_anomaly_cfg){ .name = "latency", .type = AOD_TYPE_LATENCY,
					 .tool = AOD_TOOL_SMBSLOWER, .mode = mode,
					 .default_threshold_ms = def,
					 .emergency_threshold_ms = emergency,
					 .track_commands = tc, .n_track_commands = n };
}

static struct probes_opts filter(struct aod_anomaly_cfg *a, unsigned n)
{
	struct aod_config cfg;
	struct probes_opts o;

	memset(&cfg, 0, sizeof(cfg));
	cfg.anomalies = a;
	cfg.n_anomalies = n;
	probe_filter_from_config(&cfg, &o);
	return o;
}

/* metrics.in_kernel alone decides the metrics; with it off and no anomaly
 * the probes want nothing (they stay unloaded, as before the metrics). */
START_TEST(metrics_follow_in_kernel_whatever_the_anomalies)
{
	struct aod_config cfg;
	struct probes_opts o;

	memset(&cfg, 0, sizeof(cfg));
	cfg.metrics_in_kernel = true;
	probe_filter_from_config(&cfg, &o);
	ck_assert(o.want_metrics && !o.want_latency && !o.want_errors);
	cfg.metrics_in_kernel = false;
	probe_filter_from_config(&cfg, &o);
	ck_assert(!o.want_metrics && !o.want_latency && !o.want_errors);
}
END_TEST

START_TEST(emergency_bound_below_every_tracked_threshold_is_kept)
{
	struct aod_anomaly_cfg a = latency(AOD_MODE_TRACKONLY, 20, 1000, write_5000, 1);
	struct probes_opts o = filter(&a, 1);

	ck_assert_uint_eq(o.min_latency_ns, 1000 * MS);
	ck_assert(o.want_latency);
	ck_assert(!o.want_errors);
	/* only SMB2_WRITE is judged: every other command may be dropped */
	ck_assert_uint_eq(o.cmd_filter_mask, ((1u << AOD_SMB2_NR_COMMANDS) - 1) & ~(1u << 0x09));
}
END_TEST

START_TEST(without_emergency_the_tracked_threshold_is_the_floor)
{
	struct aod_anomaly_cfg a = latency(AOD_MODE_TRACKONLY, 20, 0, write_5000, 1);

	ck_assert_uint_eq(filter(&a, 1).min_latency_ns, 5000 * MS);
}
END_TEST

START_TEST(all_mode_takes_the_smallest_threshold)
{
	struct aod_anomaly_cfg a = latency(AOD_MODE_ALL, 100, 1000, read_50, 1);
	struct probes_opts o = filter(&a, 1);

	ck_assert_uint_eq(o.min_latency_ns, 50 * MS);
	ck_assert_uint_eq(o.cmd_filter_mask, 0);
}
END_TEST

START_TEST(excludeonly_ignores_the_listed_threshold_and_drops_its_command)
{
	struct aod_anomaly_cfg a = latency(AOD_MODE_EXCLUDEONLY, 100, 1000, read_50, 1);
	struct probes_opts o = filter(&a, 1);

	ck_assert_uint_eq(o.min_latency_ns, 100 * MS);
	ck_assert_uint_eq(o.cmd_filter_mask, 1u << 0x08);
}
END_TEST

START_TEST(an_error_anomaly_keeps_every_command_and_latency)
{
	struct aod_anomaly_cfg a[2] = {
		latency(AOD_MODE_TRACKONLY, 20, 1000, write_5000, 1),
		{ .name = "error", .type = AOD_TYPE_ERROR, .tool = AOD_TOOL_SMBIOSNOOP },
	};
	struct probes_opts o = filter(a, 2);

	ck_assert_uint_eq(o.min_latency_ns, 1000 * MS);
	ck_assert_uint_eq(o.cmd_filter_mask, 0);
	ck_assert(o.want_latency && o.want_errors);

	o = filter(&a[1], 1);
	ck_assert_uint_eq(o.min_latency_ns, 0);
	ck_assert(!o.want_latency && o.want_errors);
}
END_TEST

START_TEST(the_smallest_floor_over_anomalies_wins)
{
	struct aod_anomaly_cfg a[2] = {
		latency(AOD_MODE_ALL, 200, 1000, NULL, 0),
		latency(AOD_MODE_TRACKONLY, 20, 0, read_50, 1),
	};

	ck_assert_uint_eq(filter(a, 2).min_latency_ns, 50 * MS);
}
END_TEST

START_TEST(a_reload_in_flight_passes_what_either_config_needs)
{
	struct aod_anomaly_cfg before = latency(AOD_MODE_TRACKONLY, 20, 0, read_50, 1);
	struct aod_anomaly_cfg after[2] = {
		latency(AOD_MODE_TRACKONLY, 20, 0, write_5000, 1),
		{ .name = "error", .type = AOD_TYPE_ERROR, .tool = AOD_TOOL_SMBIOSNOOP },
	};
	struct probes_opts o = filter(after, 1), old = filter(&before, 1);

	probe_filter_union(&o, &old);
	ck_assert_uint_eq(o.min_latency_ns, 50 * MS);    /* the old READ threshold */
	ck_assert_uint_eq(o.cmd_filter_mask,               /* READ and WRITE both pass */
			  ((1u << AOD_SMB2_NR_COMMANDS) - 1) & ~(1u << 0x08) & ~(1u << 0x09));
	ck_assert(o.want_latency && !o.want_errors);
	old = filter(&after[1], 1);
	probe_filter_union(&o, &old);
	ck_assert(o.want_latency && o.want_errors);
	ck_assert_uint_eq(o.cmd_filter_mask, 0);
	ck_assert_uint_eq(o.min_latency_ns, 50 * MS); /* an error-only config adds no latency floor */

	/* from an error-only config to a latency one: the new floor, not 0 */
	o = filter(&after[1], 1);
	old = filter(after, 1);
	probe_filter_union(&o, &old);
	ck_assert(o.want_latency && o.want_errors);
	ck_assert_uint_eq(o.min_latency_ns, 5000 * MS);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("probe_filter");
	TCase *tc = tcase_create("filter");
	tcase_add_test(tc, metrics_follow_in_kernel_whatever_the_anomalies);
	tcase_add_test(tc, emergency_bound_below_every_tracked_threshold_is_kept);
	tcase_add_test(tc, without_emergency_the_tracked_threshold_is_the_floor);
	tcase_add_test(tc, all_mode_takes_the_smallest_threshold);
	tcase_add_test(tc, excludeonly_ignores_the_listed_threshold_and_drops_its_command);
	tcase_add_test(tc, an_error_anomaly_keeps_every_command_and_latency);
	tcase_add_test(tc, the_smallest_floor_over_anomalies_wins);
	tcase_add_test(tc, a_reload_in_flight_passes_what_either_config_needs);
	suite_add_tcase(s, tc);
	return suptest_run(s);
}
