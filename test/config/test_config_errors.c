// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every kind of bad config is refused with "file:line: reason", the line
 * being where the offending value (or key) is written; and every problem
 * is reported, not only the first.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfgtest.h"

struct bad_case {
	const char *what;
	const char *yaml;
	unsigned line; /* 0: the error has no line */
	const char *reason;
};

#define LAT "guardian:\n  anomalies:\n    lat:\n      type: Latency\n" /* lines 1-4 */
#define ERR "guardian:\n  anomalies:\n    err:\n      type: Error\n"   /* lines 1-4 */

static const struct bad_case cases[] = {
	{ "unknown top-level key", "watch_interval_sec: 1\nwatch_intervall_sec: 2\n", 2,
	  "unknown key 'watch_intervall_sec' in the top level" },
	{ "unknown key in a section", "watcher:\n  max_tasks: 3\n", 2,
	  "unknown key 'max_tasks' in watcher" },
	{ "unknown key in an anomaly", LAT "      treshold: 5\n", 5,
	  "unknown key 'treshold' in guardian.anomalies.lat" },
	{ "unknown key in a track command", LAT "      track_commands:\n        - command: SMB2_READ\n"
	  "          thresold: 9\n", 7, "unknown key 'thresold' in guardian.anomalies.lat.track_commands[0]" },
	{ "unknown key in guardian", "guardian:\n  anomaly: {}\n", 2,
	  "unknown key 'anomaly' in guardian" },
	{ "section given as a value", "watcher: 5\n", 1, "watcher: expected a mapping, got a single value" },
	{ "list given as a value", "watcher:\n  actions: tcpdump\n", 2,
	  "watcher.actions: expected a list, got a single value" },
	{ "value given as a list", "watcher:\n  compression_level: [1]\n", 2,
	  "watcher.compression_level: expected a single value, got a list" },
	{ "anomaly not a mapping", "guardian:\n  anomalies:\n    lat: 5\n", 3,
	  "guardian.anomalies.lat: expected a mapping" },
	{ "list item of the wrong kind", "watcher:\n  actions:\n    - dmesg\n    - [x]\n", 4,
	  "watcher.actions[1]: expected a single value, got a list" },
	{ "interval too small", "watch_interval_sec: 0.01\n", 1, "'0.01' is out of range (0.05..3600)" },
	{ "interval too large", "\nwatch_interval_sec: 3601\n", 2, "out of range (0.05..3600)" },
	{ "tasks zero", "watcher:\n  max_concurrent_tasks: 0\n", 2, "out of range (1..64)" },
	{ "tasks too many", "watcher:\n  max_concurrent_tasks: 65\n", 2, "'65' is out of range (1..64)" },
	{ "compression too high", "watcher:\n  compression_level: 20\n", 2, "out of range (1..19)" },
	{ "ring too small", "ring_capacity_events: 8\n", 1, "out of range (64..16777216)" },
	{ "u32 overflow", "shutdown_timeout_sec: 99999999999999999999999\n", 1, "out of range" },
	{ "integer junk", "watcher:\n  max_concurrent_tasks: 10abc\n", 2,
	  "'10abc' is not a whole number" },
	{ "octal surprise", "watcher:\n\n  action_timeout_sec: 080\n", 3, "'080' has a leading 0" },
	{ "hex", "watcher:\n  journal_minutes: 0x10\n", 2, "'0x10' is not a whole number" },
	{ "negative", "cleanup:\n  cleanup_interval_sec: -1\n", 2, "'-1' is not a whole number" },
	{ "fraction for a count", "watcher:\n  tcpdump_max_mb: 1.5\n", 2, "'1.5' is not a whole number" },
	{ "number junk", "cleanup:\n  max_log_age_days: 2days\n", 2, "'2days' is not a number" },
	{ "nan", "watch_interval_sec: .nan\n", 1, "'.nan' is not a number" },
	{ "infinity", "cleanup:\n  max_total_log_size_mb: 1e999\n", 2, "out of range" },
	{ "boolean", "audit:\n  enabled: maybe\n", 2, "'maybe' is not a boolean" },
	{ "boolean number", "audit:\n  enabled: 1\n", 2, "'1' is not a boolean" },
	{ "relative output dir", "aod_output_dir: var/log\n", 1, "must be an absolute path" },
	{ "control character in path", "aod_output_dir: \"/var/\\x01log\"\n", 1,
	  "must not contain control characters" },
	{ "socket path too long",
	  "control_socket: /run/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\n",
	  1, "is too long" },
	{ "bad user name", "service_user: Root Admin\n", 1, "is not a valid user name" },
	{ "recorder pre_sec zero", "watcher:\n  flight_recorder:\n    pre_sec: 0\n", 3,
	  "watcher.flight_recorder.pre_sec: '0' is out of range (1..300)" },
	{ "recorder unknown key", "watcher:\n  flight_recorder:\n    pcap: true\n", 3,
	  "pcap" },
	{ "recorder switch", "watcher:\n  flight_recorder:\n    packets: maybe\n", 3,
	  "'maybe' is not a boolean" },
	{ "recorder glob", "watcher:\n  flight_recorder:\n    cifs_trace_events: [\"smb3/x\"]\n", 3,
	  "watcher.flight_recorder.cifs_trace_events[0]: 'smb3/x' is not a cifs event name or glob" },
	{ "recorder glob twice", "watcher:\n  flight_recorder:\n    cifs_trace_events: [a, a]\n", 3,
	  "cifs_trace_events[1]: 'a' is listed twice" },
	{ "recorder no events", "watcher:\n  flight_recorder:\n    cifs_trace_events: []\n", 3,
	  "is empty while cifs_trace is on" },
	{ "recorder filter option", "watcher:\n  flight_recorder:\n    packet_filter: \"-w /etc/x\"\n",
	  3, "must not start with '-'" },
	{ "recorder filter control", "watcher:\n  flight_recorder:\n    packet_filter: \"port\\n445\"\n",
	  3, "must be printable ASCII" },
	{ "recorder snaplen", "watcher:\n  flight_recorder:\n    packet_snaplen: 10\n", 3,
	  "out of range (64..65535)" },
	{ "recorder ring files", "watcher:\n  flight_recorder:\n    packet_files: 1\n", 3,
	  "out of range (2..64)" },
	{ "recorder post_sec over the timeout",
	  "watcher:\n  action_timeout_sec: 5\n  flight_recorder:\n    post_sec: 5\n", 4,
	  "5 s must be shorter than watcher.action_timeout_sec (5 s)" },
	{ "unknown type", "guardian:\n  anomalies:\n    lat:\n      type: Latancy\n", 4,
	  "'Latancy' is not Latency or Error" },
	{ "unknown tool", LAT "      tool: smbsnoop\n", 5, "'smbsnoop' is not smbslower or smbiosnoop" },
	{ "unknown mode", LAT "      mode: some\n", 5, "'some' is not all, trackonly or excludeonly" },
	{ "unknown scope", LAT "      scope: mount\n", 5, "'mount' is not host, server or share" },
	{ "unknown SMB2 command", LAT "      track_commands:\n        - command: SMB2_WRIT\n", 6,
	  "track_commands[0].command: 'SMB2_WRIT' is not an SMB2 command" },
	{ "lower-case SMB2 command", LAT "      track_commands:\n        - command: smb2_write\n", 6,
	  "'smb2_write' is not an SMB2 command" },
	{ "track command without command", LAT "      track_commands:\n        - threshold: 30\n", 6,
	  "track_commands[0]: needs a command" },
	{ "threshold zero", LAT "      track_commands:\n        - command: SMB2_READ\n"
	  "          threshold: 0\n", 7, "threshold: '0' is out of range (1..600000)" },
	{ "unknown errno", ERR "      mode: trackonly\n      track_codes:\n        - EIO\n        - EFOO\n",
	  8, "track_codes[1]: 'EFOO' is not an errno name" },
	{ "unknown QuickAction in watcher", "watcher:\n  actions: [dmesg, tcpdumb]\n", 2,
	  "watcher.actions[1]: 'tcpdumb' is not a QuickAction" },
	{ "unknown QuickAction in an anomaly", LAT "      actions:\n        - dmseg\n", 6,
	  "guardian.anomalies.lat.actions[0]: 'dmseg' is not a QuickAction" },
	{ "action not in watcher.actions", "watcher:\n  actions: [dmesg]\n" LAT
	  "      actions: [dmesg, stats]\n", 7,
	  "guardian.anomalies.lat.actions[1]: action stats is not in watcher.actions" },
	{ "duplicate action", "watcher:\n  actions: [dmesg, stats, dmesg]\n", 2,
	  "watcher.actions[2]: 'dmesg' is listed twice" },
	{ "duplicate command", LAT "      track_commands:\n        - command: SMB2_READ\n"
	  "        - command: SMB2_READ\n", 7, "track_commands[1].command: 'SMB2_READ' is listed twice" },
	{ "duplicate errno through an alias", ERR "      mode: trackonly\n"
	  "      track_codes: [EAGAIN, EWOULDBLOCK]\n", 6, "'EWOULDBLOCK' is listed twice" },
	{ "track_commands on Error", ERR "      track_commands:\n        - command: SMB2_READ\n", 5,
	  "guardian.anomalies.err.track_commands: only Latency anomalies take track_commands" },
	{ "default_threshold_ms on Error", ERR "      default_threshold_ms: 10\n", 5,
	  "only Latency anomalies take default_threshold_ms" },
	{ "emergency_threshold_ms on Error", ERR "      emergency_threshold_ms: 10\n", 5,
	  "only Latency anomalies take emergency_threshold_ms" },
	{ "track_codes on Latency", LAT "      track_codes: [EIO]\n", 5,
	  "guardian.anomalies.lat.track_codes: only Error anomalies take track_codes" },
	{ "smbiosnoop with Latency", LAT "      tool: smbiosnoop\n", 5,
	  "guardian.anomalies.lat.tool: tool smbiosnoop does not report Latency anomalies" },
	{ "smbslower with Error", ERR "      tool: smbslower\n", 5,
	  "tool smbslower does not report Error anomalies" },
	{ "missing type", "guardian:\n  anomalies:\n    lat:\n      tool: smbslower\n", 3,
	  "guardian.anomalies.lat: anomaly lat needs a type" },
	{ "empty anomaly", "guardian:\n  anomalies:\n\n    lat:\n", 4, "anomaly lat needs a type" },
	{ "trackonly without a list", LAT "      mode: trackonly\n", 5,
	  "mode trackonly needs a non-empty track_commands" },
	{ "excludeonly with an empty list", ERR "      mode: excludeonly\n      track_codes: []\n", 5,
	  "mode excludeonly needs a non-empty track_codes" },
	{ "Error in mode all with codes", ERR "      track_codes: [EIO]\n", 5,
	  "track_codes would be ignored" },
	{ "excludeonly with a threshold", LAT "      mode: excludeonly\n      track_commands:\n"
	  "        - command: SMB2_READ\n          threshold: 40\n", 8,
	  "track_commands[0].threshold: mode excludeonly ignores" },
	{ "emergency below default", LAT "      default_threshold_ms: 100\n"
	  "      emergency_threshold_ms: 50\n", 6, "50 ms must be above default_threshold_ms (100 ms)" },
	{ "tcpdump longer than the action timeout", "watcher:\n  action_timeout_sec: 10\n"
	  "  tcpdump_duration_sec: 10\n", 3, "must be shorter than watcher.action_timeout_sec" },
	{ "bad anomaly name", "guardian:\n  anomalies:\n    \"two words\":\n      type: Error\n", 3,
	  "anomaly name 'two words' must be" },
	{ "anomaly name too long", "guardian:\n  anomalies:\n    "
	  "a234567890123456789012345678901234567890123456789012345678901234:\n      type: Error\n",
	  3, "anomaly name" },
	{ "duplicate key", "watcher:\n  journal_minutes: 5\n  journal_minutes: 6\n", 3,
	  "duplicate key 'journal_minutes' (first given on line 2)" },
	{ "duplicate anomaly in one file", LAT "    lat:\n      type: Error\n", 5, "duplicate key 'lat'" },
	{ "alias", "watcher:\n  action_timeout_sec: &t 30\n  journal_minutes: *t\n", 3,
	  "aliases" },
	{ "second document", "watch_interval_sec: 1\n---\nwatch_interval_sec: 2\n", 3,
	  "one YAML document" },
	{ "YAML syntax", "watcher:\n  actions: [dmesg\n", 3, "YAML syntax error" },
	{ "tab indentation", "watcher:\n\tjournal_minutes: 5\n", 2, "YAML syntax error" },
	{ "top level is a list", "- watch_interval_sec: 1\n", 1, "expected a mapping of keys at the top" },
	{ "top level is a scalar", "hello\n", 1, "expected a mapping of keys at the top" },
	{ "key that is a list", "[a]: 1\n", 1, "keys must be plain names" },
};

START_TEST(each_error_names_file_and_line)
{
	const struct bad_case *c = &cases[_i];
	struct config_errors errs = { 0 };
	struct aod_config *cfg = (void *)1;
	char prefix[32];
	int rc = cfgtest_load(c->yaml, &cfg, &errs);

	if (c->line)
		snprintf(prefix, sizeof(prefix), "t.yaml:%u: ", c->line);
	else
		snprintf(prefix, sizeof(prefix), "t.yaml: ");
	ck_assert_msg(rc == -EINVAL, "%s: rc %d", c->what, rc);
	ck_assert_msg(cfg == NULL, "%s: config returned on error", c->what);
	ck_assert_msg(cfgtest_has_error(&errs, prefix, c->reason), "%s: want \"%s...%s\", got:%s",
		      c->what, prefix, c->reason, cfgtest_errors_str(&errs));
	config_errors_free(&errs);
}
END_TEST

/* A single fragment with problems of every stage-one kind: each is listed,
 * in line order. */
START_TEST(all_errors_are_collected)
{
	static const char yaml[] =
		"watch_interval_sec: 0\n"              /* 1 */
		"bogus: 1\n"                           /* 2 */
		"guardian:\n"                          /* 3 */
		"  anomalies:\n"                       /* 4 */
		"    lat:\n"                           /* 5 */
		"      type: Latancy\n"                /* 6 */
		"      acceptable_count: 10abc\n"      /* 7 */
		"      extra: 1\n"                     /* 8 */
		"watcher:\n"                           /* 9 */
		"  max_concurrent_tasks: 65\n"         /* 10 */
		"  compression_level: [3]\n"           /* 11 */
		"  actions: [tcpdump, nope]\n"         /* 12 */
		"audit:\n"                             /* 13 */
		"  enabled: maybe\n";                  /* 14 */
	static const unsigned lines[] = { 1, 2, 6, 7, 8, 10, 11, 12, 14 };
	struct config_errors errs = { 0 };
	struct aod_config *cfg;
	char prefix[32];

	ck_assert_int_eq(cfgtest_load(yaml, &cfg, &errs), -EINVAL);
	ck_assert_msg(errs.n == sizeof(lines) / sizeof(lines[0]), "%s", cfgtest_errors_str(&errs));
	for (unsigned i = 0; i < errs.n; i++) {
		snprintf(prefix, sizeof(prefix), "t.yaml:%u: ", lines[i]);
		ck_assert_msg(strncmp(errs.lines[i], prefix, strlen(prefix)) == 0, "line %u: %s",
			      i, errs.lines[i]);
	}
	config_errors_free(&errs);
}
END_TEST

/* Checks on the merged result are all reported too. */
START_TEST(all_cross_errors_are_collected)
{
	static const char yaml[] =
		"watcher:\n"                           /* 1 */
		"  actions: [dmesg]\n"                 /* 2 */
		"guardian:\n"                          /* 3 */
		"  anomalies:\n"                       /* 4 */
		"    a:\n"                             /* 5 */
		"      tool: smbslower\n"              /* 6 */
		"    b:\n"                             /* 7 */
		"      type: Error\n"                  /* 8 */
		"      tool: smbslower\n"              /* 9 */
		"      actions: [stats]\n";            /* 10 */
	struct config_errors errs = { 0 };
	struct aod_config *cfg;

	ck_assert_int_eq(cfgtest_load(yaml, &cfg, &errs), -EINVAL);
	ck_assert_msg(errs.n == 3, "%s", cfgtest_errors_str(&errs));
	ck_assert(cfgtest_has_error(&errs, "t.yaml:5: ", "needs a type"));
	ck_assert(cfgtest_has_error(&errs, "t.yaml:9: ", "tool smbslower"));
	ck_assert(cfgtest_has_error(&errs, "t.yaml:10: ", "action stats is not in watcher.actions"));
	config_errors_free(&errs);
}
END_TEST

START_TEST(too_many_anomalies)
{
	char *yaml = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&yaml, &len);
	struct config_errors errs = { 0 };
	struct aod_config *cfg;

	fputs("guardian:\n  anomalies:\n", f);
	for (int i = 0; i < 33; i++)
		fprintf(f, "    a%d: {type: Error}\n", i);
	fclose(f);
	ck_assert_int_eq(cfgtest_load(yaml, &cfg, &errs), -EINVAL);
	ck_assert_msg(cfgtest_has_error(&errs, "t.yaml:35: ", "more than 32 anomalies"), "%s",
		      cfgtest_errors_str(&errs));
	config_errors_free(&errs);
	free(yaml);
}
END_TEST

/* The error list is bounded: a garbage file does not produce megabytes. */
START_TEST(error_count_is_bounded)
{
	char *yaml = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&yaml, &len);
	struct config_errors errs = { 0 };
	struct aod_config *cfg;

	for (int i = 0; i < 500; i++)
		fprintf(f, "bogus%d: 1\n", i);
	fclose(f);
	ck_assert_int_eq(cfgtest_load(yaml, &cfg, &errs), -EINVAL);
	ck_assert_uint_eq(errs.n, 101);
	ck_assert(strstr(errs.lines[100], "too many errors"));
	config_errors_free(&errs);
	free(yaml);
}
END_TEST

/* The bounds that keep loading linear: each is refused with file, line
 * and reason before anything is built (main took 5 s for a 1000-item list
 * of duplicates, 62 s under ASan, and 8 s for 80 KB of nesting). */
static char *repeat(const char *head, const char *unit, unsigned n, const char *tail)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	fputs(head, f);
	for (unsigned i = 0; i < n; i++)
		fputs(unit, f);
	fputs(tail, f);
	fclose(f);
	return text;
}

static void assert_refused(char *yaml, const char *prefix, const char *reason)
{
	struct config_errors errs = { 0 };
	struct aod_config *cfg;
	ck_assert_int_eq(cfgtest_load(yaml, &cfg, &errs), -EINVAL);
	ck_assert_msg(cfgtest_has_error(&errs, prefix, reason), "%s", cfgtest_errors_str(&errs));
	config_errors_free(&errs);
	free(yaml);
}

START_TEST(nesting_counts_and_lists_are_bounded)
{
	char *deep = repeat("x: ", "[", 40000, "");
	char *closing = repeat(deep, "]", 40000, "\n");
	free(deep);
	assert_refused(closing, "t.yaml:1: ", "nested deeper than 16 levels");
	assert_refused(repeat("watcher:\n  actions: [", "dmesg, ", 20001, "dmesg]\n"), "t.yaml:2: ",
		       "more than 20000 values");
	assert_refused(repeat(LAT "      track_commands:\n", "        - {command: SMB2_READ}\n", 1000, ""),
		       "t.yaml:6: ", "a list of 1000 items (at most 256)");
	/* just within the bounds: duplicates found one lookup each */
	assert_refused(repeat(LAT "      track_commands:\n", "        - {command: SMB2_READ}\n", 256, ""),
		       "t.yaml:7: ", "'SMB2_READ' is listed twice");
	assert_refused(repeat(ERR "      mode: trackonly\n      track_codes: [", "EIO, ", 255, "EIO]\n"),
		       "t.yaml:6: ", "'EIO' is listed twice");
}
END_TEST

START_TEST(dropins_are_bounded)
{
	char *dir = cfgtest_mkdtemp();
	char *base = cfgtest_write(dir, "base.yaml", "watch_interval_sec: 1\n");
	char sub[512];
	snprintf(sub, sizeof(sub), "%s/d", dir);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	for (int i = 0; i < 257; i++) {
		char name[32];
		snprintf(name, sizeof(name), "%03d.yaml", i);
		free(cfgtest_write(sub, name, ""));
	}
	struct config_errors errs = { 0 };
	struct aod_config *cfg;
	ck_assert_int_eq(config_load(base, sub, &cfg, &errs), -E2BIG);
	ck_assert_msg(cfgtest_has_error(&errs, sub, "more than 256 drop-ins"), "%s",
		      cfgtest_errors_str(&errs));
	config_errors_free(&errs);
	free(base);
	cfgtest_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(binary_input)
{
	static const char junk[] = "watcher:\n  actions: [\0\xff\xfe]\n";
	struct config_errors errs = { 0 };
	struct aod_config *cfg;

	ck_assert_int_eq(config_load_text(junk, sizeof(junk) - 1, "bin", &cfg, &errs), -EINVAL);
	ck_assert(cfgtest_has_error(&errs, "bin:", "YAML syntax error"));
	config_errors_free(&errs);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config_errors");
	TCase *tc = tcase_create("errors");

	tcase_add_loop_test(tc, each_error_names_file_and_line, 0,
			    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, all_errors_are_collected);
	tcase_add_test(tc, all_cross_errors_are_collected);
	tcase_add_test(tc, too_many_anomalies);
	tcase_add_test(tc, error_count_is_bounded);
	tcase_add_test(tc, binary_input);
	tcase_add_test(tc, nesting_counts_and_lists_are_bounded);
	tcase_add_test(tc, dropins_are_bounded);
	suite_add_tcase(s, tc);
	return cfgtest_run(s);
}
