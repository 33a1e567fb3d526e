// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ring throughput: a producer process and a consumer process (attached
 * through the memfd, as detectord is), one core each when there are two,
 * 64-byte events in batches of 256. The producer waits for room instead of
 * dropping (as the replay source does), so the figure is the rate at which
 * the consumer takes events, with every one of them checked for order.
 *
 * Usage: bench_ring [EVENTS [CAPACITY]]  (defaults 50000000, 65536)
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ring.h"
#include "ring_test_util.h"

#define BATCH 256
#define BENCH_EMERGENCY_NS 1000000000ull

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		perror("sched_setaffinity");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void consumer(struct ring *prod, uint64_t events, int ready_fd)
{
	int memfd, data, space;
	struct ring *r;
	uint64_t next = 0, wakeups = 0;

	pin_to_cpu(1);
	ring_fds(prod, &memfd, &data, &space);
	if (ring_attach(memfd, data, space, &r) < 0)
		_exit(2);
	/* As detectord: woken by the half-full mark or an emergency, not per
	 * event; the producer marks the last event as an emergency. */
	ring_set_wake_latency(r, BENCH_EMERGENCY_NS);
	char c = 'r';
	if (write(ready_fd, &c, 1) != 1)
		_exit(2);
	int rc = rt_consume_until(r, &next, events, 5000, &wakeups);
	if (write(ready_fd, &wakeups, sizeof(wakeups)) != sizeof(wakeups))
		_exit(2);
	ring_close(r);
	_exit(rc == 0 ? 0 : 1);
}

/* Returns how many times the producer had to wait for room, or -1. */
static long produce(struct ring *r, uint64_t events)
{
	struct aod_event ev[BATCH];
	long waits = 0;

	rt_fill(ev, BATCH, 0, 1000);
	for (uint64_t seq = 0; seq < events;) {
		size_t k = events - seq < BATCH ? (size_t)(events - seq) : BATCH;
		/* What a real source does per event: a few fields change. */
		for (size_t i = 0; i < k; i++) {
			ev[i].message_id = seq + i;
			ev[i].ts_ns = 1000 + seq + i;
		}
		if (seq + k == events)
			ev[k - 1].latency_ns = BENCH_EMERGENCY_NS;
		size_t done = 0;
		while ((done += ring_produce(r, ev + done, k - done)) < k) {
			waits++;
			if (ring_wait_space(r, 5000) <= 0)
				return -1;
		}
		seq += k;
	}
	return waits;
}

int main(int argc, char **argv)
{
	uint64_t events = argc > 1 ? strtoull(argv[1], NULL, 10) : 50000000ull;
	uint32_t capacity = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 65536;
	struct ring *r;
	int pfd[2];
	char c;

	if (events == 0 || ring_create(capacity, &r) < 0 || pipe(pfd) < 0) {
		fprintf(stderr, "bench_ring: bad arguments or cannot create the ring\n");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(pfd[0]);
		consumer(r, events, pfd[1]);
	}
	close(pfd[1]);
	pin_to_cpu(0);
	if (read(pfd[0], &c, 1) != 1)
		return 1;

	double t0 = now_s();
	long waits = produce(r, events);
	uint64_t wakeups = 0;
	ssize_t got = read(pfd[0], &wakeups, sizeof(wakeups));
	double elapsed = now_s() - t0;
	int status;
	waitpid(pid, &status, 0);
	if (waits < 0 || got != sizeof(wakeups) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_ring: run failed (producer waits %ld, consumer status 0x%x)\n",
			waits, status);
		return 1;
	}

	struct ring_stats st;
	ring_get_stats(r, &st);
	printf("ring: 2 processes, %zu-byte events, %llu events, %.1f M events/s, dropped %llu\n",
	       sizeof(struct aod_event), (unsigned long long)st.consumed,
	       (double)st.consumed / elapsed / 1e6, (unsigned long long)st.dropped);
	printf("ring: capacity %u, batch %d, %.3f s, producer waited for room %ld times, "
	       "consumer woken %llu times\n",
	       st.capacity, BATCH, elapsed, waits, (unsigned long long)wakeups);
	ring_close(r);
	return st.consumed == events && st.dropped == 0 ? 0 : 1;
}
