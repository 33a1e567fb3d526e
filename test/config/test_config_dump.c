// SPDX-License-Identifier: GPL-2.0-only
/*
 * config_dump prints YAML that config_load_text reads back to an equal
 * config: the supervisor ships config to the workers this way.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aod_build.h"
#include "cfgtest.h"

static struct aod_config *reload(const char *text)
{
	struct config_errors errs = { 0 };
	struct aod_config *cfg = NULL;
	int rc = config_load_text(text, strlen(text), "dump", &cfg, &errs);

	ck_assert_msg(rc == 0, "dump does not load back (%d):%s\n%s", rc, cfgtest_errors_str(&errs),
		      text);
	config_errors_free(&errs);
	return cfg;
}

/* dump -> load is equal, and dumping again gives the same text. */
static void assert_round_trip(const struct aod_config *cfg)
{
	char *d1 = config_dump(cfg), *d2, *d3;
	struct aod_config *c2, *c3;

	ck_assert_ptr_nonnull(d1);
	c2 = reload(d1);
	ck_assert_msg(config_equal(cfg, c2), "round trip differs:\n%s", d1);
	d2 = config_dump(c2);
	c3 = reload(d2);
	d3 = config_dump(c3);
	ck_assert_str_eq(d2, d3);
	free(d1);
	free(d2);
	free(d3);
	config_free(c2);
	config_free(c3);
}

START_TEST(shipped_round_trip)
{
	struct aod_config *cfg;

	ck_assert_int_eq(config_load(AOD_SOURCE_ROOT "/etc/aodv2.yaml", AOD_SOURCE_ROOT "/etc/aodv2.d",
				     &cfg, NULL), 0);
	assert_round_trip(cfg);
	config_free(cfg);
}
END_TEST

/* Every setting away from its default, odd fractions, empty lists, every
 * mode, quoting-worthy strings. */
START_TEST(everything_round_trip)
{
	static const char yaml[] =
		"watch_interval_sec: 0.3\n"
		"aod_output_dir: \"/srv/aod \\\"x\\\" \\\\ y: #z\"\n"
		"ring_capacity_events: 4096\n"
		"shutdown_timeout_sec: 3\n"
		"control_socket: /tmp/a.sock\n"
		"service_user: _aod-svc\n"
		"collect_on_shutdown: yes\n"
		"guardian:\n"
		"  anomalies:\n"
		"    w.r-i_te:\n"
		"      type: Latency\n"
		"      mode: trackonly\n"
		"      acceptable_count: 0\n"
		"      default_threshold_ms: 7\n"
		"      emergency_threshold_ms: 0\n"
		"      cooldown_sec: 0\n"
		"      scope: share\n"
		"      track_commands:\n"
		"        - command: SMB2_NEGOTIATE\n"
		"        - command: SMB2_OPLOCK_BREAK\n"
		"          threshold: 600000\n"
		"      actions: []\n"
		"    codes:\n"
		"      type: Error\n"
		"      tool: smbiosnoop\n"
		"      mode: excludeonly\n"
		"      scope: server\n"
		"      track_codes: [ERESTARTSYS, ENOTSUPP, EWOULDBLOCK, EHWPOISON]\n"
		"      actions: [mounts]\n"
		"    all-errors:\n"
		"      type: Error\n"
		"watcher:\n"
		"  actions: [mounts, syslogs]\n"
		"  max_concurrent_tasks: 64\n"
		"  action_timeout_sec: 3600\n"
		"  compression_level: 19\n"
		"  journal_minutes: 1440\n"
		"  tcpdump_duration_sec: 3600\n"
		"  tcpdump_max_mb: 1\n"
		"  flight_recorder:\n"
		"    pre_sec: 300\n"
		"    post_sec: 300\n"
		"    events: false\n"
		"    cifs_trace_buffer_kb: 262144\n"
		"    cifs_trace_events: [\"smb3_[a-c]*\", \"?\", smb3_reconnect]\n"
		"    packet_filter: \"tcp port 445 and (host \\\"a\\\" or net 10.0.0.0/8) \\\\ x\"\n"
		"    packet_snaplen: 65535\n"
		"    packet_file_mb: 256\n"
		"    packet_files: 64\n"
		"cleanup:\n"
		"  cleanup_interval_sec: 86400\n"
		"  max_log_age_days: 0.1\n"
		"  max_total_log_size_mb: 1048575.123456789\n"
		"audit:\n"
		"  enabled: on\n";
	struct aod_config *cfg = reload(yaml);

	ck_assert_str_eq(cfg->output_dir, "/srv/aod \"x\" \\ y: #z");
	ck_assert_uint_eq(cfg->n_anomalies, 3);
	ck_assert_int_eq(cfg->anomalies[0].scope, AOD_SCOPE_SHARE);
	ck_assert_int_eq(cfg->anomalies[1].scope, AOD_SCOPE_SERVER);
	ck_assert_int_eq(cfg->anomalies[2].scope, AOD_SCOPE_HOST);
	ck_assert(cfg->audit_enabled);
	ck_assert(cfg->collect_on_shutdown);
	ck_assert_str_eq(cfg->recorder.packet_filter,
			 "tcp port 445 and (host \"a\" or net 10.0.0.0/8) \\ x");
	ck_assert_uint_eq(cfg->recorder.n_cifs_trace_events, 3);
	ck_assert(!cfg->recorder.events && cfg->recorder.packets);
	assert_round_trip(cfg);
	config_free(cfg);
}
END_TEST

START_TEST(empty_lists_and_no_anomalies_round_trip)
{
	struct aod_config *cfg = reload("watcher:\n  actions: []\n");

	ck_assert_uint_eq(cfg->n_actions, 0);
	ck_assert_uint_eq(cfg->n_anomalies, 0);
	assert_round_trip(cfg);
	config_free(cfg);
}
END_TEST

/* Doubles survive exactly, and read well. */
START_TEST(numbers_print_short)
{
	struct aod_config *cfg = reload("watch_interval_sec: 0.05\n");
	char *d = config_dump(cfg);

	ck_assert_msg(strstr(d, "\nwatch_interval_sec: 0.05\n"), "%s", d);
	ck_assert(strstr(d, "\n  max_total_log_size_mb: 512\n"));
	ck_assert(strstr(d, "\nring_capacity_events: 65536\n"));
	free(d);
	config_free(cfg);
}
END_TEST

/* File names go into comments: a newline in one must not make YAML. */
START_TEST(file_names_stay_comments)
{
	struct aod_config *cfg = NULL, *back;
	struct config_errors errs = { 0 };
	char *d;

	ck_assert_int_eq(config_load_text("{}", 2, "evil\nwatch_interval_sec: 7", &cfg, &errs), 0);
	d = config_dump(cfg);
	back = reload(d);
	ck_assert_double_eq(back->watch_interval_sec, 1.0);
	free(d);
	config_free(back);
	config_free(cfg);
}
END_TEST

START_TEST(equal_sees_differences)
{
	struct aod_config *a = reload(""), *b = reload("");

	ck_assert(config_equal(a, b));
	b->compression_level = 4;
	ck_assert(!config_equal(a, b));
	b->compression_level = a->compression_level;
	ck_assert(config_equal(a, b));
	free(b->actions[7]);
	b->actions[7] = strdup("stats");
	ck_assert(!config_equal(a, b));
	config_free(a);
	config_free(b);
	a = reload("guardian:\n  anomalies:\n    x: {type: Error}\n");
	b = reload("guardian:\n  anomalies:\n    x: {type: Error, cooldown_sec: 61}\n");
	ck_assert(!config_equal(a, b));
	config_free(b);
	b = reload("guardian:\n  anomalies:\n    y: {type: Error}\n");
	ck_assert(!config_equal(a, b));
	config_free(a);
	config_free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config_dump");
	TCase *tc = tcase_create("dump");

	tcase_add_test(tc, shipped_round_trip);
	tcase_add_test(tc, everything_round_trip);
	tcase_add_test(tc, empty_lists_and_no_anomalies_round_trip);
	tcase_add_test(tc, numbers_print_short);
	tcase_add_test(tc, file_names_stay_comments);
	tcase_add_test(tc, equal_sees_differences);
	suite_add_tcase(s, tc);
	return cfgtest_run(s);
}
