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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdarg.h>
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
	"watcher:\n  actions: [dmesg, mounts, stats]\n  max_concurrent_tasks: 1\n"
	/* the flight recorder's snapshot part takes the place of stats; its
	 * own tests cover it */
	"  flight_recorder: {events: false, snapshots: false, cifs_trace: false, packets: false}\n";

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

static void journal_drain(int fd);
static int drain_fd = -1; /* the fake journal, read while waiting (its queue is short) */

static bool wait_collection(struct suptest *t, const char *name, char *dir, size_t len, int ms)
{
	for (int waited = 0; waited < ms; waited += 100) {
		if (drain_fd >= 0)
			journal_drain(drain_fd);
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

/* ---- the fake journal: a datagram socket the workers may write to ---- */

#define MAX_DGRAMS 4096
static char *dgrams[MAX_DGRAMS];
static unsigned n_dgrams;

/* A thread reads the socket all the time: a datagram queue is short
 * (net.unix.max_dgram_qlen), and a sender finding it full falls back to
 * syslog, as it would with a stalled journald. */
static pthread_mutex_t dgram_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t reader;
static volatile sig_atomic_t reader_stop;

static void *journal_reader(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[9000];
	while (!reader_stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 100) < 0 || (p.revents & POLLNVAL))
			return NULL;
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		pthread_mutex_lock(&dgram_lock);
		if (n_dgrams < MAX_DGRAMS)
			dgrams[n_dgrams++] = strdup(buf);
		pthread_mutex_unlock(&dgram_lock);
	}
	return NULL;
}

static int journal_bind(struct suptest *t, char *path, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(path, len, "%s/journal.sock", t->dir);
	ck_assert_uint_lt(strlen(path), sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(chmod(path, 0666), 0); /* the workers run as nobody */
	int big = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	ck_assert_int_eq(pthread_create(&reader, NULL, journal_reader, (void *)(intptr_t)fd), 0);
	return fd;
}

static void journal_drain(int fd)
{
	(void)fd; /* the reader thread does it */
}

/* A datagram holding every one of the NULL-terminated "KEY=value\n" lines. */
static bool journal_has(int fd, ...)
{
	bool found = false;
	pthread_mutex_lock(&dgram_lock);
	for (unsigned i = 0; !found && i < n_dgrams; i++) {
		va_list ap;
		const char *want;
		bool all = true;
		va_start(ap, fd);
		while (all && (want = va_arg(ap, const char *)) != NULL)
			all = strstr(dgrams[i], want) != NULL;
		va_end(ap);
		found = all;
	}
	pthread_mutex_unlock(&dgram_lock);
	return found;
}

static void journal_reset(int fd)
{
	reader_stop = 1;
	pthread_join(reader, NULL);
	reader_stop = 0;
	for (unsigned i = 0; i < n_dgrams; i++)
		free(dgrams[i]);
	n_dgrams = 0;
	close(fd);
}

static bool journal_wait(int fd, const char *a, const char *b, const char *c)
{
	for (int waited = 0; waited < 20000; waited += 100) {
		if (journal_has(fd, a, b, c, NULL))
			return true;
		suptest_sleep_ms(100);
	}
	return false;
}

START_TEST(audit_records_only_when_enabled_and_name_the_peer)
{
	static const char *const on_off[] = {
		"watch_interval_sec: 1\naudit:\n  enabled: false\n",
		"watch_interval_sec: 1\naudit:\n  enabled: true\n",
	};
	for (int on = 0; on < 2; on++) {
		struct suptest t;
		char path[256], env[300], out[4096], dir[512];
		n_dgrams = 0;
		suptest_init(&t, false, quick_actions);
		suptest_write_dropin(&t, "70-audit.yaml", on_off[on]);
		suptest_write_replay(&t, 20000, 0, 0, 1000000);
		int fd = journal_bind(&t, path, sizeof(path));
		drain_fd = fd;
		snprintf(env, sizeof(env), "AOD_JOURNAL_SOCKET=%s", path);
		const char *envv[] = { env, NULL };
		suptest_start(&t, envv, NULL);
		ck_assert_msg(suptest_wait_running(&t, NULL, -1, 15000), "workers did not start");
		ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "collect", NULL), 0);
		ck_assert(wait_collection(&t, "manual", dir, sizeof(dir), 20000));
		/* let nobody reach the socket: the supervisor itself refuses it */
		ck_assert_int_eq(chmod(t.sock, 0666), 0);
		ck_assert_int_eq(suptest_aodctl(&t, 65534, out, sizeof(out), "reload", NULL), 4);
		ck_assert_int_eq(kill(t.pid, SIGHUP), 0);
		/* the normal lines carry their fields either way */
		ck_assert_msg(journal_wait(fd, "MESSAGE_ID=6265bd5c2104495d889dca0c181d46dd\n",
					   "\nAOD_ANOMALY=manual\n", "\nAOD_TYPE=Manual\n"),
			      "no anomaly line with fields in the journal (%u datagrams, first: %s)",
			      n_dgrams, n_dgrams ? dgrams[0] : "");
		ck_assert(journal_wait(fd, "\nAOD_STATUS=complete\n", "SYSLOG_IDENTIFIER=aodv2-supervisor\n",
				       "MESSAGE_ID=496234698f004e7a8137de42090c74b5\n"));
		if (on) {
			ck_assert_msg(journal_wait(fd, "\nAOD_AUDIT=control\n", "\nAOD_PEER_UID=0\n",
						   "\nAOD_COMMAND=collect\n"), "no control record for root");
			/* waited for: the reader thread may not have it yet */
			ck_assert_msg(journal_wait(fd, "\nAOD_PEER_UID=65534\n", "\nAOD_COMMAND=reload\n",
						   "\nAOD_OUTCOME=denied\n"), "no denied control record");
			ck_assert(journal_has(fd, "MESSAGE_ID=48c35e80c4ce48f68d14e940ab994125\n",
					      "\nAOD_PEER_UID=65534\n", "\nAOD_COMMAND=reload\n",
					      "\nAOD_OUTCOME=denied\n", NULL));
			ck_assert_msg(journal_wait(fd, "\nAOD_AUDIT=action\n", "\nAOD_ACTION=dmesg\n",
						   "SYSLOG_IDENTIFIER=aodv2-collectord\n"), "no action record");
			ck_assert_msg(journal_wait(fd, "\nAOD_AUDIT=reload\n", "\nAOD_OUTCOME=accepted\n",
						   "\nAOD_SHA256="), "no reload record");
			ck_assert_msg(journal_wait(fd, "\nAOD_AUDIT=window\n", "\nAOD_VERDICT=ok\n",
						   "SYSLOG_IDENTIFIER=aodv2-detectord\n"), "no window record");
		} else {
			suptest_sleep_ms(1500); /* windows judged meanwhile */
			ck_assert(!journal_has(fd, "\nAOD_AUDIT=", NULL));
		}
		stop(&t);
		journal_reset(fd);
		drain_fd = -1;
		suptest_cleanup(&t);
	}
}
END_TEST

START_TEST(without_a_journal_audit_goes_to_syslog)
{
	struct suptest t;
	char out[4096], dir[512];

	suptest_init(&t, false, quick_actions);
	suptest_write_dropin(&t, "70-audit.yaml", "audit:\n  enabled: true\n");
	suptest_write_replay(&t, 20000, 0, 0, 1000000);
	const char *envv[] = { "AOD_JOURNAL_SOCKET=", NULL }; /* no journal */
	suptest_start(&t, envv, NULL);
	ck_assert_msg(suptest_wait_running(&t, NULL, -1, 15000), "workers did not start");
	ck_assert_int_eq(suptest_aodctl(&t, 0, out, sizeof(out), "collect", NULL), 0);
	ck_assert(wait_collection(&t, "manual", dir, sizeof(dir), 20000));
	/* the syslog path (which -f mirrors on stderr) carried the record */
	ck_assert(suptest_log_has(&t, "aodv2-supervisor[notice]: audit control: control request collect "
				      "from uid 0 pid "));
	stop(&t);
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
	tcase_add_test(tc, audit_records_only_when_enabled_and_name_the_peer);
	tcase_add_test(tc, without_a_journal_audit_goes_to_syslog);
	suite_add_tcase(s, tc);
	return suptest_run(s);
}
