// SPDX-License-Identifier: GPL-2.0-only
/*
 * collectord benchmark (a figure, not a pass/fail test):
 *  1. anomaly -> first action started: the supervisor's end sends ANOMALY
 *     and the fake dmesg prints CLOCK_MONOTONIC as it starts (external,
 *     includes the message hop, fork and exec); collectord's own figure
 *     (anomaly received -> child forked) from the manifest's
 *     started_after_ms. p50/p99/max over many collections. Target < 5 ms.
 *  2. collectord's peak RSS (VmHWM) while collecting all eight actions with
 *     large outputs (tens of MiB each, 4 at once, zstd level 3). Target
 *     < 8 MiB. Also the collection's wall time against the sum of its
 *     actions' durations (concurrency).
 * Run: meson test -C build --benchmark --suite bench (non-sanitized build).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "msg.h"
#include "proto.h"

#define LAT_RUNS 300

static const char *worker_exe, *stamp_exe;
static char top[256];
static struct msg *m;

static void die(const char *what)
{
	fprintf(stderr, "bench_collectord: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void mkdir_p(const char *path)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	mkdir(buf, 0755);
}

static void put(const char *path, const char *text, mode_t mode)
{
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	mkdir_p(dir);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0 || chmod(path, mode) != 0)
		die(path);
}

/* A text file of about bytes bytes, like a kernel log. */
static void put_log(const char *path, size_t bytes)
{
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	mkdir_p(dir);
	FILE *f = fopen(path, "w");
	if (!f)
		die(path);
	for (size_t n = 0, i = 0; n < bytes; i++)
		n += (size_t)fprintf(f, "Nov 22 01:02:%02zu host kernel: CIFS: VFS: \\\\srv\\share "
				     "request %zu took %zu ms\n", i % 60, i, i % 997);
	fclose(f);
}

static void rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;
		while (d && (de = readdir(d)) != NULL) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			char sub[1024];
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			rm_rf(sub);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	size_t r;
	while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap)
			buf = realloc(buf, (cap *= 2) + 1);
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

struct worker {
	int sock;
	pid_t pid;
};

static struct worker worker_start(const char *bin, const char *root, const char *yaml)
{
	int sv[2];
	struct worker w;
	if (msg_socketpair(sv) != 0)
		die("socketpair");
	w.pid = fork();
	if (w.pid < 0)
		die("fork");
	if (w.pid == 0) {
		if (dup2(sv[1], MSG_WORKER_FD) < 0)
			_exit(127);
		syscall(SYS_close_range, MSG_WORKER_FD + 1, ~0u, 0u);
		execl(worker_exe, "bench_collectord_worker", bin, root, (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	w.sock = sv[0];
	if (msg_send(w.sock, PROTO_CONFIG, yaml, strlen(yaml), -1) != 0)
		die("send CONFIG");
	return w;
}

static void expect(struct worker *w, uint16_t type)
{
	struct pollfd pfd = { .fd = w->sock, .events = POLLIN };
	if (poll(&pfd, 1, 120000) != 1 || msg_recv(w->sock, m) != 1 || m->type != type) {
		fprintf(stderr, "bench_collectord: expected %s\n", proto_type_name(type));
		exit(1);
	}
}

static void worker_stop(struct worker *w)
{
	uint32_t deadline = 2000;
	msg_send(w->sock, PROTO_SHUTDOWN, &deadline, sizeof(deadline), -1);
	expect(w, PROTO_DRAINED);
	close(w->sock);
	waitpid(w->pid, NULL, 0);
}

static void anomaly(struct worker *w, const char *name, uint64_t ts)
{
	struct proto_anomaly a;
	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name);
	a.type = PROTO_ANOMALY_LATENCY;
	a.timestamp_ns = ts;
	if (msg_send(w->sock, PROTO_ANOMALY, &a, sizeof(a), -1) != 0)
		die("send ANOMALY");
}

static long status_kib(pid_t pid, const char *field)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	char *s = slurp(path, NULL);
	char *p = s ? strstr(s, field) : NULL;
	long v = p ? strtol(p + strlen(field) + 1, NULL, 10) : -1;
	free(s);
	return v;
}

/* Sum of every "key": number after the "actions" key, and the first one
 * before it. */
static double manifest_ms(const char *manifest, const char *key, bool in_actions)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	const char *actions = strstr(manifest, "\"actions\"");
	double sum = 0;
	for (const char *p = strstr(manifest, pat); p; p = strstr(p + 1, pat)) {
		bool after = actions && p > actions;
		if (after != in_actions)
			continue;
		sum += strtod(p + strlen(pat), NULL);
		if (!in_actions)
			break;
	}
	return sum;
}

/* The smallest value of key among the manifest's actions, or -1. The first
 * action's start is the earliest: the flight recorder's parts (armed by
 * default) are actions too and start later, so neither the first entry nor
 * a sum says when the first action was forked. */
static double manifest_min_ms(const char *manifest, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	const char *actions = strstr(manifest, "\"actions\"");
	double min = -1;
	for (const char *p = actions ? strstr(actions, pat) : NULL; p; p = strstr(p + 1, pat)) {
		double v = strtod(p + strlen(pat), NULL);
		if (min < 0 || v < min)
			min = v;
	}
	return min;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void print_dist(const char *what, uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(v[0]), cmp_u64);
	printf("%-58s p50 %7.3f ms  p99 %7.3f ms  max %7.3f ms  (n=%zu)\n", what,
	       (double)v[n / 2] / 1e6, (double)v[(n * 99) / 100] / 1e6, (double)v[n - 1] / 1e6, n);
}

static const char yaml_fmt[] =
	"aod_output_dir: %s/out\n"
	"guardian:\n  anomalies:\n"
	"    latency:\n      type: Latency\n      tool: smbslower\n      actions: [dmesg]\n"
	"    all:\n      type: Error\n      tool: smbiosnoop\n"
	"      actions: [dmesg, journalctl, debugdata, stats, mounts, smbinfo, syslogs, tcpdump]\n"
	"watcher:\n  actions: [dmesg, journalctl, debugdata, stats, mounts, smbinfo, syslogs, tcpdump]\n"
	"  max_concurrent_tasks: 4\n  action_timeout_sec: 60\n  compression_level: 3\n"
	"  tcpdump_duration_sec: 30\n";

static void bench_latency(const char *yaml)
{
	char bin[300], root[300], link[400];
	snprintf(bin, sizeof(bin), "%s/bin-lat", top);
	snprintf(root, sizeof(root), "%s/root", top);
	mkdir_p(bin);
	snprintf(link, sizeof(link), "%s/dmesg", bin);
	if (symlink(stamp_exe, link) != 0)
		die("symlink stamp");
	struct worker w = worker_start(bin, root, yaml);
	expect(&w, PROTO_READY);

	static uint64_t ext[LAT_RUNS], inside[LAT_RUNS];
	for (int i = 0; i < LAT_RUNS; i++) {
		uint64_t ts = 1000 + (uint64_t)i;
		uint64_t t0 = mono_ns();
		anomaly(&w, "latency", ts);
		expect(&w, PROTO_COLLECTION_DONE);
		char path[600], *zst, *manifest;
		size_t zlen;
		snprintf(path, sizeof(path), "%s/out/aod_%llu/dmesg.txt.zst", top, (unsigned long long)ts);
		zst = slurp(path, &zlen);
		char text[64] = "";
		size_t n = zst ? ZSTD_decompress(text, sizeof(text) - 1, zst, zlen) : 0;
		if (!zst || ZSTD_isError(n))
			die("decompress the stamp");
		text[n] = '\0';
		ext[i] = strtoull(text, NULL, 10) - t0;
		snprintf(path, sizeof(path), "%s/out/aod_%llu/manifest.json", top, (unsigned long long)ts);
		manifest = slurp(path, NULL);
		double first = manifest_min_ms(manifest, "started_after_ms");
		if (first < 0)
			die("no action in the manifest");
		inside[i] = (uint64_t)(first * 1e6);
		free(zst);
		free(manifest);
		snprintf(path, sizeof(path), "%s/out/aod_%llu", top, (unsigned long long)ts);
		rm_rf(path);
	}
	worker_stop(&w);
	print_dist("anomaly received -> first action forked (collectord)", inside, LAT_RUNS);
	print_dist("ANOMALY sent -> first helper running (after exec)", ext, LAT_RUNS);
}

static void bench_rss(const char *yaml)
{
	char bin[300], root[300], path[600];
	snprintf(bin, sizeof(bin), "%s/bin-all", top);
	snprintf(root, sizeof(root), "%s/root", top);
	static const struct {
		const char *name, *body;
	} programs[] = {
		{ "dmesg", "exec seq 1 4000000\n" },                        /* ~30 MB of text */
		{ "journalctl", "exec seq 1000000 4000000\n" },              /* ~24 MB */
		{ "tcpdump", "exec head -c 40000000 /dev/urandom\n" },       /* 40 MB, incompressible */
		{ "smbinfo", "exec seq 1 300000\n" },                        /* per query and mount */
	};
	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		char text[256];
		snprintf(path, sizeof(path), "%s/%s", bin, programs[i].name);
		snprintf(text, sizeof(text), "#!/bin/sh\n%s", programs[i].body);
		put(path, text, 0755);
	}
	snprintf(path, sizeof(path), "%s/run/systemd/journal/socket", root);
	put(path, "", 0644);
	snprintf(path, sizeof(path), "%s/proc/fs/cifs/DebugData", root);
	put_log(path, 8u << 20);
	snprintf(path, sizeof(path), "%s/proc/fs/cifs/Stats", root);
	put_log(path, 2u << 20);
	snprintf(path, sizeof(path), "%s/proc/fs/cifs/open_files", root);
	put(path, "# Version:1\n", 0644);
	snprintf(path, sizeof(path), "%s/proc/mounts", root);
	put(path, "//srv/a /mnt/a cifs rw 0 0\n//srv/b /mnt/b smb3 rw 0 0\n", 0644);
	snprintf(path, sizeof(path), "%s/proc/self/mountinfo", root);
	put(path, "40 22 0:50 / /mnt/a rw - cifs //srv/a rw\n", 0644);
	snprintf(path, sizeof(path), "%s/var/log/syslog", root);
	put_log(path, 16u << 20);

	struct worker w = worker_start(bin, root, yaml);
	expect(&w, PROTO_READY);
	long idle_rss = status_kib(w.pid, "VmRSS:");
	long idle_hwm = status_kib(w.pid, "VmHWM:");
	uint64_t t0 = mono_ns();
	anomaly(&w, "all", 5);
	expect(&w, PROTO_COLLECTION_DONE);
	uint64_t wall = mono_ns() - t0;
	long hwm = status_kib(w.pid, "VmHWM:");
	struct proto_collection_done d;
	memcpy(&d, m->body, sizeof(d));
	worker_stop(&w);

	snprintf(path, sizeof(path), "%s/out/aod_5/manifest.json", top);
	char *manifest = slurp(path, NULL);
	double sum = manifest_ms(manifest, "duration_ms", true);
	double raw = manifest_ms(manifest, "bytes", true);
	double zst = manifest_ms(manifest, "bytes_compressed", true);
	free(manifest);
	printf("collectord RSS idle after READY: %ld KiB (peak so far %ld KiB)\n", idle_rss, idle_hwm);
	printf("collectord peak RSS (VmHWM) collecting all 8 actions: %ld KiB = %.2f MiB "
	       "(%u ok, %u failed; %.1f MiB raw -> %.1f MiB zstd)\n",
	       hwm, (double)hwm / 1024.0, d.actions_ok, d.actions_failed, raw / 1048576.0,
	       zst / 1048576.0);
	printf("collection wall time %.0f ms; sum of its actions' durations %.0f ms "
	       "(4 at once)\n", (double)wall / 1e6, sum);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench_collectord WORKER_EXE STAMP_EXE\n");
		return 1;
	}
	worker_exe = argv[1];
	stamp_exe = argv[2];
	m = malloc(sizeof(*m));
	signal(SIGPIPE, SIG_IGN);
	snprintf(top, sizeof(top), "/tmp/aod-bench-XXXXXX");
	if (!mkdtemp(top))
		die("mkdtemp");
	char yaml[2048];
	snprintf(yaml, sizeof(yaml), yaml_fmt, top);
#if defined(__SANITIZE_ADDRESS__)
	printf("note: sanitizer build: memory figures are not representative\n");
#endif
	bench_rss(yaml);
	bench_latency(yaml);
	rm_rf(top);
	free(m);
	return 0;
}
