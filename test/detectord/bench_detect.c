// SPDX-License-Identifier: GPL-2.0-only
/*
 * Judging throughput of detectord's handlers on one core: a ring's worth of
 * synthetic events (65536, the default ring_capacity_events) is judged over
 * and over, its timestamps moved on 10 ms per pass so windows (1 s) open and
 * close as they do live. Prints one line per case and the process's max RSS.
 * Only detect_judge is timed, in thread CPU time (other load on the machine
 * delays the pass but is not counted); moving the timestamps is not timed.
 * The figure is events per CPU second over all passes; the best pass shows
 * what an idle machine reaches.
 *
 * Then the real aodv2-detectord process: this process produces events into a
 * ring as fast as it can and the detector judges them; prints the events/s
 * through the pair and the detector's peak resident memory (VmHWM).
 */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "det_util.h"
#include "dproc.h"
#include "log.h"
#include "proto.h"

#define BENCH_EVENTS 65536u
#define BENCH_SECONDS 1.5

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

static uint32_t rnd_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Latency events: 1..15 ms, SMB2_WRITE up to 49 ms (its threshold is 50);
 * violations_pm per mille are 21..120 ms. */
static void fill_latency(struct aod_event *ev, unsigned violations_pm)
{
	uint32_t s = 2463534242u;

	for (unsigned i = 0; i < BENCH_EVENTS; i++) {
		int cmd = (int)(rnd_next(&s) % AOD_SMB2_NR_COMMANDS);
		uint64_t lat = 1 * MS + rnd_next(&s) % (14 * MS);
		if (cmd == SMB2_WRITE)
			lat += rnd_next(&s) % (34 * MS);
		if (rnd_next(&s) % 1000 < violations_pm)
			lat = 21 * MS + rnd_next(&s) % (100 * MS);
		ev[i] = dt_lat(T0 + i * 150ull, cmd, lat);
		ev[i].session_id = i;
	}
}

/* Error events (what smbiosnoop emits): errors_pm per mille carry a tracked
 * errno (EIO, EACCES, EAGAIN), the rest ENOENT, EEXIST, ENODATA. */
static void fill_error(struct aod_event *ev, unsigned errors_pm)
{
	static const int tracked[] = { EIO, EACCES, EAGAIN }, other[] = { ENOENT, EEXIST, ENODATA };
	uint32_t s = 88172645u;

	for (unsigned i = 0; i < BENCH_EVENTS; i++) {
		int cmd = (int)(rnd_next(&s) % AOD_SMB2_NR_COMMANDS);
		int err = rnd_next(&s) % 1000 < errors_pm ? tracked[rnd_next(&s) % 3] : other[rnd_next(&s) % 3];
		ev[i] = dt_err(T0 + i * 150ull, cmd, err);
	}
}

static void add_latency(struct dt_config *t)
{
	struct aod_anomaly_cfg *a = dt_anomaly(t, "latency", AOD_TYPE_LATENCY, AOD_MODE_ALL, 10);

	dt_track_command(a, SMB2_WRITE, 50);
	a->cooldown_sec = 60;
}

static void add_error(struct dt_config *t)
{
	struct aod_anomaly_cfg *a = dt_anomaly(t, "error", AOD_TYPE_ERROR, AOD_MODE_TRACKONLY, 10);

	dt_track_code(a, EACCES);
	dt_track_code(a, EAGAIN);
	dt_track_code(a, EIO);
	a->cooldown_sec = 60;
}

static void quiet_emit(const struct proto_anomaly *a, void *arg)
{
	(void)a;
	++*(unsigned long *)arg;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Times passes until BENCH_SECONDS of CPU time went into judging. */
static int run(const char *label, const struct dt_config *t, struct aod_event *ev)
{
	static uint64_t pass_ns[100000];
	struct detect *d;
	char err[256];
	unsigned long anomalies = 0;
	uint64_t spent = 0;
	size_t passes = 0;

	if (detect_create(&t->cfg, WALL_OFFSET, quiet_emit, &anomalies, &d, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench: %s: %s\n", label, err);
		return -1;
	}
	detect_judge(d, ev, BENCH_EVENTS); /* warm up */
	while (spent < (uint64_t)(BENCH_SECONDS * SEC) && passes < 100000) {
		for (unsigned i = 0; i < BENCH_EVENTS; i++)
			ev[i].ts_ns += 10 * MS;
		uint64_t t0 = now_ns();
		detect_judge(d, ev, BENCH_EVENTS);
		pass_ns[passes] = now_ns() - t0;
		spent += pass_ns[passes++];
	}
	detect_free(d);
	qsort(pass_ns, passes, sizeof(pass_ns[0]), cmp_u64);
	printf("%-52s %6.1f M events/s on one core (best pass %.1f; %lu anomalies sent)\n",
	       label, (double)(passes * BENCH_EVENTS) / ((double)spent / 1e9) / 1e6,
	       BENCH_EVENTS / ((double)pass_ns[0] / 1e9) / 1e6, anomalies);
	return 0;
}

static const char proc_yaml[] =
	"watch_interval_sec: 1\n"
	"aod_output_dir: /var/tmp/aodv2-bench\n"
	"guardian:\n"
	"  anomalies:\n"
	"    latency:\n"
	"      type: Latency\n"
	"      acceptable_count: 10\n"
	"      default_threshold_ms: 20\n"
	"      cooldown_sec: 60\n"
	"      track_commands:\n"
	"        - command: SMB2_WRITE\n"
	"          threshold: 50\n"
	"    error:\n"
	"      type: Error\n"
	"      mode: trackonly\n"
	"      acceptable_count: 10\n"
	"      track_codes: [EACCES, EAGAIN, EIO]\n";

/* Waits for a message of that type, skipping anomalies; 0 or -errno. */
static int proc_expect(struct dproc *p, uint16_t type)
{
	for (;;) {
		int r = dproc_recv(p, 10000);
		if (r <= 0)
			return r ? r : -ETIMEDOUT;
		if (p->m->type == type)
			return 0;
		if (p->m->type != PROTO_ANOMALY)
			return -EBADMSG;
	}
}

static unsigned long proc_vm_kib(pid_t pid, const char *key)
{
	char path[64], line[256];
	unsigned long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtoul(line + strlen(key), NULL, 10);
	fclose(f);
	return v;
}

static int produce_all(struct ring *r, struct aod_event *ev, uint64_t total)
{
	uint64_t base = dproc_mono_ns(), done = 0;

	while (done < total) {
		size_t k = total - done < BENCH_EVENTS ? (size_t)(total - done) : BENCH_EVENTS;
		for (size_t i = 0; i < k; i++)
			ev[i].ts_ns = base + (done + i) * 150u;
		for (size_t put = 0; put < k;) {
			put += ring_produce(r, ev + put, k - put);
			if (put < k && ring_wait_space(r, 10000) < 1)
				return -ETIMEDOUT;
		}
		done += k;
	}
	return 0;
}

static int run_process(struct aod_event *ev)
{
	const uint64_t total = 20000000;
	struct dproc p;
	struct ring_stats rs;
	int r = dproc_start(&p, 65536);

	if (r == 0)
		r = dproc_send(&p, PROTO_CONFIG, proc_yaml, sizeof(proc_yaml) - 1);
	if (r == 0)
		r = proc_expect(&p, PROTO_READY);
	if (r < 0) {
		fprintf(stderr, "bench: starting %s: %s\n", dproc_binary(), strerror(-r));
		dproc_stop(&p);
		return -1;
	}
	fill_latency(ev, 10);
	uint64_t t0 = dproc_mono_ns();
	r = produce_all(p.ring, ev, total);
	do {
		ring_get_stats(p.ring, &rs);
		if (rs.consumed < total)
			dproc_sleep_until(dproc_mono_ns() + 200000u);
	} while (r == 0 && rs.consumed < total && dproc_mono_ns() - t0 < 60 * SEC);
	uint64_t t1 = dproc_mono_ns();
	unsigned long hwm = proc_vm_kib(p.pid, "VmHWM:");
	uint32_t deadline_ms = 5000;
	if (r == 0 && rs.consumed == total && dproc_send(&p, PROTO_SHUTDOWN, &deadline_ms, 4) == 0 &&
	    proc_expect(&p, PROTO_DRAINED) == 0 && dproc_wait(&p, 5000) == 0) {
		printf("%-52s %6.1f M events/s through the ring (2 processes)\n",
		       "aodv2-detectord process, default anomalies:",
		       (double)total / ((double)(t1 - t0) / 1e9) / 1e6);
		printf("%-52s %6.1f MiB\n", "peak RSS (VmHWM) of aodv2-detectord:", hwm / 1024.0);
		r = 0;
	} else {
		fprintf(stderr, "bench: the detectord process consumed %llu of %llu events\n",
			(unsigned long long)rs.consumed, (unsigned long long)total);
		r = -1;
	}
	dproc_stop(&p);
	return r;
}

int main(void)
{
	struct aod_event *ev = aligned_alloc(64, BENCH_EVENTS * sizeof(*ev));
	struct dt_config t;
	struct rusage ru;
	int r = 0;

	log_set_level(LOG_WARNING); /* anomalies would log at INFO */
	if (!ev)
		return 1;

	dt_config_init(&t, 1.0);
	add_latency(&t);
	fill_latency(ev, 10);
	r |= run("latency handler with summary, 1% violations:", &t, ev);
	fill_latency(ev, 0);
	r |= run("latency handler with summary, no violations:", &t, ev);
	fill_latency(ev, 200);
	r |= run("latency handler with summary, 20% violations:", &t, ev);

	dt_config_init(&t, 1.0);
	add_error(&t);
	fill_error(ev, 300);
	r |= run("error handler, error events, 30% tracked errnos:", &t, ev);

	dt_config_init(&t, 1.0);
	add_latency(&t);
	add_error(&t);
	fill_latency(ev, 10);
	r |= run("default config (latency + error), latency events:", &t, ev);

	getrusage(RUSAGE_SELF, &ru);
	printf("%-52s %6.1f MiB\n", "max RSS of this benchmark process:", ru.ru_maxrss / 1024.0);
	r |= run_process(ev);
	free(ev);
	return r ? 1 : 0;
}
