// SPDX-License-Identifier: GPL-2.0-only
/*
 * The operator's triggers and trail, with the real workers and the replay
 * source: SIGUSR1 makes a Manual collection (summary and manifest say so);
 * collect_on_shutdown collects once at SIGTERM and the stop waits for every
 * action of it; the audit trail (audit.enabled) goes to the journal's
 * native socket when there is one (a datagram socket this test binds,
 * named by AOD_JOURNAL_SOCKET) and names the peer of a control request,
 * and nothing is audited when it is off.
 *
 * Needs root (the workers drop to nobody): skipped (77) otherwise.
 */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suptest.h"

/* Every anomaly and the master list run three quick actions. */
static const char quick_actions[] =
	"guardian:\n  anomalies:\n    latency:\n      actions: [dmesg]\n"
	"    error:\n      actions: [dmesg]\n"
	"watcher:\n  actions: [dmesg, mounts, stats]\n  max_concurrent_tasks: 1\n";

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char buf[1 << 17];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

/* The only complete collection in t->out whose manifest names anomaly
 * name: its folder into dir. */
static bool find_collection(struct suptest *t, const char *name, char *dir, size_t len)
{
	char want[128];
	bool found = false;
	DIR *d = opendir(t->out);
	struct dirent *de;

	if (!d)
		return false;
	snprintf(want, sizeof(want), "\"name\": \"%s\"", name);
	while (!found && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "aod_", 4) != 0)
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s/manifest.json", t->out, de->d_name);
		char *m = slurp(path);
		if (m && strstr(m, want)) {
			snprintf(dir, len, "%s/%s", t->out, de->d_name);
			found = true;
		}
		free(m);
	}
	closedir(d);
	return found;
}

static bool wait_collection(struct suptest *t, const char *name, char *dir, size_t len, int ms)
{
	for (int waited = 0; waited < ms; waited += 100) {
		if (find_collection(t, name, dir, len))
			return true;
		suptest_sleep_ms(100);
	}
	return false;
}

static char *read_in(const char *dir, const char *file)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	char *text = slurp(path);
	ck_assert_msg(text, "%s missing", path);
	return text;
}

static void stop(struct suptest *t)
{
	ck_assert_int_eq(kill(t->pid, SIGTERM), 0);
	int status = suptest_wait_exit(t, 40000);
	ck_assert_msg(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "supervisor did not stop cleanly (status %d)", status);
}

START_TEST(sigusr1_gives_a_manual_collection)
{
	struct suptest t;
	char dir[512];

	suptest_init(&t, false, quick_actions);
	suptest_write_replay(&t, 20000, 0, 0, 1000000); /* 20 s, all fast */
	suptest_start(&t, NULL, NULL);
	ck_assert_msg(suptest_wait_running(&t, NULL, -1, 15000), "workers did not start");
	ck_assert_int_eq(kill(t.pid, SIGUSR1), 0);
	ck_assert_msg(wait_collection(&t, "manual:SIGUSR1", dir, sizeof(dir), 20000),
		      "no collection after SIGUSR1");
	char *m = read_in(dir, "manifest.json");
	ck_assert_msg(strstr(m, "\"type\": \"Manual\"") && strstr(m, "\"status\": \"complete\""),
		      "%s", m);
	ck_assert_msg(strstr(m, "\"name\": \"dmesg\"") && strstr(m, "\"name\": \"mounts\"") &&
			      strstr(m, "\"name\": \"stats\""), "not every watcher action: %s", m);
	free(m);
	char *s = read_in(dir, "summary.txt");
	ck_assert_msg(strstr(s, "Anomaly:    manual:SIGUSR1 (Manual)\n") &&
			      strstr(s, "Rule:       none (a manual collection"), "%s", s);
	free(s);
	ck_assert(suptest_log_has(&t, "manual collection (manual:SIGUSR1) requested by SIGUSR1"));
	stop(&t);
	suptest_cleanup(&t);
}
END_TEST

START_TEST(collect_on_shutdown_collects_once_and_the_stop_waits_for_it)
{
	struct suptest t;
	char dir[512];

	suptest_init(&t, false, quick_actions);
	suptest_write_dropin(&t, "60-stop.yaml", "collect_on_shutdown: true\nshutdown_timeout_sec: 20\n");
	suptest_write_replay(&t, 20000, 0, 0, 1000000);
	suptest_start(&t, NULL, NULL);
	ck_assert_msg(suptest_wait_running(&t, NULL, -1, 15000), "workers did not start");
	ck_assert(!find_collection(&t, "manual:shutdown", dir, sizeof(dir)));
	stop(&t);
	ck_assert_msg(find_collection(&t, "manual:shutdown", dir, sizeof(dir)),
		      "no collection made at stop");
	char *m = read_in(dir, "manifest.json");
	/* one action at a time, and none of them cut short by the stop */
	ck_assert_msg(strstr(m, "\"status\": \"complete\"") && !strstr(m, "not run") &&
			      strstr(m, "\"name\": \"stats\""), "%s", m);
	free(m);
	ck_assert(suptest_log_has(&t, "manual collection (manual:shutdown) requested by "
				      "collect_on_shutdown"));
	ck_assert(!suptest_log_has(&t, "collect_on_shutdown: "));
	suptest_cleanup(&t);
}
END_TEST

int main(void)
{
	suptest_require_root();
	Suite *s = suite_create("operator");
	TCase *tc = tcase_create("operator");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, sigusr1_gives_a_manual_collection);
	tcase_add_test(tc, collect_on_shutdown_collects_once_and_the_stop_waits_for_it);
	suite_add_tcase(s, tc);
	return suptest_run(s);
}
