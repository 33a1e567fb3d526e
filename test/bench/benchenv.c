// SPDX-License-Identifier: GPL-2.0-only
#include "benchenv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

const char *const bench_proc_names[BP_COUNT] = { "supervisor", "detectord", "collectord", "sweeperd" };

uint64_t bench_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * BENCH_SEC + (uint64_t)ts.tv_nsec;
}

void bench_sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / BENCH_SEC), .tv_nsec = (long)(ns % BENCH_SEC) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void bench_report(const char *id, double value, const char *unit, const char *target,
		  const char *figure, const char *how)
{
	/* Four significant digits, without an exponent for large values. */
	if (value >= 10000 || value <= -10000)
		printf("BENCH %s %.0f %s %s | %s | %s\n", id, value, unit, target, figure, how);
	else
		printf("BENCH %s %.4g %s %s | %s | %s\n", id, value, unit, target, figure, how);
	fflush(stdout);
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	int bad = fputs(text, f) < 0;
	if (fclose(f) != 0 || bad)
		return -EIO;
	return 0;
}

int bench_sup_init(struct bench_sup *b, const char *extra_yaml)
{
	char path[256], yaml[4096];

	memset(b, 0, sizeof(*b));
	b->pid = -1;
	snprintf(b->dir, sizeof(b->dir), "/var/tmp/aodbench.XXXXXX");
	if (!mkdtemp(b->dir) || chmod(b->dir, 0755) < 0)
		return -errno;
	snprintf(b->dropin, sizeof(b->dropin), "%s/conf.d", b->dir);
	snprintf(b->sock, sizeof(b->sock), "%s/ctl.sock", b->dir);
	snprintf(b->out, sizeof(b->out), "%s/out", b->dir);
	snprintf(b->log, sizeof(b->log), "%s/supervisor.log", b->dir);
	if (mkdir(b->dropin, 0755) < 0)
		return -errno;
	snprintf(yaml, sizeof(yaml), "aod_output_dir: %s\ncontrol_socket: %s\nservice_user: nobody\n%s",
		 b->out, b->sock, extra_yaml ? extra_yaml : "");
	snprintf(path, sizeof(path), "%s/50-bench.yaml", b->dropin);
	return write_text(path, yaml);
}

int bench_sup_start(struct bench_sup *b, ...)
{
	const char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = BENCH_SUPERVISOR;
	argv[argc++] = "-f";
	argv[argc++] = "-c";
	argv[argc++] = AOD_SOURCE_ROOT "/etc/aodv2.yaml";
	argv[argc++] = "-d";
	argv[argc++] = b->dropin;
	argv[argc++] = "--socket";
	argv[argc++] = b->sock;
	va_start(ap, b);
	const char *a;
	while ((a = va_arg(ap, const char *)) != NULL && argc < 31)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;

	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open(b->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(120);
		execv(BENCH_SUPERVISOR, (char *const *)argv);
		_exit(121);
	}
	b->pid = pid;
	return 0;
}

int bench_sup_wait(struct bench_sup *b, int timeout_ms)
{
	int status;

	for (int waited = 0; b->pid > 0 && waited <= timeout_ms; waited += 10) {
		if (waitpid(b->pid, &status, WNOHANG) == b->pid) {
			b->pid = -1;
			return status;
		}
		bench_sleep_ns(10 * BENCH_MS);
	}
	return -1;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	remove(path);
	return 0;
}

void bench_sup_stop(struct bench_sup *b, bool keep)
{
	if (b->pid > 0) {
		kill(b->pid, SIGTERM);
		if (bench_sup_wait(b, 10000) == -1) {
			kill(b->pid, SIGKILL);
			waitpid(b->pid, NULL, 0);
			b->pid = -1;
		}
	}
	if (!keep && b->dir[0])
		nftw(b->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int bench_status(struct bench_sup *b, char *buf, size_t len)
{
	int pfd[2];

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		/* Not answering yet is expected while the supervisor starts. */
		if (dup2(pfd[1], 1) < 0 || null < 0 || dup2(null, 2) < 0)
			_exit(120);
		execl(BENCH_AODCTL, "aodctl", "-s", b->sock, "status", "--json", (char *)NULL);
		_exit(121);
	}
	close(pfd[1]);
	size_t got = 0;
	ssize_t n;
	while (got + 1 < len && ((n = read(pfd[0], buf + got, len - 1 - got)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			got += (size_t)n;
	buf[got] = '\0';
	close(pfd[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 && got > 0 ? 0 : -EIO;
}

long long bench_json_num(const char *json, const char *obj, const char *key)
{
	char pat[96];
	const char *p = json;

	if (obj) {
		snprintf(pat, sizeof(pat), "\"%s\":{", obj);
		p = strstr(json, pat);
		if (!p)
			return -1;
	}
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(p, pat);
	if (!p)
		return -1;
	return strtoll(p + strlen(pat), NULL, 10);
}

/* The pid of worker name in the status document, or -1. */
static pid_t status_worker_pid(const char *json, const char *name)
{
	char pat[64];

	snprintf(pat, sizeof(pat), "{\"name\":\"%s\",", name);
	const char *p = strstr(json, pat);
	if (!p || !(p = strstr(p, "\"pid\":")))
		return -1;
	return (pid_t)strtol(p + 6, NULL, 10);
}

int bench_sup_ready(struct bench_sup *b, pid_t pids[BP_COUNT], int timeout_ms)
{
	static char json[65536];

	for (int waited = 0; waited <= timeout_ms; waited += 50) {
		if (bench_status(b, json, sizeof(json)) == 0) {
			int n = 0;
			pids[BP_SUPERVISOR] = b->pid;
			for (int i = BP_DETECTORD; i < BP_COUNT; i++) {
				pids[i] = status_worker_pid(json, bench_proc_names[i]);
				n += pids[i] > 0;
			}
			int running = 0;
			for (const char *p = json; (p = strstr(p, "\"state\":\"running\",\"restarts\"")); p++)
				running++;
			if (n == BP_COUNT - 1 && running == BP_COUNT - 1)
				return 0;
		}
		bench_sleep_ns(50 * BENCH_MS);
	}
	return -ETIMEDOUT;
}

static uint64_t task_cpu_ns(pid_t pid)
{
	char path[300];
	uint64_t sum = 0;
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		unsigned long long ns;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/schedstat", (int)pid, de->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%llu", &ns) == 1)
			sum += ns;
		fclose(f);
	}
	closedir(d);
	return sum;
}

int bench_usage(pid_t pid, struct bench_usage *u)
{
	char path[64], line[256];
	FILE *f;

	memset(u, 0, sizeof(*u));
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			u->rss_kib = strtoul(line + 6, NULL, 10);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			u->hwm_kib = strtoul(line + 6, NULL, 10);
		else if (strncmp(line, "RssShmem:", 9) == 0)
			u->shmem_kib = strtoul(line + 9, NULL, 10);
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "Pss:", 4) == 0)
			u->pss_kib = strtoul(line + 4, NULL, 10);
	if (f)
		fclose(f);
	u->cpu_ns = task_cpu_ns(pid);
	return 0;
}

int bench_usage_all(const pid_t pids[BP_COUNT], struct bench_usage *sum,
		    struct bench_usage each[BP_COUNT])
{
	struct bench_usage one;
	int rc = 0;

	memset(sum, 0, sizeof(*sum));
	for (int i = 0; i < BP_COUNT; i++) {
		if (bench_usage(pids[i], &one) < 0)
			rc = -ESRCH;
		if (each)
			each[i] = one;
		sum->cpu_ns += one.cpu_ns;
		sum->rss_kib += one.rss_kib;
		sum->hwm_kib += one.hwm_kib;
		sum->pss_kib += one.pss_kib;
		sum->shmem_kib += one.shmem_kib;
	}
	return rc;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void bench_sort_u64(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
}

uint64_t bench_quantile(const uint64_t *sorted, size_t n, double q)
{
	if (n == 0)
		return 0;
	size_t rank = (size_t)(q * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	return sorted[rank > n ? n - 1 : rank - 1];
}
