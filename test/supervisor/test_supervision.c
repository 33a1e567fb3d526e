// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multi-process tests of supervision with the test-double workers
 * (aod-test-worker): privilege drop as seen in /proc, restart after kill -9
 * with exact ring counts, the give-up rule, the config-error status, a
 * malformed worker message, SIGHUP with good and bad config, SIGTERM within
 * the deadline (also with a worker that ignores SHUTDOWN), a second SIGINT
 * stopping at once, anomalies queued while collectord is down (delivered when
 * it is back; bounded, drops counted), --oneshot with CSV and binary
 * recordings at recorded and at maximum speed.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "action_caps.h"
#include "aod_build.h"
#include "config.h"
#include "log.h"
#include "recording.h"
#include "suptest.h"

static char json[65536];
static const char *const names[] = { "detectord", "collectord", "sweeperd" };

static pid_t worker_pid(struct suptest *t, const char *name)
{
	ck_assert(suptest_status(t, json, sizeof(json)));
	return (pid_t)suptest_worker_num(json, name, "pid");
}

/* A supervisor with the test workers and a short replay already fed,
 * every worker running. */
static void start_idle(struct suptest *t, const char *const *env)
{
	suptest_init(t, true, NULL);
	suptest_write_replay(t, 10, 0, 0, 1000);
	suptest_start(t, env, "--replay-speed", "max", NULL);
	ck_assert_msg(suptest_wait_running(t, NULL, -1, 10000), "workers did not all start");
}

/* collectord keeps what the default config's watcher.actions need. */
static unsigned long long collector_caps_mask(void)
{
	struct aod_config *cfg = NULL;
	struct config_errors errs = { 0 };
	int caps[32];
	ck_assert_int_eq(config_load(AOD_SOURCE_ROOT "/etc/aodv2.yaml", NULL, &cfg, &errs), 0);
	int n = action_caps_union(cfg->actions, cfg->n_actions, caps, 32);
	ck_assert_int_ge(n, 1);
	unsigned long long m = 0;
	for (int i = 0; i < n; i++)
		m |= 1ull << caps[i];
	config_free(cfg);
	config_errors_free(&errs);
	return m;
}

START_TEST(workers_drop_to_service_user)
{
	struct suptest t;
	start_idle(&t, NULL);
	for (int i = 0; i < 3; i++) {
		unsigned uid;
		unsigned long long eff, amb;
		int nnp;
		pid_t pid = worker_pid(&t, names[i]);
		ck_assert_int_gt(pid, 0);
		ck_assert(suptest_proc(pid, &uid, &eff, &amb, &nnp));
		ck_assert_uint_eq(uid, 65534);
		ck_assert_int_eq(nnp, 1);
		unsigned long long want = i == 1 ? collector_caps_mask() : 0;
		ck_assert_msg(eff == want, "%s CapEff %llx, want %llx", names[i], eff, want);
		ck_assert_msg(amb == want, "%s CapAmb %llx, want %llx", names[i], amb, want);
		ck_assert_int_eq(suptest_worker_num(json, names[i], "uid"), 65534);
	}
	struct stat st;
	ck_assert_int_eq(stat(t.out, &st), 0);
	ck_assert_uint_eq(st.st_uid, 65534); /* output dir handed to the service user */
	ck_assert_int_eq(stat(t.sock, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0660);
	suptest_cleanup(&t);
}
END_TEST

START_TEST(kill9_restarts_and_counts_stay_exact)
{
	struct suptest t;
	const unsigned n = 300000;
	suptest_init(&t, true, "ring_capacity_events: 4096\n");
	suptest_write_replay(&t, n, 0, 0, 1000);
	suptest_start(&t, NULL, "--replay-speed", "max", NULL);
	ck_assert(suptest_wait_running(&t, NULL, -1, 10000));
	for (int i = 0; i < 3; i++) {
		pid_t old = worker_pid(&t, names[i]);
		ck_assert_int_eq(kill(old, SIGKILL), 0);
		ck_assert_msg(suptest_wait_running(&t, names[i], 1, 10000), "%s not restarted", names[i]);
		pid_t now = worker_pid(&t, names[i]);
		ck_assert_int_gt(now, 0);
		ck_assert_int_ne(now, old);
	}
	ck_assert_msg(suptest_wait_ring(&t, n, 30000), "ring counts never reached %u", n);
	ck_assert(suptest_status(&t, json, sizeof(json)));
	ck_assert_int_eq(suptest_obj_num(json, "ring", "dropped"), 0);
	suptest_cleanup(&t);
}
END_TEST

START_TEST(gives_up_after_five_fast_deaths)
{
	struct suptest t;
	static const char *const env[] = { "AOD_TEST_CRASH=sweeperd", NULL };
	suptest_init(&t, true, NULL);
	suptest_write_replay(&t, 10, 0, 0, 1000);
	suptest_start(&t, env, "--replay-speed", "max", NULL);
	/* Deaths after 0, 1, 2, 4 and 8 s of backoff: the fifth ends it. */
	int status = suptest_wait_exit(&t, 30000);
	ck_assert_msg(status != -1, "supervisor did not give up");
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 3);
	suptest_cleanup(&t);
}
END_TEST

START_TEST(config_error_exit_is_not_restarted)
{
	struct suptest t;
	static const char *const env[] = { "AOD_TEST_EXIT78=collectord", NULL };
	suptest_init(&t, true, NULL);
	suptest_write_replay(&t, 10, 0, 0, 1000);
	suptest_start(&t, env, "--replay-speed", "max", NULL);
	ck_assert(suptest_wait_state(&t, "collectord", "failed", 10000));
	suptest_sleep_ms(1500); /* past the first backoff: still not restarted */
	ck_assert(suptest_status(&t, json, sizeof(json)));
	ck_assert_int_eq(suptest_worker_num(json, "collectord", "restarts"), 0);
	ck_assert_int_eq(suptest_worker_num(json, "collectord", "pid"), 0);
	suptest_cleanup(&t);
}
END_TEST

/* One set of limits: what --check-config accepts the daemon starts with,
 * and what the daemon refuses --check-config refuses, both with exit 78
 * (systemd's RestartPreventExitStatus) and the same reason. */
START_TEST(too_many_dropins_refused_by_check_and_daemon)
{
	struct suptest t;
	suptest_init(&t, true, NULL);
	suptest_write_replay(&t, 10, 0, 0, 1000);
	for (int i = 0; i < 300; i++) {
		char name[32];
		snprintf(name, sizeof(name), "70-%03d.yaml", i);
		suptest_write_dropin(&t, name, "");
	}
	suptest_start(&t, NULL, "--check-config", NULL);
	int status = suptest_wait_exit(&t, 30000);
	ck_assert(status != -1 && WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 78);
	ck_assert(suptest_log_has(&t, "more than 256 drop-ins"));
	suptest_start(&t, NULL, "--replay-speed", "max", NULL);
	status = suptest_wait_exit(&t, 30000);
	ck_assert(status != -1 && WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 78);
	ck_assert_uint_eq(suptest_log_count(&t, "more than 256 drop-ins"), 2);
	suptest_cleanup(&t);
}
END_TEST

START_TEST(malformed_worker_message_restarts_it)
{
	struct suptest t;
	char flag[256], env_flag[300];
	suptest_init(&t, true, NULL);
	snprintf(flag, sizeof(flag), "%s/flags/garbage", t.dir);
	FILE *f = fopen(flag, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	chmod(flag, 0666);
	snprintf(env_flag, sizeof(env_flag), "AOD_TEST_MALFORMED_ONCE=%s", flag);
	const char *env[] = { env_flag, NULL };
	suptest_write_replay(&t, 10, 0, 0, 1000);
	suptest_start(&t, env, "--replay-speed", "max", NULL);
	/* Exactly one worker sent garbage once: one restart in total. */
	long total = -1;
	for (int i = 0; i < 100 && total != 1; i++) {
		suptest_sleep_ms(100);
		if (!suptest_status(&t, json, sizeof(json)))
			continue;
		total = 0;
		for (int k = 0; k < 3; k++)
			total += suptest_worker_num(json, names[k], "restarts");
	}
	ck_assert_int_eq(total, 1);
	ck_assert_int_ne(access(flag, F_OK), 0);
	/* logged with the reason, never trusted */
	ck_assert(suptest_log_has(&t, "sent a malformed message (bad magic"));
	ck_assert(suptest_wait_running(&t, NULL, -1, 10000));
	suptest_cleanup(&t);
}
END_TEST

START_TEST(sighup_good_and_bad_config)
{
	struct suptest t;
	char out[8192];
	start_idle(&t, NULL);
	pid_t pids[3];
	for (int i = 0; i < 3; i++)
		pids[i] = worker_pid(&t, names[i]);

	suptest_write_dropin(&t, "60-good.yaml", "watch_interval_sec: 0.5\n");
	ck_assert_int_eq(kill(t.pid, SIGHUP), 0);
	for (int i = 0; i < 50; i++) {
		suptest_sleep_ms(100);
		if (suptest_status(&t, json, sizeof(json)) && strstr(json, "\"reloads\":1,"))
			break;
	}
	ck_assert_ptr_nonnull(strstr(json, "\"reloads\":1,"));

	suptest_write_dropin(&t, "70-bad.yaml", "watch_interval_sec: 0.5\nno_such_key: 1\n");
	ck_assert_int_eq(kill(t.pid, SIGHUP), 0);
	for (int i = 0; i < 50; i++) {
		suptest_sleep_ms(100);
		if (suptest_status(&t, json, sizeof(json)) && strstr(json, "\"reload_failures\":1"))
			break;
	}
	ck_assert_ptr_nonnull(strstr(json, "\"reload_failures\":1"));
	/* aodctl reload reports the same errors, with the config-error status. */
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "reload", NULL), 78);
	ck_assert_ptr_nonnull(strstr(out, "70-bad.yaml"));
	ck_assert_ptr_nonnull(strstr(out, "no_such_key"));
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(worker_pid(&t, names[i]), pids[i]); /* nobody restarted */
		ck_assert_int_eq(suptest_worker_num(json, names[i], "restarts"), 0);
	}
	suptest_cleanup(&t);
}
END_TEST

static void sigterm_case(const char *const *env, int max_ms)
{
	struct suptest t;
	suptest_init(&t, true, NULL);
	suptest_write_replay(&t, 1000, 0, 0, 1000);
	suptest_start(&t, env, "--replay-speed", "max", NULL);
	ck_assert(suptest_wait_running(&t, NULL, -1, 10000));
	pid_t pids[3];
	for (int i = 0; i < 3; i++)
		pids[i] = worker_pid(&t, names[i]);
	ck_assert_int_eq(kill(t.pid, SIGTERM), 0);
	int status = suptest_wait_exit(&t, max_ms);
	ck_assert_msg(status != -1, "supervisor still running %d ms after SIGTERM", max_ms);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	suptest_sleep_ms(100);
	for (int i = 0; i < 3; i++)
		ck_assert_msg(kill(pids[i], 0) != 0, "%s outlived the supervisor", names[i]);
	ck_assert_int_ne(access(t.sock, F_OK), 0); /* socket removed */
	suptest_cleanup(&t);
}

START_TEST(sigterm_drains_and_exits_zero)
{
	sigterm_case(NULL, 2000);
}
END_TEST

START_TEST(sigterm_kills_a_worker_past_the_deadline)
{
	static const char *const env[] = { "AOD_TEST_DEAF=collectord", NULL };
	/* shutdown_timeout_sec is 3 in the test config. */
	sigterm_case(env, 4500);
}
END_TEST

START_TEST(second_sigint_stops_at_once)
{
	struct suptest t;
	static const char *const env[] = { "AOD_TEST_DEAF=collectord", NULL };
	suptest_init(&t, true, NULL);
	suptest_write_dropin(&t, "60-slow-stop.yaml", "shutdown_timeout_sec: 30\n");
	suptest_write_replay(&t, 10, 0, 0, 1000);
	suptest_start(&t, env, "--replay-speed", "max", NULL);
	ck_assert(suptest_wait_running(&t, NULL, -1, 10000));
	pid_t pids[3];
	for (int i = 0; i < 3; i++)
		pids[i] = worker_pid(&t, names[i]);
	ck_assert_int_eq(kill(t.pid, SIGINT), 0);
	/* The deaf collectord holds up the graceful stop (30 s deadline)... */
	ck_assert_int_eq(suptest_wait_exit(&t, 500), -1);
	/* ...until ^C again. */
	ck_assert_int_eq(kill(t.pid, SIGINT), 0);
	int status = suptest_wait_exit(&t, 2000);
	ck_assert_msg(status != -1, "a second SIGINT did not stop the supervisor at once");
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 130);
	suptest_sleep_ms(100);
	/* SIGKILLed on the way out; init reaps them. */
	for (int i = 0; i < 3; i++)
		ck_assert_msg(!suptest_proc_running(pids[i]), "%s outlived the supervisor", names[i]);
	ck_assert(suptest_log_has(&t, "second SIGINT: stopping at once"));
	suptest_cleanup(&t);
}
END_TEST

START_TEST(anomaly_waits_for_a_restarting_collectord)
{
	struct suptest t;
	char out[4096];
	start_idle(&t, NULL);
	/* The second death in a row waits 2 s for its restart: time enough
	 * to see it down even on a loaded machine. */
	ck_assert_int_eq(kill(worker_pid(&t, "collectord"), SIGKILL), 0);
	ck_assert(suptest_wait_running(&t, "collectord", 1, 10000));
	ck_assert_int_eq(kill(worker_pid(&t, "collectord"), SIGKILL), 0);
	ck_assert(suptest_wait_state(&t, "collectord", "restarting", 1900));
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "collect", "latency", NULL), 0);
	ck_assert_msg(strstr(out, "queued until collectord is ready"), "%s", out);
	ck_assert(suptest_status(&t, json, sizeof(json)));
	ck_assert_int_eq(suptest_obj_num(json, "routing", "queued"), 1);
	/* The restarted collectord gets it and reports it done. */
	ck_assert(suptest_wait_running(&t, "collectord", 2, 10000));
	ck_assert(suptest_wait_obj_num(&t, "collections", "completed_seen", 1, 5000));
	ck_assert(suptest_status(&t, json, sizeof(json)));
	ck_assert_int_eq(suptest_obj_num(json, "routing", "queued"), 0);
	ck_assert_int_eq(suptest_obj_num(json, "routing", "forwarded"), 1);
	suptest_cleanup(&t);
}
END_TEST

START_TEST(anomaly_queue_is_bounded_and_counts_drops)
{
	struct suptest t;
	char out[4096];
	static const char *const env[] = { "AOD_TEST_EXIT78=collectord", NULL };
	suptest_init(&t, true, NULL);
	suptest_write_replay(&t, 10, 0, 0, 1000);
	suptest_start(&t, env, "--replay-speed", "max", NULL);
	ck_assert(suptest_wait_state(&t, "collectord", "failed", 10000));
	/* 64 anomalies fit in the queue (supervisor/queue.h); the 65th is dropped. */
	for (int i = 0; i < 65; i++)
		ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "collect", NULL), 0);
	ck_assert(suptest_status(&t, json, sizeof(json)));
	ck_assert_int_eq(suptest_obj_num(json, "routing", "queued"), 64);
	ck_assert_int_eq(suptest_obj_num(json, "routing", "queue_dropped"), 1);
	ck_assert(suptest_log_has(&t, "anomaly queue for collectord is full (64): dropped aod_"));
	suptest_cleanup(&t);
}
END_TEST

START_TEST(oneshot_exits_when_everything_is_judged)
{
	struct suptest t;
	const unsigned n = 50000;
	suptest_init(&t, true, "ring_capacity_events: 1024\n");
	suptest_write_replay(&t, n, 0, 0, 1000);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	suptest_start(&t, NULL, "--replay-speed", "max", "--oneshot", NULL);
	int status = suptest_wait_exit(&t, 30000);
	clock_gettime(CLOCK_MONOTONIC, &b);
	fprintf(stderr, "# TIMING oneshot %.2f s\n", (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	if (status == -1 || b.tv_sec - a.tv_sec > 2) { char c[300]; snprintf(c, sizeof c, "cat %s >&2", t.log); system(c); }
	ck_assert(status != -1);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	/* The supervisor logs the final ring counts. */
	char cmd[512], line[256] = "";
	snprintf(cmd, sizeof(cmd), "grep -o 'ring: produced [0-9]*, consumed [0-9]*, dropped [0-9]*' %s",
		 t.log);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
	pclose(p);
	char want[128];
	snprintf(want, sizeof(want), "ring: produced %u, consumed %u, dropped 0", n, n);
	ck_assert_msg(strncmp(line, want, strlen(want)) == 0, "got '%s'", line);
	suptest_cleanup(&t);
}
END_TEST

/* The final "ring: produced N, consumed N, dropped 0" line of a oneshot run. */
static void assert_final_ring(struct suptest *t, unsigned n)
{
	char want[128];
	snprintf(want, sizeof(want), "ring: produced %u, consumed %u, dropped 0, left 0", n, n);
	ck_assert_msg(suptest_log_has(t, want), "no '%s' in the log", want);
}

static double oneshot_seconds(struct suptest *t, const char *speed_max)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (speed_max)
		suptest_start(t, NULL, "--oneshot", "--replay-speed", "max", NULL);
	else
		suptest_start(t, NULL, "--oneshot", NULL);
	int status = suptest_wait_exit(t, 30000);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert(status != -1 && WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

START_TEST(replay_keeps_the_recorded_speed)
{
	struct suptest t;
	suptest_init(&t, true, NULL);
	suptest_write_replay(&t, 16, 0, 0, 100000000); /* 1.5 s from first to last */
	double secs = oneshot_seconds(&t, NULL);
	ck_assert_msg(secs >= 1.5, "a 1.5 s recording replayed in %.2f s", secs);
	assert_final_ring(&t, 16);
	ck_assert(suptest_log_has(&t, "(CSV format) at recorded speed"));
	suptest_cleanup(&t);

	suptest_init(&t, true, NULL);
	suptest_write_replay(&t, 16, 0, 0, 1000000000); /* 15 s */
	secs = oneshot_seconds(&t, "max");
	ck_assert_msg(secs < 10, "a 15 s recording at max speed took %.2f s", secs);
	assert_final_ring(&t, 16);
	suptest_cleanup(&t);
}
END_TEST

START_TEST(binary_recording_replays_like_csv)
{
	struct suptest t;
	struct recording_writer *w;
	struct aod_event ev[100];
	suptest_init(&t, true, NULL);
	snprintf(t.replay, sizeof(t.replay), "%s/events.rec", t.dir);
	memset(ev, 0, sizeof(ev));
	for (int i = 0; i < 100; i++) {
		ev[i].ts_ns = 5000000000ull + (uint64_t)i * 1000000u;
		ev[i].latency_ns = 2000000;
		ev[i].kind = AOD_EV_LATENCY;
		ev[i].command = 9; /* SMB2_WRITE */
		ev[i].message_id = (uint64_t)i;
		snprintf(ev[i].comm, sizeof(ev[i].comm), "dd");
	}
	ck_assert_int_eq(recording_create(t.replay, &w), 0);
	ck_assert_int_eq(recording_write(w, ev, 100), 0);
	ck_assert_int_eq(recording_finish(w), 0);
	double secs = oneshot_seconds(&t, NULL); /* 0.1 s of events, rebased to 0 */
	ck_assert_msg(secs < 10, "took %.2f s", secs);
	assert_final_ring(&t, 100);
	ck_assert(suptest_log_has(&t, "(binary format) at recorded speed"));
	ck_assert(suptest_log_has(&t, "100 events fed, 0 malformed lines skipped"));
	suptest_cleanup(&t);
}
END_TEST

/* aod_output_dir (or one of its parents) a symlink another user planted:
 * the root supervisor refuses it instead of chowning whatever it points to. */
START_TEST(symlinked_output_dir_is_never_chowned)
{
	struct suptest t;
	char target[256], link[256], yaml[600], out[8192];
	struct stat st;

	suptest_init(&t, true, NULL);
	snprintf(target, sizeof(target), "%s/roots", t.dir);
	snprintf(link, sizeof(link), "%s/link", t.dir);
	ck_assert_int_eq(mkdir(target, 0755), 0);
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_eq(lchown(link, 65534, 65534), 0);
	snprintf(yaml, sizeof(yaml), "aod_output_dir: %s\n", link);
	suptest_write_dropin(&t, "60-out.yaml", yaml);
	suptest_write_replay(&t, 10, 0, 0, 1000);
	suptest_start(&t, NULL, "--replay-speed", "max", NULL);
	ck_assert(suptest_wait_running(&t, NULL, -1, 10000));
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_uint_eq(st.st_uid, 0);
	char want[400];
	snprintf(want, sizeof(want), "%s is a symbolic link", link);
	ck_assert(suptest_log_has(&t, want));

	/* the same through a parent, on a reload: nothing made or handed over */
	snprintf(yaml, sizeof(yaml), "aod_output_dir: %s/sub\n", link);
	suptest_write_dropin(&t, "60-out.yaml", yaml);
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "reload", NULL), 0);
	snprintf(want, sizeof(want), "%s/sub", target);
	ck_assert_int_ne(access(want, F_OK), 0);
	snprintf(want, sizeof(want), "%s is a symbolic link", link);
	ck_assert_uint_ge(suptest_log_count(&t, want), 2);
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_uint_eq(st.st_uid, 0);
	suptest_cleanup(&t);
}
END_TEST

START_TEST(malformed_replay_lines_are_logged_within_the_rate_limit)
{
	struct suptest t;
	suptest_init(&t, true, NULL);
	FILE *f = fopen(t.replay, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "ts_ns,kind,command,latency_ns,errno,nt_status,session_id,tree_id,message_id,pid,comm\n");
	for (unsigned i = 0; i < 5000; i++)
		fprintf(f, "%u,latency,NOT_A_COMMAND,1000000,,,7,1,%u,4242,cat\n", i, i + 1);
	fprintf(f, "6000,latency,SMB2_READ,1000000,,,7,1,9999,4242,cat\n");
	ck_assert_int_eq(fclose(f), 0);
	oneshot_seconds(&t, "max");
	assert_final_ring(&t, 1);
	ck_assert(suptest_log_has(&t, "1 events fed, 5000 malformed lines skipped"));
	unsigned lines = suptest_log_count(&t, "line skipped");
	ck_assert_msg(lines >= 1 && lines <= 2 * LOG_RL_BURST, "%u lines for 5000 bad ones", lines);
	suptest_cleanup(&t);
}
END_TEST

int main(void)
{
	suptest_require_root();
	Suite *s = suite_create("supervision");
	TCase *tc = tcase_create("supervision");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, workers_drop_to_service_user);
	tcase_add_test(tc, kill9_restarts_and_counts_stay_exact);
	tcase_add_test(tc, gives_up_after_five_fast_deaths);
	tcase_add_test(tc, config_error_exit_is_not_restarted);
	tcase_add_test(tc, malformed_worker_message_restarts_it);
	tcase_add_test(tc, malformed_replay_lines_are_logged_within_the_rate_limit);
	tcase_add_test(tc, symlinked_output_dir_is_never_chowned);
	tcase_add_test(tc, too_many_dropins_refused_by_check_and_daemon);
	tcase_add_test(tc, sighup_good_and_bad_config);
	tcase_add_test(tc, sigterm_drains_and_exits_zero);
	tcase_add_test(tc, sigterm_kills_a_worker_past_the_deadline);
	tcase_add_test(tc, second_sigint_stops_at_once);
	tcase_add_test(tc, anomaly_waits_for_a_restarting_collectord);
	tcase_add_test(tc, anomaly_queue_is_bounded_and_counts_drops);
	tcase_add_test(tc, oneshot_exits_when_everything_is_judged);
	tcase_add_test(tc, replay_keeps_the_recorded_speed);
	tcase_add_test(tc, binary_recording_replays_like_csv);
	suite_add_tcase(s, tc);
	return suptest_run(s);
}
