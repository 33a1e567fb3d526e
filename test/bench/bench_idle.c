// SPDX-License-Identifier: GPL-2.0-only
/*
 * Idle cost: aodv2-supervisor as shipped (default config, the bpf source:
 * the probes loaded and, without cifs.ko, waiting for it) and its three
 * workers, with no SMB traffic. After a 5 s settle, the on-CPU time of all
 * four processes (every thread, from /proc/<pid>/task/<tid>/schedstat, ns)
 * over 60 s, and their resident memory. Without BPF (no root, no BTF) the
 * replay source with an empty recording stands in and the figure says so.
 *
 * The default config arms the flight recorder: the packet ring's tcpdump (a
 * child of the supervisor) is measured on its own, and the trace ring's
 * kernel buffer is read from its tracefs instance.
 *
 * Usage: bench_idle [SECONDS]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <unistd.h>

#include "benchenv.h"

/* The supervisor's child named tcpdump (the packet ring), or -1. */
static pid_t ring_capture(pid_t sup)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t found = -1;
	while (d && found < 0 && (de = readdir(d)) != NULL) {
		char path[64], buf[256];
		if (de->d_name[0] < '1' || de->d_name[0] > '9' || strlen(de->d_name) > 10)
			continue;
		snprintf(path, sizeof(path), "/proc/%.10s/stat", de->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		int pid, ppid;
		char comm[32];
		if (fgets(buf, sizeof(buf), f) && sscanf(buf, "%d (%31[^)]) %*c %d", &pid, comm, &ppid) == 3 &&
		    ppid == sup && strcmp(comm, "tcpdump") == 0)
			found = pid;
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

/* The trace ring's kernel buffer (KiB, all CPUs), -1 when there is none. */
static long trace_ring_kib(pid_t sup)
{
	char path[128];
	long kib = -1;
	snprintf(path, sizeof(path), "/sys/kernel/tracing/instances/aodv2-%d/buffer_total_size_kb", (int)sup);
	FILE *f = fopen(path, "r");
	if (f && fscanf(f, "%ld", &kib) != 1)
		kib = -1;
	if (f)
		fclose(f);
	return kib;
}

static int start(struct bench_sup *b, pid_t pids[BP_COUNT], const char *source)
{
	int rc = bench_sup_init(b, NULL);

	if (rc == 0)
		rc = source ? bench_sup_start(b, "--source", source, NULL) : bench_sup_start(b, NULL);
	if (rc == 0)
		rc = bench_sup_ready(b, pids, 20000);
	if (rc < 0)
		bench_sup_stop(b, false);
	return rc;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 60.0;
	struct bench_usage before, after, each[BP_COUNT];
	struct bench_sup b;
	pid_t pids[BP_COUNT];
	char source[300] = "bpf (probes loaded, cifs absent)", how[512], fig[128];

	if (start(&b, pids, NULL) < 0) {
		char csv[] = "/var/tmp/aodbench-empty.XXXXXX";
		int fd = mkstemp(csv);
		FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!f || fprintf(f, "ts_ns,kind,command,latency_ns,errno,nt_status,session_id,tree_id,"
			   "message_id,pid,comm\n") < 0 || fclose(f) != 0)
			return 1;
		snprintf(source, sizeof(source), "replay:%s", csv);
		fprintf(stderr, "bench_idle: the bpf source did not start; measuring with an empty replay\n");
		if (start(&b, pids, source) < 0) {
			fprintf(stderr, "bench_idle: the supervisor did not start (log: %s)\n", b.log);
			return 1;
		}
		snprintf(source, sizeof(source), "empty replay (bpf source unavailable)");
	}
	bench_sleep_ns(5 * BENCH_SEC);
	pid_t cap = ring_capture(pids[BP_SUPERVISOR]);
	struct bench_usage cap0 = { 0 }, cap1 = { 0 };
	if (cap > 0)
		bench_usage(cap, &cap0);
	long trace_kib = trace_ring_kib(pids[BP_SUPERVISOR]);
	bench_usage_all(pids, &before, NULL);
	uint64_t t0 = bench_mono_ns();
	bench_sleep_ns((uint64_t)(secs * 1e9));
	uint64_t t1 = bench_mono_ns();
	int rc = bench_usage_all(pids, &after, each);
	bool cap_ok = cap > 0 && bench_usage(cap, &cap1) == 0;
	bench_sup_stop(&b, false);
	if (rc < 0) {
		fprintf(stderr, "bench_idle: a process went away during the measurement\n");
		return 1;
	}
	for (int i = 0; i < BP_COUNT; i++)
		printf("idle: %-10s RSS %6lu KiB (peak %6lu KiB), PSS %6lu KiB\n", bench_proc_names[i],
		       each[i].rss_kib, each[i].hwm_kib, each[i].pss_kib);
	double cpu = (double)(after.cpu_ns - before.cpu_ns) / 1e9;
	snprintf(fig, sizeof(fig), "idle: CPU seconds of all 4 processes over %.0f s", (t1 - t0) / 1e9);
	snprintf(how, sizeof(how), "schedstat on-CPU ns of every thread; source %s", source);
	bench_report("idle.cpu_seconds", cpu, "s", "<0.05", fig, how);
	snprintf(how, sizeof(how), "VmRSS sum at the end of the idle run (sup %lu + det %lu + col %lu + swp %lu KiB)",
		 each[0].rss_kib, each[1].rss_kib, each[2].rss_kib, each[3].rss_kib);
	bench_report("idle.rss_total", after.rss_kib / 1024.0, "MiB", "<16",
		     "idle: total RSS of the 4 processes", how);
	bench_report("idle.pss_total", after.pss_kib / 1024.0, "MiB", "<16",
		     "idle: total PSS of the 4 processes (shared ring pages counted once)",
		     "Pss sum from /proc/<pid>/smaps_rollup");
	if (cap_ok) {
		snprintf(fig, sizeof(fig), "idle: CPU seconds of the packet ring's tcpdump over %.0f s",
			 (t1 - t0) / 1e9);
		bench_report("idle.ring_capture_cpu_seconds", (double)(cap1.cpu_ns - cap0.cpu_ns) / 1e9,
			     "s", "<0.05", fig, "schedstat on-CPU ns; flight recorder armed by default, "
			     "no SMB traffic");
		snprintf(how, sizeof(how), "VmRSS (PSS %lu KiB); its ring files live on /run (tmpfs), "
			 "at most 16 MB by default", cap1.pss_kib);
		bench_report("idle.ring_capture_rss", cap1.rss_kib / 1024.0, "MiB", "-",
			     "idle: RSS of the packet ring's tcpdump", how);
	} else {
		fprintf(stderr, "bench_idle: no packet ring (tcpdump) was running\n");
	}
	if (trace_kib >= 0)
		bench_report("idle.trace_ring_kib", trace_kib / 1024.0, "MiB", "-",
			     "the cifs trace ring's kernel buffer (all CPUs)",
			     "buffer_total_size_kb of the tracefs instance (1024 KiB per CPU by default; "
			     "allocated by the kernel, in no process's RSS)");
	return 0;
}
