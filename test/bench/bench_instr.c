// SPDX-License-Identifier: GPL-2.0-only
/*
 * The repeatable figures: a fixed amount of work for callgrind to count
 * instructions of (run-bench.sh runs it under valgrind --tool=callgrind
 * --toggle-collect=<the function> and divides by the event count it prints).
 *
 *   bench_instr latency PASSES  detect_judge, the latency handler with its
 *       per-command summary (threshold 20 ms, SMB2_WRITE 50 ms), 1% of the
 *       events violations, PASSES x 65536 events
 *   bench_instr error PASSES    detect_judge, the error handler (trackonly
 *       EACCES/EAGAIN/EIO), 30% tracked errnos
 *   bench_instr ring PASSES     ring_produce + ring_peek + ring_release in
 *       one process, batches of 256, PASSES x 65536 events
 *
 * Prints "events N" on stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "det_util.h"
#include "log.h"
#include "ring.h"

#define EVENTS 65536u

static uint32_t rnd_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void fill(struct aod_event *ev, bool errors)
{
	static const int tracked[] = { EIO, EACCES, EAGAIN }, other[] = { ENOENT, EEXIST, ENODATA };
	uint32_t s = 2463534242u;

	for (unsigned i = 0; i < EVENTS; i++) {
		int cmd = (int)(rnd_next(&s) % AOD_SMB2_NR_COMMANDS);
		if (errors) {
			bool hit = rnd_next(&s) % 1000 < 300;
			ev[i] = dt_err(T0 + i * 150ull, cmd, hit ? tracked[rnd_next(&s) % 3] : other[rnd_next(&s) % 3]);
			continue;
		}
		uint64_t lat = 1 * MS + rnd_next(&s) % (14 * MS);
		if (rnd_next(&s) % 1000 < 10)
			lat = 21 * MS + rnd_next(&s) % (100 * MS);
		ev[i] = dt_lat(T0 + i * 150ull, cmd, lat);
	}
}

static void count_emit(const struct proto_anomaly *a, void *arg)
{
	(void)a;
	++*(unsigned long *)arg;
}

static int judge(struct aod_event *ev, bool errors, unsigned passes)
{
	struct dt_config t;
	struct detect *d;
	unsigned long anomalies = 0;
	char err[256];

	dt_config_init(&t, 1.0);
	if (errors) {
		struct aod_anomaly_cfg *a = dt_anomaly(&t, "error", AOD_TYPE_ERROR, AOD_MODE_TRACKONLY, 10);
		dt_track_code(a, EACCES);
		dt_track_code(a, EAGAIN);
		dt_track_code(a, EIO);
		a->cooldown_sec = 60;
	} else {
		struct aod_anomaly_cfg *a = dt_anomaly(&t, "latency", AOD_TYPE_LATENCY, AOD_MODE_ALL, 10);
		dt_track_command(a, SMB2_WRITE, 50);
		a->cooldown_sec = 60;
	}
	fill(ev, errors);
	if (detect_create(&t.cfg, WALL_OFFSET, count_emit, &anomalies, &d, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_instr: %s\n", err);
		return -1;
	}
	for (unsigned p = 0; p < passes; p++) {
		detect_judge(d, ev, EVENTS);
		for (unsigned i = 0; i < EVENTS; i++)
			ev[i].ts_ns += 10 * MS;
	}
	detect_free(d);
	printf("events %llu anomalies %lu\n", (unsigned long long)passes * EVENTS, anomalies);
	return 0;
}

/* One batch through the ring: what the producer and the consumer each do.
 * Not static: callgrind finds it by this name. */
size_t ring_pass(struct ring *p, struct ring *c, const struct aod_event *ev, size_t n);
__attribute__((noinline)) size_t ring_pass(struct ring *p, struct ring *c, const struct aod_event *ev,
					    size_t n)
{
	const struct aod_event *got;
	size_t put = ring_produce(p, ev, n);
	long k = ring_peek(c, &got, put);

	if (k > 0)
		ring_release(c, (size_t)k);
	return k > 0 ? (size_t)k : 0;
}

static int ring(struct aod_event *ev, unsigned passes)
{
	struct ring *r, *c;
	unsigned long long moved = 0;
	int memfd, data, space;

	fill(ev, false);
	if (ring_create(65536, &r) < 0)
		return -1;
	ring_fds(r, &memfd, &data, &space);
	if (ring_attach(memfd, data, space, &c) < 0) {
		ring_close(r);
		return -1;
	}
	ring_set_wake_latency(c, 2000 * MS);
	for (unsigned p = 0; p < passes; p++)
		for (unsigned i = 0; i < EVENTS; i += 256)
			moved += ring_pass(r, c, ev + i, 256);
	ring_close(c);
	ring_close(r);
	printf("events %llu\n", moved);
	return moved == (unsigned long long)passes * EVENTS ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct aod_event *ev = aligned_alloc(64, EVENTS * sizeof(*ev));
	unsigned passes = argc > 2 ? (unsigned)atoi(argv[2]) : 20;
	int rc = -1;

	log_set_level(LOG_WARNING);
	if (!ev || argc < 2)
		return 2;
	if (strcmp(argv[1], "latency") == 0 || strcmp(argv[1], "error") == 0)
		rc = judge(ev, strcmp(argv[1], "error") == 0, passes);
	else if (strcmp(argv[1], "ring") == 0)
		rc = ring(ev, passes);
	free(ev);
	return rc == 0 ? 0 : 1;
}
