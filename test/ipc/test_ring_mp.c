// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shared event ring across processes, as the supervisor and detectord
 * use it: the producer waits for room (never drops, like the replay source),
 * consumers attach through the inherited fds, sleep on data_efd between
 * batches, and a consumer that dies is replaced by one that continues.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ring.h"
#include "ring_test_util.h"

#define EVENTS 1000000ull
#define BATCH 256

/* Child: attach, announce readiness on ready_fd, consume up to stop_at,
 * report where it stopped. Exit 0 on an exact sequence. */
static void consumer_child(struct ring *prod, int ready_fd, uint64_t stop_at)
{
	int memfd, data, space;
	struct ring *r;

	ring_fds(prod, &memfd, &data, &space);
	if (ring_attach(memfd, data, space, &r) < 0)
		_exit(2);
	ring_set_wake_latency(r, 0); /* wake on any event: no interval timer here */
	struct ring_stats st;
	ring_get_stats(r, &st);
	uint64_t next = st.consumed; /* continues where the last consumer left */
	if (write(ready_fd, &next, sizeof(next)) != sizeof(next))
		_exit(2);
	/* The 5 s poll timeout only guards against a hang; wakeups drive it. */
	int rc = rt_consume_until(r, &next, stop_at, 5000, NULL);
	ring_close(r);
	_exit(rc == 0 ? 0 : 1);
}

static pid_t spawn_consumer(struct ring *prod, uint64_t stop_at, uint64_t *starts_at)
{
	int pfd[2];

	ck_assert_int_eq(pipe(pfd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(pfd[0]);
		consumer_child(prod, pfd[1], stop_at);
	}
	close(pfd[1]);
	ck_assert_int_eq(read(pfd[0], starts_at, sizeof(*starts_at)), sizeof(*starts_at));
	close(pfd[0]);
	return pid;
}

static void expect_exit_ok(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "consumer failed: status 0x%x", status);
}

/* Produces numbered events [from, to), waiting for room; calls on_stall
 * whenever the ring stays full for 100 ms. */
static void produce_all(struct ring *r, uint64_t from, uint64_t to,
			void (*on_stall)(void *), void *arg)
{
	struct aod_event ev[BATCH];

	while (from < to) {
		size_t k = to - from < BATCH ? (size_t)(to - from) : BATCH;
		rt_fill(ev, k, from, 1);
		size_t done = 0;
		while (done < k) {
			done += ring_produce(r, ev + done, k - done);
			if (done == k)
				break;
			int rc = ring_wait_space(r, 100);
			ck_assert_int_ge(rc, 0);
			if (rc == 0 && on_stall)
				on_stall(arg);
		}
		from += k;
	}
}

START_TEST(test_million_events_two_processes)
{
	struct ring *r;
	struct ring_stats st;
	uint64_t start;

	ck_assert_int_eq(ring_create(4096, &r), 0);
	pid_t pid = spawn_consumer(r, EVENTS, &start);
	ck_assert_uint_eq(start, 0);
	produce_all(r, 0, EVENTS, NULL, NULL);
	expect_exit_ok(pid);

	ring_get_stats(r, &st);
	ck_assert_uint_eq(st.produced, EVENTS);
	ck_assert_uint_eq(st.consumed, EVENTS);
	ck_assert_uint_eq(st.dropped, 0);
	ck_assert_uint_eq(st.used, 0);
	ring_close(r);
}
END_TEST

struct restart {
	struct ring *ring;
	pid_t pid;
	uint64_t resumed_at;
	int restarts;
};

/* The first consumer died: start the next one, as the supervisor would. */
static void restart_consumer(void *arg)
{
	struct restart *rs = arg;
	int status;

	if (rs->pid <= 0 || waitpid(rs->pid, &status, WNOHANG) != rs->pid)
		return;
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	rs->pid = spawn_consumer(rs->ring, EVENTS, &rs->resumed_at);
	rs->restarts++;
}

/* Child consumer that is killed mid-stream without any cleanup. */
static pid_t spawn_doomed_consumer(struct ring *prod, uint64_t dies_at)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int memfd, data, space;
		struct ring *r;
		uint64_t next = 0;
		ring_fds(prod, &memfd, &data, &space);
		if (ring_attach(memfd, data, space, &r) < 0)
			_exit(2);
		ring_set_wake_latency(r, 0);
		if (rt_consume_until(r, &next, dies_at, 5000, NULL) < 0)
			_exit(1);
		/* Peeked but never released: the next consumer must get these. */
		const struct aod_event *ev;
		(void)ring_peek(r, &ev, 100);
		kill(getpid(), SIGKILL);
		_exit(3);
	}
	return pid;
}

START_TEST(test_consumer_killed_mid_stream_resumes)
{
	struct restart rs = { 0 };
	struct ring_stats st;

	ck_assert_int_eq(ring_create(4096, &rs.ring), 0);
	rs.pid = spawn_doomed_consumer(rs.ring, 300000);
	produce_all(rs.ring, 0, EVENTS, restart_consumer, &rs);
	ck_assert_int_eq(rs.restarts, 1);
	ck_assert_uint_eq(rs.resumed_at, 300000);
	expect_exit_ok(rs.pid);

	ring_get_stats(rs.ring, &st);
	ck_assert_uint_eq(st.produced, EVENTS);
	ck_assert_uint_eq(st.consumed, EVENTS);
	ck_assert_uint_eq(st.dropped, 0);
	ring_close(rs.ring);
}
END_TEST

static Suite *ring_mp_suite(void)
{
	Suite *s = suite_create("ring_mp");
	TCase *tc = tcase_create("two_processes");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_million_events_two_processes);
	tcase_add_test(tc, test_consumer_killed_mid_stream_resumes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ring_mp_suite());

	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
