// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loading: the shipped etc/aodv2.yaml gives the documented values and
 * defaults, and the small rules a config writer relies on (empty value =
 * not set, boolean spellings, tool from type, missing base file).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aod_build.h"
#include "cfgtest.h"
#include "smb_tables.h"

#define SHIPPED AOD_SOURCE_ROOT "/etc/aodv2.yaml"
#define SHIPPED_DIR AOD_SOURCE_ROOT "/etc/aodv2.d"

static struct aod_config *load_ok(const char *yaml)
{
	struct config_errors errs = { 0 };
	struct aod_config *cfg = NULL;
	int rc = cfgtest_load(yaml, &cfg, &errs);

	ck_assert_msg(rc == 0, "load failed (%d):%s", rc, cfgtest_errors_str(&errs));
	ck_assert_uint_eq(errs.n, 0);
	config_errors_free(&errs);
	return cfg;
}

static void assert_actions(char **v, unsigned n, const char *const *want, unsigned n_want)
{
	ck_assert_uint_eq(n, n_want);
	for (unsigned i = 0; i < n; i++)
		ck_assert_str_eq(v[i], want[i]);
}

START_TEST(shipped_values)
{
	static const char *const lat_actions[] = { "dmesg", "journalctl", "debugdata", "stats",
						   "mounts", "smbinfo", "syslogs", "blocked_tasks" };
	static const char *const err_actions[] = { "dmesg", "journalctl", "debugdata" };
	static const char *const all[] = { "tcpdump", "dmesg", "journalctl", "debugdata",
					   "stats", "mounts", "smbinfo", "syslogs", "blocked_tasks" };
	struct config_errors errs = { 0 };
	struct aod_config *cfg;
	const struct aod_anomaly_cfg *lat, *err;

	ck_assert_msg(config_load(SHIPPED, NULL, &cfg, &errs) == 0, "%s", cfgtest_errors_str(&errs));
	ck_assert_double_eq(cfg->watch_interval_sec, 1.0);
	ck_assert_str_eq(cfg->output_dir, "/var/log/aodv2");
	ck_assert_uint_eq(cfg->n_anomalies, 2);
	lat = &cfg->anomalies[0];
	ck_assert_str_eq(lat->name, "latency");
	ck_assert_int_eq(lat->type, AOD_TYPE_LATENCY);
	ck_assert_int_eq(lat->tool, AOD_TOOL_SMBSLOWER);
	ck_assert_int_eq(lat->mode, AOD_MODE_ALL);
	ck_assert_uint_eq(lat->acceptable_count, 10);
	ck_assert_uint_eq(lat->default_threshold_ms, 20);
	ck_assert_uint_eq(lat->emergency_threshold_ms, 1000);
	ck_assert_uint_eq(lat->cooldown_sec, 60);
	ck_assert_int_eq(lat->scope, AOD_SCOPE_HOST);
	ck_assert_uint_eq(lat->n_track_commands, 1);
	ck_assert_int_eq(lat->track_commands[0].command, 0x09);
	ck_assert_uint_eq(lat->track_commands[0].threshold_ms, 50);
	ck_assert_uint_eq(lat->n_track_codes, 0);
	assert_actions(lat->actions, lat->n_actions, lat_actions, 8);

	err = &cfg->anomalies[1];
	ck_assert_str_eq(err->name, "error");
	ck_assert_int_eq(err->type, AOD_TYPE_ERROR);
	ck_assert_int_eq(err->tool, AOD_TOOL_SMBIOSNOOP);
	ck_assert_int_eq(err->mode, AOD_MODE_TRACKONLY);
	ck_assert_uint_eq(err->acceptable_count, 10);
	ck_assert_uint_eq(err->default_threshold_ms, 0); /* Latency only */
	ck_assert_uint_eq(err->n_track_codes, 3);
	ck_assert_int_eq(err->track_codes[0], EACCES);
	ck_assert_int_eq(err->track_codes[1], EAGAIN);
	ck_assert_int_eq(err->track_codes[2], EIO);
	assert_actions(err->actions, err->n_actions, err_actions, 3);

	assert_actions(cfg->actions, cfg->n_actions, all, 9);
	ck_assert_uint_eq(cfg->max_concurrent_tasks, 4);
	ck_assert_uint_eq(cfg->action_timeout_sec, 30);
	ck_assert_uint_eq(cfg->cleanup_interval_sec, 60);
	ck_assert_double_eq(cfg->max_log_age_days, 2);
	ck_assert_double_eq(cfg->max_total_log_size_mb, 512);
	ck_assert(!cfg->audit_enabled);
	ck_assert(!cfg->collect_on_shutdown);
	ck_assert_uint_eq(cfg->n_files, 1);
	ck_assert_str_eq(cfg->files[0], SHIPPED);

	ck_assert_ptr_eq(config_anomaly(cfg, "error"), err);
	ck_assert_ptr_null(config_anomaly(cfg, "nope"));
	ck_assert(config_has_action(cfg, "tcpdump"));
	ck_assert(!config_has_action(cfg, "ls"));
	config_free(cfg);
}
END_TEST

/* Keys the shipped file leaves out get the documented defaults. */
START_TEST(shipped_defaults)
{
	struct aod_config *cfg;

	ck_assert_int_eq(config_load(SHIPPED, NULL, &cfg, NULL), 0);
	ck_assert_uint_eq(cfg->ring_capacity_events, 65536);
	ck_assert_uint_eq(cfg->shutdown_timeout_sec, 10);
	ck_assert_str_eq(cfg->control_socket, "/run/aodv2/aodv2.sock");
	ck_assert_str_eq(cfg->service_user, "aodv2");
	ck_assert_uint_eq(cfg->compression_level, 3);
	ck_assert_uint_eq(cfg->journal_minutes, 5);
	ck_assert_uint_eq(cfg->tcpdump_duration_sec, 5);
	ck_assert_uint_eq(cfg->tcpdump_max_mb, 50);
	config_free(cfg);
}
END_TEST

/* The shipped example drop-in is all comments: same config, one more file. */
START_TEST(shipped_with_dropins)
{
	struct aod_config *a, *b;
	struct config_errors errs = { 0 };

	ck_assert_int_eq(config_load(SHIPPED, NULL, &a, NULL), 0);
	ck_assert_msg(config_load(SHIPPED, SHIPPED_DIR, &b, &errs) == 0, "%s",
		      cfgtest_errors_str(&errs));
	ck_assert(config_equal(a, b));
	ck_assert_uint_eq(b->n_files, 2);
	ck_assert_str_eq(b->files[1], SHIPPED_DIR "/10-example.yaml");
	config_free(a);
	config_free(b);
}
END_TEST

START_TEST(empty_config_is_all_defaults)
{
	static const char *const texts[] = { "", "# only a comment\n", "{}\n", "---\n",
					     "guardian:\n", "guardian:\n  anomalies:\n" };

	for (unsigned i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct aod_config *cfg = load_ok(texts[i]);

		ck_assert_double_eq(cfg->watch_interval_sec, 1.0);
		ck_assert_str_eq(cfg->output_dir, "/var/log/aodv2");
		ck_assert_uint_eq(cfg->n_anomalies, 0);
		ck_assert_uint_eq(cfg->n_actions, 9); /* every known QuickAction */
		for (unsigned j = 0; j < cfg->n_actions; j++)
			ck_assert_str_eq(cfg->actions[j], config_action_name_at(j));
		ck_assert_uint_eq(cfg->max_concurrent_tasks, 4);
		config_free(cfg);
	}
}
END_TEST

/* A config silent about it gets every part of the flight recorder armed,
 * with its default bounds; each switch turns one part off. */
START_TEST(flight_recorder_armed_by_default)
{
	struct aod_config *cfg = load_ok("");
	const struct aod_recorder_cfg *r = &cfg->recorder;

	ck_assert(config_recorder_armed(cfg));
	ck_assert(r->events && r->snapshots && r->cifs_trace && r->packets);
	ck_assert_uint_eq(r->pre_sec, 10);
	ck_assert_uint_eq(r->post_sec, 2);
	ck_assert_uint_eq(r->cifs_trace_buffer_kb, 1024);
	ck_assert_uint_eq(r->n_cifs_trace_events, 1);
	ck_assert_str_eq(r->cifs_trace_events[0], "*");
	ck_assert_str_eq(r->packet_filter, "port 445");
	ck_assert_uint_eq(r->packet_snaplen, 512);
	ck_assert_uint_eq(r->packet_file_mb, 4);
	ck_assert_uint_eq(r->packet_files, 4);
	ck_assert_uint_eq(config_recorder_ring_bytes(cfg), 4 * (4000000ull + 512 + 16));
	config_free(cfg);

	cfg = load_ok("watcher:\n  flight_recorder:\n    packets: false\n    cifs_trace: off\n"
		      "    cifs_trace_events: [\"smb3_cmd_*\", smb3_reconnect]\n"
		      "    packet_filter: \"host 10.0.0.5 and port 445\"\n    pre_sec: 30\n");
	r = &cfg->recorder;
	ck_assert(!r->packets && !r->cifs_trace && r->events && r->snapshots);
	ck_assert_uint_eq(config_recorder_ring_bytes(cfg), 0);
	ck_assert_uint_eq(r->n_cifs_trace_events, 2);
	ck_assert_str_eq(r->cifs_trace_events[0], "smb3_cmd_*");
	ck_assert_str_eq(r->cifs_trace_events[1], "smb3_reconnect");
	ck_assert_str_eq(r->packet_filter, "host 10.0.0.5 and port 445");
	ck_assert_uint_eq(r->pre_sec, 30);
	config_free(cfg);

	cfg = load_ok("watcher:\n  flight_recorder: {events: no, snapshots: no, cifs_trace: no, "
		      "packets: no}\n");
	ck_assert(!config_recorder_armed(cfg));
	config_free(cfg);
}
END_TEST

START_TEST(empty_value_means_not_set)
{
	struct aod_config *cfg = load_ok("watch_interval_sec:\nwatcher:\n  actions:\n"
					 "  compression_level:\n");

	ck_assert_double_eq(cfg->watch_interval_sec, 1.0);
	ck_assert_uint_eq(cfg->n_actions, 9);
	ck_assert_uint_eq(cfg->compression_level, 3);
	config_free(cfg);
}
END_TEST

START_TEST(numbers_and_booleans)
{
	static const struct {
		const char *text;
		bool value;
	} bools[] = { { "true", true }, { "yes", true }, { "On", true }, { "TRUE", true },
		      { "false", false }, { "no", false }, { "OFF", false } };
	struct aod_config *cfg;
	char yaml[128];

	for (unsigned i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		snprintf(yaml, sizeof(yaml), "audit:\n  enabled: %s\n", bools[i].text);
		cfg = load_ok(yaml);
		ck_assert_msg(cfg->audit_enabled == bools[i].value, "%s", bools[i].text);
		config_free(cfg);
		snprintf(yaml, sizeof(yaml), "collect_on_shutdown: %s\n", bools[i].text);
		cfg = load_ok(yaml);
		ck_assert_msg(cfg->collect_on_shutdown == bools[i].value, "%s", bools[i].text);
		config_free(cfg);
	}
}
END_TEST

START_TEST(fractions_and_quoted_numbers)
{
	struct aod_config *cfg = load_ok("watch_interval_sec: 0.05\ncleanup:\n"
					 "  max_total_log_size_mb: 0.5\n  max_log_age_days: 1.5e-1\n"
					 "watcher:\n  max_concurrent_tasks: \"16\"\n"
					 "ring_capacity_events: 1000\n");

	ck_assert_double_eq(cfg->watch_interval_sec, 0.05);
	ck_assert_double_eq(cfg->max_total_log_size_mb, 0.5);
	ck_assert_double_eq(cfg->max_log_age_days, 0.15);
	ck_assert_uint_eq(cfg->max_concurrent_tasks, 16);
	ck_assert_uint_eq(cfg->ring_capacity_events, 1000);
	config_free(cfg);
}
END_TEST

/* tool follows type; Latency-only settings are not defaulted on Error. */
START_TEST(anomaly_defaults)
{
	struct aod_config *cfg = load_ok("guardian:\n  anomalies:\n"
					 "    slow:\n      type: Latency\n"
					 "    fail:\n      type: Error\n"
					 "      mode: excludeonly\n      track_codes: [EWOULDBLOCK]\n");
	const struct aod_anomaly_cfg *slow = config_anomaly(cfg, "slow");
	const struct aod_anomaly_cfg *fail = config_anomaly(cfg, "fail");

	ck_assert_ptr_nonnull(slow);
	ck_assert_int_eq(slow->tool, AOD_TOOL_SMBSLOWER);
	ck_assert_int_eq(slow->mode, AOD_MODE_ALL);
	ck_assert_uint_eq(slow->acceptable_count, 10);
	ck_assert_uint_eq(slow->default_threshold_ms, 20);
	ck_assert_uint_eq(slow->emergency_threshold_ms, 1000);
	ck_assert_uint_eq(slow->cooldown_sec, 60);
	ck_assert_uint_eq(slow->n_actions, 0);
	ck_assert_ptr_nonnull(fail);
	ck_assert_int_eq(fail->tool, AOD_TOOL_SMBIOSNOOP);
	ck_assert_int_eq(fail->mode, AOD_MODE_EXCLUDEONLY);
	ck_assert_uint_eq(fail->default_threshold_ms, 0);
	ck_assert_uint_eq(fail->emergency_threshold_ms, 0);
	ck_assert_uint_eq(fail->n_track_codes, 1);
	ck_assert_int_eq(fail->track_codes[0], EAGAIN); /* an alias, stored as the number */
	config_free(cfg);
}
END_TEST

START_TEST(missing_base_file)
{
	struct config_errors errs = { 0 };
	struct aod_config *cfg = (void *)1;

	ck_assert_int_eq(config_load("/nonexistent/aodv2.yaml", NULL, &cfg, &errs), -ENOENT);
	ck_assert_ptr_null(cfg);
	ck_assert_msg(cfgtest_has_error(&errs, "/nonexistent/aodv2.yaml: ", "No such file"), "%s",
		      cfgtest_errors_str(&errs));
	config_errors_free(&errs);
}
END_TEST

START_TEST(base_is_a_directory)
{
	struct config_errors errs = { 0 };
	struct aod_config *cfg;
	char *dir = cfgtest_mkdtemp();

	ck_assert_int_lt(config_load(dir, NULL, &cfg, &errs), 0);
	ck_assert(cfgtest_has_error(&errs, dir, "not a regular file"));
	config_errors_free(&errs);
	cfgtest_rmtree(dir);
	free(dir);
}
END_TEST

/* Callers may pass errs that already hold lines: they are kept. */
START_TEST(errors_are_appended)
{
	struct config_errors errs = { 0 };
	struct aod_config *cfg;

	ck_assert_int_eq(cfgtest_load("bogus: 1\n", &cfg, &errs), -EINVAL);
	ck_assert_int_eq(cfgtest_load("bogus2: 1\n", &cfg, &errs), -EINVAL);
	ck_assert_uint_eq(errs.n, 2);
	ck_assert(strstr(errs.lines[0], "'bogus'"));
	ck_assert(strstr(errs.lines[1], "'bogus2'"));
	config_errors_free(&errs);
	ck_assert_uint_eq(errs.n, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config_load");
	TCase *tc = tcase_create("load");

	tcase_add_test(tc, shipped_values);
	tcase_add_test(tc, shipped_defaults);
	tcase_add_test(tc, shipped_with_dropins);
	tcase_add_test(tc, empty_config_is_all_defaults);
	tcase_add_test(tc, empty_value_means_not_set);
	tcase_add_test(tc, numbers_and_booleans);
	tcase_add_test(tc, fractions_and_quoted_numbers);
	tcase_add_test(tc, anomaly_defaults);
	tcase_add_test(tc, missing_base_file);
	tcase_add_test(tc, base_is_a_directory);
	tcase_add_test(tc, errors_are_appended);
	tcase_add_test(tc, flight_recorder_armed_by_default);
	suite_add_tcase(s, tc);
	return cfgtest_run(s);
}
