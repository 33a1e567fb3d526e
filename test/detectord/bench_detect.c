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
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "det_util.h"
#include "log.h"

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
	printf("%-52s %6.1f MiB\n", "max RSS of the judging process:", ru.ru_maxrss / 1024.0);
	free(ev);
	return r ? 1 : 0;
}
