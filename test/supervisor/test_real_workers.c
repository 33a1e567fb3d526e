// SPDX-License-Identifier: GPL-2.0-only
/*
 * The supervisor with the real workers (aodv2-detectord, -collectord,
 * -sweeperd from the build tree) and the replay source: a --oneshot replay
 * produces the expected complete collection; the workers run as the drop
 * user with the expected capabilities; kill -9 of detectord mid-replay is
 * followed by a restart and exact ring counts; SIGHUP mid-replay reloads
 * without restarting anyone or losing an event; every process shows its
 * name in ps; aodctl collect makes a collection; SIGTERM exits 0; the
 * workers exit by themselves when the supervisor is killed; a reload that
 * moves aod_output_dir restarts the confined collectord and sweeperd onto it.
 */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suptest.h"

static char json[65536];
static const char *const names[] = { "detectord", "collectord", "sweeperd" };

/* Counts complete (aod_<digits>) and partial collections in dir. */
static int count_collections(const char *dir, int *partial, char *first, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	*partial = 0;
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "aod_", 4) == 0 &&
		    strspn(de->d_name + 4, "0123456789") == strlen(de->d_name + 4)) {
			if (!n++ && first)
				snprintf(first, len, "%s/%s", dir, de->d_name);
		} else if (strstr(de->d_name, ".partial")) {
			(*partial)++;
		}
	}
	closedir(d);
	return n;
}

/* What ps and top show: /proc/<pid>/comm (15 characters at most) and argv[0]. */
static void assert_process_name(pid_t pid, const char *name)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	ck_assert_msg(strncmp(buf, name, 15) == 0 && strlen(buf) == (strlen(name) < 15 ? strlen(name) : 15),
		      "pid %d comm '%s', want '%s'", (int)pid, buf, name);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	ck_assert_msg(strcmp(buf, name) == 0, "pid %d argv[0] '%s', want '%s'", (int)pid, buf, name);
}

static bool file_contains(const char *path, const char *needle)
{
	static char buf[1 << 16];
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

START_TEST(oneshot_replay_makes_the_expected_collection)
{
	struct suptest t;
	char coll[512], manifest[600];
	int partial;

	suptest_init(&t, false, NULL);
	/* 2000 reads 100 us apart, every tenth one 50 ms: 100 violations per
	 * 0.1 s window against an acceptable count of 10. */
	suptest_write_replay(&t, 2000, 10, 50, 100000);
	suptest_start(&t, NULL, "--replay-speed", "max", "--oneshot", NULL);
	int status = suptest_wait_exit(&t, 60000);
	ck_assert_msg(status != -1, "oneshot did not finish");
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	/* One anomaly (the rest fall in the 60 s cooldown), one collection. */
	ck_assert_int_eq(count_collections(t.out, &partial, coll, sizeof(coll)), 1);
	ck_assert_int_eq(partial, 0);
	snprintf(manifest, sizeof(manifest), "%s/manifest.json", coll);
	ck_assert_msg(file_contains(manifest, "\"status\": \"complete\""), "%s not complete", manifest);
	ck_assert(file_contains(manifest, "\"name\": \"latency\""));
	ck_assert(file_contains(manifest, "\"violations\": 100"));
	suptest_cleanup(&t);
}
END_TEST

START_TEST(real_workers_privileges_restart_reload_collect_stop)
{
	struct suptest t;
	char out[8192];
	const unsigned n = 40000;
	int partial;

	suptest_init(&t, false, "ring_capacity_events: 8192\n");
	suptest_write_replay(&t, n, 0, 0, 100000); /* 4 s at recorded speed, all fast */
	suptest_start(&t, NULL, NULL);
	ck_assert_msg(suptest_wait_running(&t, NULL, -1, 10000), "real workers did not start");
	for (int i = 0; i < 3; i++) {
		unsigned uid;
		unsigned long long eff, amb;
		int nnp;
		ck_assert(suptest_status(&t, json, sizeof(json)));
		pid_t pid = (pid_t)suptest_worker_num(json, names[i], "pid");
		ck_assert(suptest_proc(pid, &uid, &eff, &amb, &nnp));
		ck_assert_uint_eq(uid, 65534);
		ck_assert_int_eq(nnp, 1);
		if (i != 1)
			ck_assert_msg(eff == 0 && amb == 0, "%s keeps capabilities %llx", names[i], eff);
		else
			ck_assert_msg(eff != 0 && eff == amb, "collectord caps eff %llx amb %llx", eff, amb);
	}
	assert_process_name(t.pid, "aodv2-supervisor");
	for (int i = 0; i < 3; i++) {
		char want[32];
		snprintf(want, sizeof(want), "aodv2-%s", names[i]);
		assert_process_name((pid_t)suptest_worker_num(json, names[i], "pid"), want);
	}
	/* kill -9 detectord while the replay is still feeding */
	pid_t det = (pid_t)suptest_worker_num(json, "detectord", "pid");
	ck_assert_int_eq(kill(det, SIGKILL), 0);
	ck_assert(suptest_wait_running(&t, "detectord", 1, 10000));

	/* SIGHUP with a good config, still mid-replay: acknowledged, nobody
	 * restarted, no event lost */
	ck_assert(suptest_status(&t, json, sizeof(json)));
	ck_assert_msg(strstr(json, "\"state\":\"feeding\""), "the replay ended before the reload");
	pid_t pids[3];
	for (int i = 0; i < 3; i++)
		pids[i] = (pid_t)suptest_worker_num(json, names[i], "pid");
	suptest_write_dropin(&t, "60-good.yaml", "watch_interval_sec: 0.2\n");
	ck_assert_int_eq(kill(t.pid, SIGHUP), 0);
	for (int i = 0; i < 50 && !strstr(json, "\"reloads\":1,"); i++) {
		suptest_sleep_ms(100);
		ck_assert(suptest_status(&t, json, sizeof(json)));
	}
	ck_assert_ptr_nonnull(strstr(json, "\"reloads\":1,"));
	ck_assert_msg(suptest_wait_ring(&t, n, 30000), "ring counts never reached %u", n);
	ck_assert(suptest_status(&t, json, sizeof(json)));
	ck_assert_int_eq(suptest_obj_num(json, "ring", "dropped"), 0);
	ck_assert_ptr_nonnull(strstr(json, "{\"name\":\"latency\",\"judged\":"));
	/* detectord judged every event: the restarted one took over the ring */
	long long judged = strtoll(strstr(json, "{\"name\":\"latency\",\"judged\":") +
				   strlen("{\"name\":\"latency\",\"judged\":"), NULL, 10);
	ck_assert_int_gt(judged, 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(suptest_worker_num(json, names[i], "pid"), pids[i]);

	/* aodctl collect: a manual collection lands in the output dir */
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "collect", NULL), 0);
	int colls = 0;
	for (int i = 0; i < 100 && colls < 1; i++) {
		suptest_sleep_ms(100);
		colls = count_collections(t.out, &partial, NULL, 0);
	}
	ck_assert_int_eq(colls, 1);

	ck_assert_int_eq(kill(t.pid, SIGTERM), 0);
	int status = suptest_wait_exit(&t, 5000);
	ck_assert(status != -1);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	for (int i = 0; i < 3; i++)
		ck_assert_msg(kill(pids[i], 0) != 0, "%s outlived the supervisor", names[i]);
	suptest_cleanup(&t);
}
END_TEST

START_TEST(workers_exit_when_the_supervisor_dies)
{
	struct suptest t;
	pid_t pids[3];

	suptest_init(&t, false, NULL);
	suptest_write_replay(&t, 10, 0, 0, 1000);
	suptest_start(&t, NULL, NULL);
	ck_assert_msg(suptest_wait_running(&t, NULL, -1, 10000), "real workers did not start");
	ck_assert(suptest_status(&t, json, sizeof(json)));
	for (int i = 0; i < 3; i++)
		pids[i] = (pid_t)suptest_worker_num(json, names[i], "pid");
	ck_assert_int_eq(kill(t.pid, SIGKILL), 0);
	ck_assert_int_ne(suptest_wait_exit(&t, 2000), -1);
	/* EOF on their socket: each worker exits at once. */
	for (int i = 0; i < 3; i++) {
		for (int waited = 0; suptest_proc_running(pids[i]) && waited < 3000; waited += 20)
			suptest_sleep_ms(20);
		ck_assert_msg(!suptest_proc_running(pids[i]), "%s outlived a killed supervisor", names[i]);
	}
	suptest_cleanup(&t);
}
END_TEST

/* Landlock rules can only narrow: a reload that moves aod_output_dir makes
 * the confined collectord and sweeperd exit after acknowledging it, and
 * their successors write (and sweep) the new directory. detectord's rules
 * name no such path: it keeps running. */
START_TEST(a_moved_output_dir_restarts_the_confined_workers)
{
	struct suptest t;
	char out2[256], yaml[320], out[256];
	int partial;

	suptest_init(&t, false, NULL);
	suptest_write_replay(&t, 10, 0, 0, 1000);
	suptest_start(&t, NULL, NULL);
	ck_assert_msg(suptest_wait_running(&t, NULL, -1, 10000), "real workers did not start");
	ck_assert(suptest_status(&t, json, sizeof(json)));
	pid_t det = (pid_t)suptest_worker_num(json, "detectord", "pid");
	snprintf(out2, sizeof(out2), "%s/out2", t.dir);
	snprintf(yaml, sizeof(yaml), "aod_output_dir: %s\n", out2);
	suptest_write_dropin(&t, "60-moved.yaml", yaml);
	ck_assert_int_eq(kill(t.pid, SIGHUP), 0);
	ck_assert(suptest_wait_running(&t, "collectord", 1, 15000));
	ck_assert(suptest_wait_running(&t, "sweeperd", 1, 15000));
	ck_assert(suptest_log_has(&t, "moves the paths of collectord's file rules"));
	ck_assert(suptest_status(&t, json, sizeof(json)));
	ck_assert_int_eq(suptest_worker_num(json, "detectord", "pid"), det);
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "collect", NULL), 0);
	int colls = 0;
	for (int i = 0; i < 100 && colls < 1; i++) {
		suptest_sleep_ms(100);
		colls = count_collections(out2, &partial, NULL, 0);
	}
	ck_assert_int_eq(colls, 1);
	suptest_cleanup(&t);
}
END_TEST

int main(void)
{
	suptest_require_root();
	Suite *s = suite_create("real_workers");
	TCase *tc = tcase_create("real_workers");
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, oneshot_replay_makes_the_expected_collection);
	tcase_add_test(tc, real_workers_privileges_restart_reload_collect_stop);
	tcase_add_test(tc, workers_exit_when_the_supervisor_dies);
	tcase_add_test(tc, a_moved_output_dir_restarts_the_confined_workers);
	suite_add_tcase(s, tc);
	return suptest_run(s);
}
