// SPDX-License-Identifier: GPL-2.0-only
/*
 * Drop-in merging: files in strcmp order, later wins for scalars, anomalies
 * merge by name, a list given replaces the list, empty fragments and a
 * missing directory change nothing, other names are ignored, and errors name
 * the file (and line) they are in.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfgtest.h"
#include "smb_tables.h"

static const char base_yaml[] =
	"watch_interval_sec: 1\n"                       /* 1 */
	"guardian:\n"                                   /* 2 */
	"  anomalies:\n"                                /* 3 */
	"    latency:\n"                                /* 4 */
	"      type: Latency\n"                         /* 5 */
	"      acceptable_count: 10\n"                  /* 6 */
	"      default_threshold_ms: 20\n"              /* 7 */
	"      track_commands:\n"                       /* 8 */
	"        - command: SMB2_WRITE\n"               /* 9 */
	"          threshold: 50\n"                     /* 10 */
	"      actions: [dmesg, stats]\n"               /* 11 */
	"    error:\n"                                  /* 12 */
	"      type: Error\n"                           /* 13 */
	"      mode: trackonly\n"                       /* 14 */
	"      track_codes: [EIO]\n"                    /* 15 */
	"      actions: [dmesg]\n"                      /* 16 */
	"watcher:\n"                                    /* 17 */
	"  actions: [tcpdump, dmesg, stats]\n"          /* 18 */
	"  max_concurrent_tasks: 4\n";                  /* 19 */

struct fixture {
	char *dir;    /* holds base.yaml and d/ */
	char *base;
	char *dropins;
};

static struct fixture fx;

static void setup(void)
{
	fx.dir = cfgtest_mkdtemp();
	fx.base = cfgtest_write(fx.dir, "base.yaml", base_yaml);
	ck_assert_int_ge(asprintf(&fx.dropins, "%s/d", fx.dir), 0);
	ck_assert_int_eq(mkdir(fx.dropins, 0700), 0);
}

static void teardown(void)
{
	cfgtest_rmtree(fx.dir);
	free(fx.dir);
	free(fx.base);
	free(fx.dropins);
}

static void dropin(const char *name, const char *text)
{
	free(cfgtest_write(fx.dropins, name, text));
}

static struct aod_config *load_ok(void)
{
	struct config_errors errs = { 0 };
	struct aod_config *cfg = NULL;
	int rc = config_load(fx.base, fx.dropins, &cfg, &errs);

	ck_assert_msg(rc == 0, "load failed (%d):%s", rc, cfgtest_errors_str(&errs));
	config_errors_free(&errs);
	return cfg;
}

static struct config_errors load_bad(void)
{
	struct config_errors errs = { 0 };
	struct aod_config *cfg = NULL;

	ck_assert_int_eq(config_load(fx.base, fx.dropins, &cfg, &errs), -EINVAL);
	ck_assert_ptr_null(cfg);
	return errs;
}

START_TEST(later_file_wins_in_strcmp_order)
{
	struct aod_config *cfg;

	/* created out of order; "10-" sorts before "9-" (strcmp, not numeric) */
	dropin("9-last.yaml", "watcher:\n  max_concurrent_tasks: 9\n");
	dropin("10-first.yaml", "watcher:\n  max_concurrent_tasks: 10\n  action_timeout_sec: 99\n");
	dropin("50-middle.yaml", "watcher:\n  max_concurrent_tasks: 50\nwatch_interval_sec: 0.5\n");
	cfg = load_ok();
	ck_assert_uint_eq(cfg->max_concurrent_tasks, 9);
	ck_assert_uint_eq(cfg->action_timeout_sec, 99); /* set once, kept */
	ck_assert_double_eq(cfg->watch_interval_sec, 0.5);
	ck_assert_uint_eq(cfg->n_files, 4);
	ck_assert_str_eq(cfg->files[0], fx.base);
	ck_assert(strstr(cfg->files[1], "/10-first.yaml"));
	ck_assert(strstr(cfg->files[2], "/50-middle.yaml"));
	ck_assert(strstr(cfg->files[3], "/9-last.yaml"));
	config_free(cfg);
}
END_TEST

START_TEST(anomaly_merged_by_name)
{
	struct aod_config *cfg;
	const struct aod_anomaly_cfg *lat;

	dropin("10.yaml", "guardian:\n  anomalies:\n    latency:\n      acceptable_count: 5\n"
			  "    fresh:\n      type: Error\n");
	cfg = load_ok();
	ck_assert_uint_eq(cfg->n_anomalies, 3);
	ck_assert_str_eq(cfg->anomalies[0].name, "latency"); /* order of first appearance */
	ck_assert_str_eq(cfg->anomalies[1].name, "error");
	ck_assert_str_eq(cfg->anomalies[2].name, "fresh");
	lat = &cfg->anomalies[0];
	ck_assert_uint_eq(lat->acceptable_count, 5);
	ck_assert_int_eq(lat->type, AOD_TYPE_LATENCY);     /* the rest is the base's */
	ck_assert_uint_eq(lat->default_threshold_ms, 20);
	ck_assert_uint_eq(lat->n_track_commands, 1);
	ck_assert_uint_eq(lat->track_commands[0].threshold_ms, 50);
	ck_assert_uint_eq(lat->n_actions, 2);
	config_free(cfg);
}
END_TEST

/* The recorder's event list is replaced by a fragment that gives one, its
 * scalars merge one by one. */
START_TEST(recorder_merges_per_key)
{
	dropin("10.yaml", "watcher:\n  flight_recorder:\n    cifs_trace_events: [smb3_cmd_done, "
			  "smb3_reconnect]\n    pre_sec: 20\n");
	dropin("20.yaml", "watcher:\n  flight_recorder:\n    cifs_trace_events: [\"smb3_*_err\"]\n"
			  "    packets: false\n");
	struct aod_config *cfg = load_ok();
	ck_assert_uint_eq(cfg->recorder.n_cifs_trace_events, 1);
	ck_assert_str_eq(cfg->recorder.cifs_trace_events[0], "smb3_*_err");
	ck_assert_uint_eq(cfg->recorder.pre_sec, 20);
	ck_assert(!cfg->recorder.packets);
	ck_assert(cfg->recorder.cifs_trace);
	config_free(cfg);
}
END_TEST

START_TEST(list_replaces_list)
{
	struct aod_config *cfg;
	const struct aod_anomaly_cfg *lat, *err;

	dropin("10.yaml", "guardian:\n  anomalies:\n    latency:\n      track_commands:\n"
			  "        - command: SMB2_READ\n          threshold: 100\n"
			  "        - command: SMB2_CREATE\n"
			  "    error:\n      track_codes: [EACCES, ETIMEDOUT]\n      actions: []\n"
			  "watcher:\n  actions: [dmesg, stats, mounts]\n");
	cfg = load_ok();
	lat = config_anomaly(cfg, "latency");
	ck_assert_uint_eq(lat->n_track_commands, 2);
	ck_assert_int_eq(lat->track_commands[0].command, smb2_command_from_name("SMB2_READ"));
	ck_assert_uint_eq(lat->track_commands[0].threshold_ms, 100);
	ck_assert_int_eq(lat->track_commands[1].command, smb2_command_from_name("SMB2_CREATE"));
	ck_assert_uint_eq(lat->track_commands[1].threshold_ms, 0);
	err = config_anomaly(cfg, "error");
	ck_assert_uint_eq(err->n_track_codes, 2);
	ck_assert_int_eq(err->track_codes[0], EACCES);
	ck_assert_int_eq(err->track_codes[1], ETIMEDOUT);
	ck_assert_uint_eq(err->n_actions, 0); /* an empty list given replaces too */
	ck_assert_uint_eq(cfg->n_actions, 3);
	ck_assert(!config_has_action(cfg, "tcpdump"));
	ck_assert(config_has_action(cfg, "mounts"));
	config_free(cfg);
}
END_TEST

START_TEST(empty_dropins_change_nothing)
{
	struct aod_config *plain, *cfg;

	ck_assert_int_eq(config_load(fx.base, NULL, &plain, NULL), 0);
	dropin("10-empty.yaml", "");
	dropin("20-comments.yaml", "# nothing here\n# guardian:\n#   anomalies: {}\n");
	dropin("30-empty-sections.yaml", "watcher:\nguardian:\n  anomalies:\n    latency:\n");
	dropin("40-doc-marker.yaml", "---\n");
	cfg = load_ok();
	ck_assert(config_equal(plain, cfg));
	ck_assert_uint_eq(cfg->n_files, 5);
	config_free(plain);
	config_free(cfg);
}
END_TEST

START_TEST(missing_dir_is_fine)
{
	struct config_errors errs = { 0 };
	struct aod_config *cfg;
	char *missing;

	ck_assert_int_ge(asprintf(&missing, "%s/nope", fx.dir), 0);
	ck_assert_int_eq(config_load(fx.base, missing, &cfg, &errs), 0);
	ck_assert_uint_eq(errs.n, 0);
	ck_assert_uint_eq(cfg->n_files, 1);
	config_free(cfg);
	free(missing);
}
END_TEST

START_TEST(dir_that_is_a_file)
{
	struct config_errors errs = { 0 };
	struct aod_config *cfg;

	ck_assert_int_eq(config_load(fx.base, fx.base, &cfg, &errs), -ENOTDIR);
	ck_assert_msg(cfgtest_has_error(&errs, fx.base, "drop-in directory"), "%s",
		      cfgtest_errors_str(&errs));
	config_errors_free(&errs);
}
END_TEST

START_TEST(other_names_ignored)
{
	struct aod_config *cfg;

	/* each would fail to load if it were read */
	dropin("10.yml", "bogus: 1\n");
	dropin("20.yaml.bak", "bogus: 1\n");
	dropin("20.yaml~", "bogus: 1\n");
	dropin(".30-hidden.yaml", "bogus: 1\n");
	dropin("README", "bogus: 1\n");
	dropin("40.YAML", "bogus: 1\n");
	dropin(".yaml", "bogus: 1\n");
	dropin("50-real.yaml", "watcher:\n  journal_minutes: 7\n");
	cfg = load_ok();
	ck_assert_uint_eq(cfg->journal_minutes, 7);
	ck_assert_uint_eq(cfg->n_files, 2);
	config_free(cfg);
}
END_TEST

/* Each file's errors name that file and its own line numbers, and errors in
 * several files are all reported, in load order. */
START_TEST(errors_name_their_file)
{
	struct config_errors errs;
	char prefix[512];

	dropin("20-b.yaml", "\nwatcher:\n  max_concurrent_tasks: 0x4\n");
	dropin("10-a.yaml", "watcher:\n  max_concurent_tasks: 4\n");
	errs = load_bad();
	ck_assert_msg(errs.n == 2, "%s", cfgtest_errors_str(&errs));
	snprintf(prefix, sizeof(prefix), "%s/10-a.yaml:2: ", fx.dropins);
	ck_assert_msg(strncmp(errs.lines[0], prefix, strlen(prefix)) == 0, "%s", errs.lines[0]);
	ck_assert(strstr(errs.lines[0], "unknown key 'max_concurent_tasks'"));
	snprintf(prefix, sizeof(prefix), "%s/20-b.yaml:3: ", fx.dropins);
	ck_assert_msg(strncmp(errs.lines[1], prefix, strlen(prefix)) == 0, "%s", errs.lines[1]);
	ck_assert(strstr(errs.lines[1], "'0x4' is not a whole number"));
	config_errors_free(&errs);
}
END_TEST

/* A bad value is reported even when a later file overrides it. */
START_TEST(overridden_bad_value_still_reported)
{
	struct config_errors errs;
	char prefix[512];

	dropin("10.yaml", "watcher:\n  compression_level: 10abc\n");
	dropin("20.yaml", "watcher:\n  compression_level: 5\n");
	errs = load_bad();
	snprintf(prefix, sizeof(prefix), "%s/10.yaml:2: ", fx.dropins);
	ck_assert_msg(cfgtest_has_error(&errs, prefix, "'10abc'"), "%s", cfgtest_errors_str(&errs));
	config_errors_free(&errs);
}
END_TEST

/* Checks across files point at the file that wrote the offending value. */
START_TEST(cross_file_errors_point_at_the_value)
{
	struct config_errors errs;
	char prefix[512];

	/* base's latency.actions has stats (line 11); the drop-in drops it from
	 * watcher.actions; the same drop-in turns latency into an Error anomaly
	 * while base gave it track_commands (line 8) */
	dropin("10.yaml", "watcher:\n  actions: [tcpdump, dmesg]\n"
			  "guardian:\n  anomalies:\n    latency:\n      type: Error\n");
	errs = load_bad();
	snprintf(prefix, sizeof(prefix), "%s:11: ", fx.base);
	ck_assert_msg(cfgtest_has_error(&errs, prefix, "action stats is not in watcher.actions"),
		      "%s", cfgtest_errors_str(&errs));
	snprintf(prefix, sizeof(prefix), "%s:8: ", fx.base);
	ck_assert_msg(cfgtest_has_error(&errs, prefix, "only Latency anomalies take track_commands"),
		      "%s", cfgtest_errors_str(&errs));
	snprintf(prefix, sizeof(prefix), "%s:7: ", fx.base);
	ck_assert(cfgtest_has_error(&errs, prefix, "default_threshold_ms"));
	config_errors_free(&errs);
}
END_TEST

/* A new anomaly without a type, declared in a drop-in: that file is named. */
START_TEST(missing_type_names_the_declaring_file)
{
	struct config_errors errs;
	char prefix[512];

	dropin("10.yaml", "# new anomaly\nguardian:\n  anomalies:\n    writes:\n      mode: all\n");
	errs = load_bad();
	snprintf(prefix, sizeof(prefix), "%s/10.yaml:4: ", fx.dropins);
	ck_assert_msg(cfgtest_has_error(&errs, prefix, "needs a type"), "%s",
		      cfgtest_errors_str(&errs));
	config_errors_free(&errs);
}
END_TEST

START_TEST(unreadable_dropin)
{
	struct config_errors errs = { 0 };
	struct aod_config *cfg;
	char *sub;

	ck_assert_int_ge(asprintf(&sub, "%s/20-dir.yaml", fx.dropins), 0);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	ck_assert_int_lt(config_load(fx.base, fx.dropins, &cfg, &errs), 0);
	ck_assert_msg(cfgtest_has_error(&errs, sub, "not a regular file"), "%s",
		      cfgtest_errors_str(&errs));
	config_errors_free(&errs);
	free(sub);
}
END_TEST

/* A drop-in that is a symlink is refused, never followed (root reads the
 * drop-ins): the errors name the link and quote nothing of its target. */
START_TEST(symlinked_dropin_refused_not_followed)
{
	struct config_errors errs = { 0 };
	struct aod_config *cfg;
	char *target = cfgtest_write(fx.dir, "secret.txt", "root-only-secret: [unclosed\n");
	char *link;

	ck_assert_int_ge(asprintf(&link, "%s/30-link.yaml", fx.dropins), 0);
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_lt(config_load(fx.base, fx.dropins, &cfg, &errs), 0);
	ck_assert_ptr_null(cfg);
	const char *all = cfgtest_errors_str(&errs);
	ck_assert_msg(cfgtest_has_error(&errs, link, "a symbolic link"), "%s", all);
	ck_assert_msg(!strstr(all, "root-only-secret") && !strstr(all, "secret.txt"), "%s", all);
	config_errors_free(&errs);
	free(link);
	free(target);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config_merge");
	TCase *tc = tcase_create("merge");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, later_file_wins_in_strcmp_order);
	tcase_add_test(tc, anomaly_merged_by_name);
	tcase_add_test(tc, list_replaces_list);
	tcase_add_test(tc, empty_dropins_change_nothing);
	tcase_add_test(tc, missing_dir_is_fine);
	tcase_add_test(tc, dir_that_is_a_file);
	tcase_add_test(tc, other_names_ignored);
	tcase_add_test(tc, errors_name_their_file);
	tcase_add_test(tc, overridden_bad_value_still_reported);
	tcase_add_test(tc, cross_file_errors_point_at_the_value);
	tcase_add_test(tc, missing_type_names_the_declaring_file);
	tcase_add_test(tc, unreadable_dropin);
	tcase_add_test(tc, symlinked_dropin_refused_not_followed);
	tcase_add_test(tc, recorder_merges_per_key);
	suite_add_tcase(s, tc);
	return cfgtest_run(s);
}
