// SPDX-License-Identifier: GPL-2.0-only
/*
 * The supervisor with the real workers (aodv2-detectord, -collectord,
 * -sweeperd from the build tree) and the replay source: a --oneshot replay
 * produces the expected complete collection; the workers run as the drop
 * user with the expected capabilities; kill -9 of detectord mid-replay is
 * followed by a restart and exact ring counts; SIGHUP mid-replay reloads
 * without restarting anyone or losing an event; every process shows its
 * name in ps; aodctl collect makes a collection; SIGTERM exits 0; the
 * workers exit by themselves when the supervisor is killed; a stopped
 * (SIGSTOP) collectord is shown as not answering, killed and restarted, a
 * collect asked meanwhile is answered and made, and the collection counts
 * in status go on across the restart; kill -9 of detectord does not let
 * anomalies through inside their cooldown; a reload that moves
 * aod_output_dir restarts the confined collectord and sweeperd onto it;
 * a compromised worker (a process in its PID namespace, of its uid, under
 * its filter) can neither signal, ptrace nor read the /proc files of
 * another worker or the supervisor.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"
#include "suptest.h"

extern const struct sandbox_policy collectord_sandbox;

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

#define TAIL_EVENTS 6000

/* Lossless while feeding: more than n events produced, every one consumed
 * (json holds that status). */
static bool wait_ring_past(struct suptest *t, long long n, int timeout_ms)
{
	for (int waited = 0; waited <= timeout_ms; waited += 100) {
		if (suptest_status(t, json, sizeof(json))) {
			long long produced = suptest_obj_num(json, "ring", "produced");
			if (produced > n && suptest_obj_num(json, "ring", "consumed") == produced)
				return true;
		}
		suptest_sleep_ms(100);
	}
	return false;
}

START_TEST(real_workers_privileges_restart_reload_collect_stop)
{
	struct suptest t;
	char out[8192];
	const unsigned n = 40000;
	int partial;

	suptest_init(&t, false, "ring_capacity_events: 8192\n");
	suptest_write_replay(&t, n, 0, 0, 100000); /* 4 s at recorded speed, all fast */
	/* Then one event every 100 ms for 10 minutes: the replay is still
	 * feeding for every step below and the restarted detectord has events
	 * to judge, however slow the host (the burst above may be over before
	 * the kill); the stop ends it. */
	FILE *rf = fopen(t.replay, "a");
	ck_assert_ptr_nonnull(rf);
	for (unsigned i = 0; i < TAIL_EVENTS; i++)
		fprintf(rf, "%llu,latency,SMB2_READ,1000000,,,7,1,%u,4242,cat\n",
			4000000000ull + i * 100000000ull, n + 1 + i);
	ck_assert_int_eq(fclose(rf), 0);
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
	ck_assert_msg(strstr(json, "\"state\":\"feeding\""), "the replay is not feeding before the reload");
	pid_t pids[3];
	for (int i = 0; i < 3; i++)
		pids[i] = (pid_t)suptest_worker_num(json, names[i], "pid");
	suptest_write_dropin(&t, "60-good.yaml", "watch_interval_sec: 0.2\n");
	ck_assert_int_eq(kill(t.pid, SIGHUP), 0);
	for (int i = 0; i < 300 && !strstr(json, "\"reloads\":1,"); i++) { /* 30 s */
		suptest_sleep_ms(100);
		ck_assert(suptest_status(&t, json, sizeof(json)));
	}
	ck_assert_ptr_nonnull(strstr(json, "\"reloads\":1,"));
	ck_assert_msg(wait_ring_past(&t, n, 60000), "ring counts never passed %u", n);
	ck_assert_int_eq(suptest_obj_num(json, "ring", "dropped"), 0);
	/* The restarted detectord judges the events fed after it came (its
	 * figures reach status when it answers within status's gather window,
	 * which a busy detectord on a loaded host may miss): asked again until
	 * they come (30 s). */
	static const char key[] = "{\"name\":\"latency\",\"judged\":";
	long long judged = 0;
	for (int i = 0; i < 300 && judged <= 0; i++) {
		const char *at = strstr(json, key);
		judged = at ? strtoll(at + strlen(key), NULL, 10) : 0;
		if (judged <= 0) {
			suptest_sleep_ms(100);
			ck_assert(suptest_status(&t, json, sizeof(json)));
		}
	}
	ck_assert_int_gt(judged, 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(suptest_worker_num(json, names[i], "pid"), pids[i]);

	/* aodctl collect: a manual collection lands in the output dir */
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "collect", NULL), 0);
	int colls = 0;
	for (int i = 0; i < 300 && colls < 1; i++) { /* 30 s */
		suptest_sleep_ms(100);
		colls = count_collections(t.out, &partial, NULL, 0);
	}
	ck_assert_int_eq(colls, 1);

	ck_assert_int_eq(kill(t.pid, SIGTERM), 0);
	int status = suptest_wait_exit(&t, 20000);
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

/* One status figure, polled until it reaches at least want. */
static bool wait_obj_at_least(struct suptest *t, const char *obj, const char *key, long long want,
			      int timeout_ms)
{
	for (int waited = 0; waited <= timeout_ms; waited += 100) {
		if (suptest_status(t, json, sizeof(json)) && suptest_obj_num(json, obj, key) >= want)
			return true;
		suptest_sleep_ms(100);
	}
	return false;
}

START_TEST(hung_collectord_is_shown_restarted_and_its_counts_kept)
{
	struct suptest t;
	char out[8192], state[32];
	int partial;

	suptest_init(&t, false, NULL);
	suptest_write_replay(&t, 10, 0, 0, 1000);
	/* 8 s: not answering after 2 s, killed after 8 */
	suptest_start(&t, NULL, "--worker-timeout", "8", NULL);
	ck_assert_msg(suptest_wait_running(&t, NULL, -1, 10000), "real workers did not start");
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "collect", NULL), 0);
	ck_assert_msg(wait_obj_at_least(&t, "collections", "done", 1, 30000), "no first collection");
	ck_assert(suptest_status(&t, json, sizeof(json)));
	pid_t col = (pid_t)suptest_worker_num(json, "collectord", "pid");

	ck_assert_int_eq(kill(col, SIGSTOP), 0);
	ck_assert_msg(suptest_wait_state(&t, "collectord", "not answering", 8000),
		      "a stopped collectord is still shown as running");
	ck_assert(suptest_log_has(&t, "collectord (pid"));
	ck_assert(suptest_log_has(&t, "has not answered for"));
	/* a collect asked now is answered at once, saying why it waits */
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "collect", NULL), 0);
	ck_assert_msg(strstr(out, "collectord is not answering"), "collect answered '%s'", out);

	ck_assert_msg(suptest_wait_running(&t, "collectord", 1, 20000), "collectord was not restarted");
	ck_assert(suptest_log_has(&t, "not answering for"));
	ck_assert(!suptest_proc_running(col));
	ck_assert(suptest_status(&t, json, sizeof(json)));
	ck_assert(suptest_worker_str(json, "collectord", "state", state, sizeof(state)));
	ck_assert_str_eq(state, "running");
	/* the count survived the restart... */
	ck_assert_int_ge(suptest_obj_num(json, "collections", "done"), 1);
	/* ...and the collection asked while it hung is made by the new one */
	ck_assert_msg(wait_obj_at_least(&t, "collections", "done", 2, 30000),
		      "the queued collection was not made, or the count went back");
	ck_assert_int_ge(suptest_obj_num(json, "collections", "received"), 2);
	ck_assert_int_eq(count_collections(t.out, &partial, NULL, 0), 2);
	suptest_cleanup(&t);
}
END_TEST

/* A figure of the latency anomaly in status (detectord's counts). */
static long long latency_num(const char *key)
{
	const char *a = strstr(json, "{\"name\":\"latency\",");
	char pat[40];
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *v = a ? strstr(a, pat) : NULL;
	return v ? strtoll(v + strlen(pat), NULL, 10) : -1;
}

START_TEST(detectord_restarts_keep_the_cooldown)
{
	struct suptest t;
	int partial;

	suptest_init(&t, false, NULL);
	/* 40 s at recorded speed, every window of 0.1 s over the acceptable
	 * count: each new detectord finds an anomaly at once */
	suptest_write_replay(&t, 40000, 5, 50, 1000000);
	suptest_start(&t, NULL, NULL);
	ck_assert_msg(suptest_wait_running(&t, NULL, -1, 10000), "real workers did not start");
	ck_assert_msg(wait_obj_at_least(&t, "routing", "received", 1, 10000), "no first anomaly");
	for (long i = 1; i <= 3; i++) {
		ck_assert(suptest_status(&t, json, sizeof(json)));
		pid_t det = (pid_t)suptest_worker_num(json, "detectord", "pid");
		ck_assert_int_eq(kill(det, SIGKILL), 0);
		ck_assert(suptest_wait_running(&t, "detectord", i, 15000));
		/* the new detectord finds the next window's anomaly */
		bool found = false;
		for (int w = 0; w < 100 && !found; w++) {
			suptest_sleep_ms(100);
			found = suptest_status(&t, json, sizeof(json)) && latency_num("detected") >= i + 1;
		}
		ck_assert_msg(found, "restart %ld: the new detectord detected nothing", i);
	}
	ck_assert(suptest_status(&t, json, sizeof(json)));
	/* one collection; the restarted detectords were handed the cooldown
	 * and suppressed the rest, and what one sent before it read it the
	 * supervisor dropped */
	ck_assert_int_eq(suptest_obj_num(json, "routing", "forwarded"), 1);
	ck_assert_int_eq(suptest_obj_num(json, "routing", "cooldown_dropped"),
			 suptest_obj_num(json, "routing", "received") - 1);
	ck_assert_int_ge(latency_num("detected"), 4);
	ck_assert_int_eq(latency_num("sent") + latency_num("suppressed"), latency_num("detected"));
	ck_assert(suptest_log_has(&t, "handed detectord the cooldowns of 1 anomalies"));
	ck_assert(suptest_log_has(&t, "cooldowns of 1 anomalies carried over"));
	ck_assert(wait_obj_at_least(&t, "collections", "done", 1, 30000));
	ck_assert_int_eq(count_collections(t.out, &partial, NULL, 0), 1);
	suptest_cleanup(&t);
}
END_TEST

/* A collection longer than the watchdog's timeout (tcpdump for 8 s against
 * 5 s) does not make collectord look hung: its loop keeps answering. */
START_TEST(busy_collectord_keeps_answering)
{
	struct suptest t;
	char out[8192];
	struct timespec t0, t1;

	suptest_init(&t, false, "watcher:\n  tcpdump_duration_sec: 8\n");
	suptest_write_replay(&t, 10, 0, 0, 1000);
	suptest_start(&t, NULL, "--worker-timeout", "5", NULL);
	ck_assert_msg(suptest_wait_running(&t, NULL, -1, 10000), "real workers did not start");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "collect", NULL), 0);
	ck_assert_msg(wait_obj_at_least(&t, "collections", "done", 1, 60000), "no collection");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_msg(t1.tv_sec - t0.tv_sec >= 6, "the collection took under 6 s: tcpdump did not run?");
	ck_assert_int_eq(suptest_worker_num(json, "collectord", "restarts"), 0);
	ck_assert(!suptest_log_has(&t, "not answering for"));
	suptest_cleanup(&t);
}
END_TEST

/* Landlock rules can only narrow: a reload that moves aod_output_dir makes
 * the confined collectord and sweeperd exit after acknowledging it, and
 * their successors write (and sweep) the new directory. detectord's rules
 * name no such path: it keeps running. Such restarts are no deaths: six in
 * a row (the give-up rule allows five deaths in ten minutes) keep the
 * supervisor running. */
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
	for (int move = 1; move <= 6; move++) {
		snprintf(out2, sizeof(out2), "%s/out%d", t.dir, move + 1);
		snprintf(yaml, sizeof(yaml), "aod_output_dir: %s\n", out2);
		suptest_write_dropin(&t, "60-moved.yaml", yaml);
		ck_assert_int_eq(kill(t.pid, SIGHUP), 0);
		ck_assert_msg(suptest_wait_running(&t, "collectord", move, 15000),
			      "collectord not restarted onto move %d", move);
		ck_assert(suptest_wait_running(&t, "sweeperd", move, 15000));
	}
	ck_assert(suptest_log_has(&t, "moves the paths of collectord's file rules"));
	ck_assert(suptest_log_has(&t, "exited for file rules that fit the reloaded configuration"));
	ck_assert(!suptest_log_has(&t, "giving up"));
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

/* What the attacker got through, one bit per attempt. */
enum { GOT_KILL = 1, GOT_PTRACE = 2, GOT_MEM = 4, GOT_ENVIRON = 8, GOT_FD = 16 };

static bool opened(pid_t pid, const char *file)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

/* In a child of the test made into a compromised worker: it joins the PID
 * namespace of host pid in, becomes the workers' uid (65534) without
 * capabilities and, when filtered, installs collectord's real seccomp
 * filter (the only worker's that lets kill() at other pids through; ptrace
 * is then left out: that filter kills on it). Then it goes at victim.
 * Returns the GOT_* bits, or -1 when it could not be set up. */
static int attack(pid_t in, pid_t victim, bool filtered)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)in);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int ns = open(path, O_RDONLY | O_CLOEXEC);
		if (ns < 0 || setns(ns, CLONE_NEWPID) != 0)
			_exit(100);
		pid_t inner = fork(); /* setns moves only our children */
		if (inner < 0)
			_exit(101);
		if (inner > 0) {
			int st;
			_exit(waitpid(inner, &st, 0) == inner && WIFEXITED(st) ? WEXITSTATUS(st) : 102);
		}
		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0 ||
		    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
			_exit(103);
		if (filtered && sandbox_seccomp("attacker", &collectord_sandbox) != 0)
			_exit(104);
		int got = 0;
		if (kill(victim, 0) == 0 || errno != ESRCH)
			got |= GOT_KILL;
		if (!filtered && (ptrace(PTRACE_ATTACH, victim, 0, 0) == 0 || errno != ESRCH))
			got |= GOT_PTRACE;
		got |= opened(victim, "mem") ? GOT_MEM : 0;
		got |= opened(victim, "environ") ? GOT_ENVIRON : 0;
		got |= opened(victim, "fd/0") ? GOT_FD : 0;
		_exit(got);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "the attacker in %d died (signal %d)", (int)in,
		      WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	int got = WEXITSTATUS(status);
	ck_assert_msg(got < 100, "the attacker in %d could not be set up (%d)", (int)in, got);
	return got;
}

static void pidns_of(pid_t pid, char *out, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	ssize_t n = readlink(path, out, len - 1);
	ck_assert_int_gt(n, 0);
	out[n] = '\0';
}

/* All three workers run as one uid: only their PID namespaces (the
 * supervisor makes each worker init of its own) and their being
 * non-dumpable keep one from another. The attacker stands in for a
 * compromised worker: in its namespace, of its uid; from collectord's also
 * under collectord's filter, which allows kill() at any pid. */
START_TEST(a_compromised_worker_cannot_touch_another)
{
	struct suptest t;
	pid_t pids[3];
	char ns[4][64];

	suptest_init(&t, false, NULL);
	suptest_write_replay(&t, 10, 0, 0, 1000);
	suptest_start(&t, NULL, NULL);
	ck_assert_msg(suptest_wait_running(&t, NULL, -1, 10000), "real workers did not start");
	ck_assert(suptest_status(&t, json, sizeof(json)));
	for (int i = 0; i < 3; i++) {
		pids[i] = (pid_t)suptest_worker_num(json, names[i], "pid");
		ck_assert_int_gt(pids[i], 1);
		pidns_of(pids[i], ns[i], sizeof(ns[i]));
	}
	pidns_of(t.pid, ns[3], sizeof(ns[3]));
	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 4; j++)
			ck_assert_msg(strcmp(ns[i], ns[j]) != 0, "%s shares a PID namespace (%s)",
				      names[i], ns[i]);
	for (int a = 0; a < 3; a++) {
		for (int v = 0; v < 4; v++) {
			pid_t victim = v < 3 ? pids[v] : t.pid;
			const char *vname = v < 3 ? names[v] : "supervisor";
			if (v == a)
				continue;
			int got = attack(pids[a], victim, false);
			ck_assert_msg(got == 0, "from %s's namespace at %s: got 0x%x", names[a],
				      vname, (unsigned)got);
			if (a == 1) {
				got = attack(pids[a], victim, true);
				ck_assert_msg(got == 0, "collectord's filter at %s: got 0x%x", vname,
					      (unsigned)got);
			}
		}
	}
	/* the workers lived through it */
	ck_assert(suptest_status(&t, json, sizeof(json)));
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(suptest_worker_num(json, names[i], "pid"), pids[i]);
	suptest_cleanup(&t);
}
END_TEST

int main(void)
{
	suptest_require_root();
	Suite *s = suite_create("real_workers");
	TCase *tc = tcase_create("real_workers");
	tcase_set_timeout(tc, 180); /* a watchdog: ASan beside stress-ng took 100 s */
	tcase_add_test(tc, oneshot_replay_makes_the_expected_collection);
	tcase_add_test(tc, real_workers_privileges_restart_reload_collect_stop);
	tcase_add_test(tc, workers_exit_when_the_supervisor_dies);
	tcase_add_test(tc, hung_collectord_is_shown_restarted_and_its_counts_kept);
	tcase_add_test(tc, detectord_restarts_keep_the_cooldown);
	tcase_add_test(tc, busy_collectord_keeps_answering);
	tcase_add_test(tc, a_moved_output_dir_restarts_the_confined_workers);
	tcase_add_test(tc, a_compromised_worker_cannot_touch_another);
	suite_add_tcase(s, tc);
	return suptest_run(s);
}
