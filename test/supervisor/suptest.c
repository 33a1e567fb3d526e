// SPDX-License-Identifier: GPL-2.0-only
#include "suptest.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aod_build.h"

#define SUPERVISOR AOD_BUILD_ROOT "/supervisor/aodv2-supervisor"
#define AODCTL AOD_BUILD_ROOT "/supervisor/aodctl"
#define TEST_WORKER AOD_BUILD_ROOT "/test/supervisor/aod-test-worker"

void suptest_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_msg(f, "cannot write %s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

void suptest_write_dropin(struct suptest *t, const char *name, const char *yaml)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", t->dropin, name);
	write_file(path, yaml);
}

static void link_workers(struct suptest *t)
{
	static const char *const names[] = { "detectord", "collectord", "sweeperd" };
	snprintf(t->workers, sizeof(t->workers), "%s/libexec", t->dir);
	ck_assert_int_eq(mkdir(t->workers, 0755), 0);
	for (int i = 0; i < 3; i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s/aodv2-%s", t->workers, names[i]);
		ck_assert_int_eq(symlink(TEST_WORKER, path), 0);
	}
}

void suptest_init(struct suptest *t, bool test_workers, const char *extra_yaml)
{
	char yaml[1024];

	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "/tmp/aodsup.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	ck_assert_int_eq(chmod(t->dir, 0755), 0); /* the service user walks through it */
	snprintf(t->dropin, sizeof(t->dropin), "%s/conf.d", t->dir);
	snprintf(t->sock, sizeof(t->sock), "%s/ctl.sock", t->dir);
	snprintf(t->out, sizeof(t->out), "%s/out", t->dir);
	snprintf(t->replay, sizeof(t->replay), "%s/events.csv", t->dir);
	snprintf(t->log, sizeof(t->log), "%s/supervisor.log", t->dir);
	ck_assert_int_eq(mkdir(t->dropin, 0755), 0);
	char flags[256];
	snprintf(flags, sizeof(flags), "%s/flags", t->dir);
	ck_assert_int_eq(mkdir(flags, 0777), 0);
	ck_assert_int_eq(chmod(flags, 0777), 0);
	if (test_workers)
		link_workers(t);
	snprintf(yaml, sizeof(yaml),
		 "aod_output_dir: %s\ncontrol_socket: %s\nservice_user: nobody\n"
		 "shutdown_timeout_sec: 3\nwatch_interval_sec: 0.1\n%s",
		 t->out, t->sock, extra_yaml ? extra_yaml : "");
	suptest_write_dropin(t, "50-test.yaml", yaml);
	t->pid = -1;
}

void suptest_write_replay(struct suptest *t, unsigned n, unsigned slow_every, unsigned slow_ms,
			  uint64_t gap_ns)
{
	FILE *f = fopen(t->replay, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "ts_ns,kind,command,latency_ns,errno,nt_status,session_id,tree_id,message_id,pid,comm\n");
	for (unsigned i = 0; i < n; i++) {
		unsigned long long lat = (slow_every && i % slow_every == slow_every - 1)
			? (unsigned long long)slow_ms * 1000000ull : 1000000ull;
		fprintf(f, "%llu,latency,SMB2_READ,%llu,,,%u,1,%u,4242,cat\n",
			(unsigned long long)(i * gap_ns), lat, 7u, i + 1);
	}
	ck_assert_int_eq(fclose(f), 0);
}

static void exec_supervisor(struct suptest *t, const char *const *env, va_list ap)
{
	const char *argv[32];
	char source[256];
	int argc = 0, fd = open(t->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(120);
	for (const char *const *e = env; e && *e; e++)
		putenv((char *)*e);
	if (t->workers[0])
		setenv("AOD_LIBEXECDIR", t->workers, 1);
	/* Workers drop privileges and cannot run LeakSanitizer (non-dumpable). */
	setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
	snprintf(source, sizeof(source), "replay:%s", t->replay);
	argv[argc++] = SUPERVISOR;
	argv[argc++] = "-f";
	argv[argc++] = "-c";
	argv[argc++] = AOD_SOURCE_ROOT "/etc/aodv2.yaml";
	argv[argc++] = "-d";
	argv[argc++] = t->dropin;
	if (!t->bpf_source) {
		argv[argc++] = "--source";
		argv[argc++] = source;
	}
	const char *a;
	while ((a = va_arg(ap, const char *)) != NULL && argc < 30)
		argv[argc++] = a;
	argv[argc] = NULL;
	execv(SUPERVISOR, (char *const *)argv);
	_exit(121);
}

void suptest_start(struct suptest *t, const char *const *env, ...)
{
	va_list ap;

	va_start(ap, env);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		exec_supervisor(t, env, ap);
	va_end(ap);
	t->pid = pid;
}

int suptest_wait_exit(struct suptest *t, int timeout_ms)
{
	int status;
	for (int waited = 0; waited <= timeout_ms; waited += 20) {
		pid_t p = waitpid(t->pid, &status, WNOHANG);
		if (p == t->pid) {
			t->pid = -1;
			return status;
		}
		suptest_sleep_ms(20);
	}
	return -1;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	remove(path);
	return 0;
}

static void dump_log(const struct suptest *t)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "tail -n 60 %s 1>&2", t->log);
	if (system(cmd) != 0)
		fprintf(stderr, "(no supervisor log)\n");
}

void suptest_cleanup(struct suptest *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
		t->pid = -1;
	}
	if (getenv("SUPTEST_SHOW_LOG"))
		dump_log(t);
	if (t->dir[0] && !getenv("SUPTEST_KEEP"))
		nftw(t->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void exec_aodctl(struct suptest *t, uid_t uid, int outfd, va_list ap)
{
	const char *argv[16];
	int argc = 0;

	if (dup2(outfd, 1) < 0 || dup2(outfd, 2) < 0)
		_exit(120);
	/* Opened while still root, run by fd: the checkout may sit where the
	 * other uid cannot walk (a clone in /root, mode 700), and the test is
	 * about the socket's answer, not about reaching the binary. */
	int exe = open(AODCTL, O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		_exit(123);
	gid_t groups[1] = { t->aodctl_group };
	if (uid != 0 && (setgroups(t->aodctl_group ? 1 : 0, groups) != 0 || setgid(65534) != 0 ||
			 setuid(uid) != 0))
		_exit(122);
	argv[argc++] = AODCTL;
	argv[argc++] = "-s";
	argv[argc++] = t->sock;
	const char *a;
	while ((a = va_arg(ap, const char *)) != NULL && argc < 15)
		argv[argc++] = a;
	argv[argc] = NULL;
	fexecve(exe, (char *const *)argv, environ);
	_exit(121);
}

int suptest_aodctl(struct suptest *t, uid_t uid, char *out, size_t outlen, ...)
{
	int pfd[2], status;
	va_list ap;
	size_t got = 0;

	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
	va_start(ap, outlen);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(pfd[0]);
		exec_aodctl(t, uid, pfd[1], ap);
	}
	va_end(ap);
	close(pfd[1]);
	for (;;) {
		ssize_t n = read(pfd[0], out + got, outlen - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == outlen - 1)
			break;
	}
	out[got] = '\0';
	close(pfd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool suptest_status(struct suptest *t, char *buf, size_t len)
{
	return suptest_aodctl(t, 0, buf, len, "status", "--json", NULL) == 0;
}

unsigned suptest_log_count(const struct suptest *t, const char *text)
{
	char line[4096];
	unsigned n = 0;
	FILE *f = fopen(t->log, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, text) != NULL;
	fclose(f);
	return n;
}

bool suptest_log_has(const struct suptest *t, const char *text)
{
	return suptest_log_count(t, text) > 0;
}

static const char *worker_obj(const char *json, const char *worker)
{
	char key[64];
	snprintf(key, sizeof(key), "{\"name\":\"%s\"", worker);
	return strstr(json, key);
}

static const char *key_in(const char *obj, const char *key)
{
	char k[64];
	const char *end = strchr(obj, '}');
	snprintf(k, sizeof(k), "\"%s\":", key);
	const char *p = strstr(obj, k);
	return p && (!end || p < end) ? p + strlen(k) : NULL;
}

long long suptest_worker_num(const char *json, const char *worker, const char *key)
{
	const char *o = worker_obj(json, worker);
	const char *v = o ? key_in(o, key) : NULL;
	return v ? strtoll(v, NULL, 10) : -999;
}

bool suptest_worker_str(const char *json, const char *worker, const char *key, char *out, size_t len)
{
	const char *o = worker_obj(json, worker);
	const char *v = o ? key_in(o, key) : NULL;
	if (!v || *v != '"')
		return false;
	const char *e = strchr(v + 1, '"');
	if (!e || (size_t)(e - v - 1) >= len)
		return false;
	memcpy(out, v + 1, (size_t)(e - v - 1));
	out[e - v - 1] = '\0';
	return true;
}

long long suptest_obj_num(const char *json, const char *obj, const char *key)
{
	char k[64];
	snprintf(k, sizeof(k), "\"%s\":{", obj);
	const char *o = strstr(json, k);
	const char *v = o ? key_in(o + strlen(k) - 1, key) : NULL;
	return v ? strtoll(v, NULL, 10) : -999;
}

static bool all_running(const char *json)
{
	static const char *const names[] = { "detectord", "collectord", "sweeperd" };
	char st[32];
	for (int i = 0; i < 3; i++)
		if (!suptest_worker_str(json, names[i], "state", st, sizeof(st)) || strcmp(st, "running"))
			return false;
	return true;
}

bool suptest_wait_running(struct suptest *t, const char *worker, long want_restarts, int timeout_ms)
{
	static char json[65536];
	for (int waited = 0; waited <= timeout_ms; waited += 100) {
		if (suptest_status(t, json, sizeof(json)) && all_running(json) &&
		    (want_restarts < 0 || suptest_worker_num(json, worker, "restarts") == want_restarts))
			return true;
		suptest_sleep_ms(100);
	}
	return false;
}

bool suptest_wait_state(struct suptest *t, const char *worker, const char *want, int timeout_ms)
{
	static char json[65536];
	char st[32];
	for (int waited = 0; waited <= timeout_ms; waited += 20) {
		if (suptest_status(t, json, sizeof(json)) &&
		    suptest_worker_str(json, worker, "state", st, sizeof(st)) && strcmp(st, want) == 0)
			return true;
		suptest_sleep_ms(20);
	}
	return false;
}

bool suptest_wait_obj_num(struct suptest *t, const char *obj, const char *key, long long want,
			  int timeout_ms)
{
	static char json[65536];
	for (int waited = 0; waited <= timeout_ms; waited += 50) {
		if (suptest_status(t, json, sizeof(json)) && suptest_obj_num(json, obj, key) == want)
			return true;
		suptest_sleep_ms(50);
	}
	return false;
}

bool suptest_wait_ring(struct suptest *t, unsigned long long n, int timeout_ms)
{
	static char json[65536];
	for (int waited = 0; waited <= timeout_ms; waited += 100) {
		if (suptest_status(t, json, sizeof(json)) &&
		    suptest_obj_num(json, "ring", "produced") == (long long)n &&
		    suptest_obj_num(json, "ring", "consumed") == (long long)n)
			return true;
		suptest_sleep_ms(100);
	}
	return false;
}

bool suptest_proc(pid_t pid, unsigned *uid, unsigned long long *eff, unsigned long long *amb, int *nnp)
{
	char path[64], line[256];
	unsigned found = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned r, e, s, fs;
		if (sscanf(line, "Uid: %u %u %u %u", &r, &e, &s, &fs) == 4 && r == e && e == s && s == fs) {
			*uid = r;
			found |= 1;
		} else if (sscanf(line, "CapEff: %llx", eff) == 1) {
			found |= 2;
		} else if (sscanf(line, "CapAmb: %llx", amb) == 1) {
			found |= 4;
		} else if (sscanf(line, "NoNewPrivs: %d", nnp) == 1) {
			found |= 8;
		}
	}
	fclose(f);
	return found == 15;
}

bool suptest_proc_running(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *paren = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
	return paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

void suptest_require_root(void)
{
	if (geteuid() != 0) {
		/* a TAP plan of nothing: meson counts the test as skipped */
		printf("1..0 # SKIP the supervisor's multi-process tests need root\n");
		exit(0); /* TAP skip: meson counts exit 77 as an error */
	}
}

int suptest_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
