// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shared event ring in one process: producer and consumer are two
 * mappings of the same memfd, as they are across processes.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ring.h"
#include "ring_layout.h"
#include "ring_test_util.h"

#define MS 1000000ull
#define SEC 1000000000ull

struct pair {
	struct ring *prod;
	struct ring *cons;
};

static void pair_open(struct pair *p, uint32_t capacity)
{
	int memfd, data, space;

	ck_assert_int_eq(ring_create(capacity, &p->prod), 0);
	ring_fds(p->prod, &memfd, &data, &space);
	ck_assert_int_eq(ring_attach(memfd, data, space, &p->cons), 0);
}

static void pair_close(struct pair *p)
{
	ring_close(p->cons);
	ring_close(p->prod);
}

/* Produces n numbered events, all of which must fit. */
static void produce_seq(struct ring *r, uint64_t first, size_t n, uint64_t latency_ns)
{
	struct aod_event ev[256];

	while (n > 0) {
		size_t k = n < 256 ? n : 256;
		rt_fill(ev, k, first, latency_ns);
		ck_assert_uint_eq(ring_produce(r, ev, k), k);
		first += k;
		n -= k;
	}
}

/* Consumes exactly n events and checks they continue the numbering. */
static void consume_seq(struct ring *r, uint64_t *next, size_t n)
{
	while (n > 0) {
		const struct aod_event *ev;
		long got = ring_peek(r, &ev, n);
		ck_assert_int_gt(got, 0);
		for (long i = 0; i < got; i++)
			ck_assert_uint_eq(ev[i].message_id, (*next)++);
		ring_release(r, (size_t)got);
		n -= (size_t)got;
	}
}

static struct ring_hdr *map_hdr(struct ring *r)
{
	int memfd;

	ring_fds(r, &memfd, NULL, NULL);
	struct ring_hdr *h = mmap(NULL, RING_HDR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ck_assert_ptr_ne(h, MAP_FAILED);
	return h;
}

START_TEST(test_capacity_rounding)
{
	struct ring *r;
	struct ring_stats st;

	ck_assert_int_eq(ring_create(100, &r), 0);
	ring_get_stats(r, &st);
	ck_assert_uint_eq(st.capacity, 128);
	ring_close(r);
	ck_assert_int_eq(ring_create(1, &r), 0);
	ring_get_stats(r, &st);
	ck_assert_uint_eq(st.capacity, RING_MIN_CAPACITY);
	ring_close(r);
	ck_assert_int_eq(ring_create(RING_MAX_CAPACITY + 1, &r), -EINVAL);
}
END_TEST

START_TEST(test_memfd_sealed)
{
	struct ring *r;
	int memfd;

	ck_assert_int_eq(ring_create(64, &r), 0);
	ring_fds(r, &memfd, NULL, NULL);
	int seals = fcntl(memfd, F_GET_SEALS);
	ck_assert_int_eq(seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL),
			 F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	ck_assert_int_eq(ftruncate(memfd, 0), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_ne(fcntl(memfd, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_ne(fcntl(ring_data_fd(r), F_GETFL) & O_NONBLOCK, 0);
	ring_close(r);
}
END_TEST

START_TEST(test_wraparound)
{
	struct pair p;
	uint64_t produced = 0, next = 0;

	pair_open(&p, 64);
	/* Batch sizes that are coprime with the capacity walk every offset. */
	for (int round = 0; round < 500; round++) {
		size_t k = 1 + (size_t)(round * 7) % 63;
		produce_seq(p.prod, produced, k, 1);
		produced += k;
		consume_seq(p.cons, &next, k);
	}
	/* A batch straddling the end of the slots comes back in two pieces. */
	produce_seq(p.prod, produced, 40, 1);
	produced += 40;
	const struct aod_event *ev;
	long first = ring_peek(p.cons, &ev, 64);
	ck_assert_int_eq(first, 64 - (long)(next % 64));
	consume_seq(p.cons, &next, 40);
	ck_assert_uint_eq(next, produced);

	struct ring_stats st;
	ring_get_stats(p.prod, &st);
	ck_assert_uint_eq(st.produced, produced);
	ck_assert_uint_eq(st.consumed, produced);
	ck_assert_uint_eq(st.dropped, 0);
	ck_assert_uint_eq(st.used, 0);
	pair_close(&p);
}
END_TEST

START_TEST(test_overflow_counted)
{
	struct pair p;
	struct aod_event ev[100];
	struct ring_stats st;
	uint64_t next = 0;

	pair_open(&p, 64);
	rt_fill(ev, 100, 0, 1);
	size_t n = ring_produce(p.prod, ev, 100);
	ck_assert_uint_eq(n, 64);
	ring_note_dropped(p.prod, 100 - n);
	ck_assert_uint_eq(ring_produce(p.prod, ev, 1), 0);
	ring_note_dropped(p.prod, 1);

	ring_get_stats(p.cons, &st);
	ck_assert_uint_eq(st.produced, 64);
	ck_assert_uint_eq(st.dropped, 37);
	ck_assert_uint_eq(st.used, 64);

	/* Room comes back exactly as the consumer releases. */
	consume_seq(p.cons, &next, 10);
	rt_fill(ev, 20, 64, 1);
	ck_assert_uint_eq(ring_produce(p.prod, ev, 20), 10);
	consume_seq(p.cons, &next, 64);
	ring_get_stats(p.prod, &st);
	ck_assert_uint_eq(st.produced, 74);
	ck_assert_uint_eq(st.consumed, 74);
	ck_assert_uint_eq(st.dropped, 37);
	pair_close(&p);
}
END_TEST

START_TEST(test_consumer_restart)
{
	struct pair p;
	int memfd, data, space;
	uint64_t next = 0;

	pair_open(&p, 128);
	ring_fds(p.prod, &memfd, &data, &space);
	produce_seq(p.prod, 0, 100, 1);
	consume_seq(p.cons, &next, 30);
	/* Peeked but not released: a restarted consumer must see these again. */
	const struct aod_event *ev;
	ck_assert_int_gt(ring_peek(p.cons, &ev, 10), 0);
	ring_close(p.cons);

	/* Events produced while no consumer is attached are kept. */
	produce_seq(p.prod, 100, 50, 1);
	ck_assert_int_eq(ring_attach(memfd, data, space, &p.cons), 0);
	consume_seq(p.cons, &next, 70);
	ring_close(p.cons);

	ck_assert_int_eq(ring_attach(memfd, data, space, &p.cons), 0);
	consume_seq(p.cons, &next, 50);
	ck_assert_uint_eq(next, 150);
	ck_assert_int_eq(ring_peek(p.cons, &ev, 10), 0);
	pair_close(&p);
}
END_TEST

/* Corrupts one thing in a fresh ring's header; attach must refuse it. */
static void expect_refused(void (*corrupt)(struct ring_hdr *h))
{
	struct ring *r, *c = NULL;
	int memfd, data, space;

	ck_assert_int_eq(ring_create(64, &r), 0);
	produce_seq(r, 0, 10, 1);
	struct ring_hdr *h = map_hdr(r);
	corrupt(h);
	ring_fds(r, &memfd, &data, &space);
	ck_assert_int_eq(ring_attach(memfd, data, space, &c), -EBADMSG);
	ck_assert_ptr_null(c);
	munmap(h, RING_HDR_SIZE);
	ring_close(r);
}

static void bad_magic(struct ring_hdr *h) { h->magic ^= 1; }
static void bad_version(struct ring_hdr *h) { h->abi_version++; }
static void bad_record_size(struct ring_hdr *h) { h->record_size = 32; }
static void bad_hdr_size(struct ring_hdr *h) { h->hdr_size = 0; }
static void capacity_not_pow2(struct ring_hdr *h) { h->capacity = 63; }
static void capacity_beyond_file(struct ring_hdr *h) { h->capacity = 128; }
static void capacity_below_file(struct ring_hdr *h) { h->capacity = 32; }
static void tail_past_head(struct ring_hdr *h) { atomic_store(&h->consumed, 11); }
static void head_too_far(struct ring_hdr *h) { atomic_store(&h->produced, 65); atomic_store(&h->consumed, 0); }

START_TEST(test_attach_refuses_corrupt_header)
{
	expect_refused(bad_magic);
	expect_refused(bad_version);
	expect_refused(bad_record_size);
	expect_refused(bad_hdr_size);
	expect_refused(capacity_not_pow2);
	expect_refused(capacity_beyond_file);
	expect_refused(capacity_below_file);
	expect_refused(tail_past_head);
	expect_refused(head_too_far);
}
END_TEST

/* Issue 19: a consumer (a compromised detectord) that leaves a header no
 * consumer can attach to must not lock every restarted one out: the
 * producer re-validates the header before it hands the ring on. */
static void expect_reset(void (*corrupt)(struct ring_hdr *h), uint64_t first_unread)
{
	struct pair p;
	int memfd, data, space;
	uint64_t next = 0;

	pair_open(&p, 64);
	ring_fds(p.prod, &memfd, &data, &space);
	produce_seq(p.prod, 0, 30, 1);
	consume_seq(p.cons, &next, 10);
	ring_close(p.cons);
	struct ring_hdr *h = map_hdr(p.prod);
	corrupt(h);
	ck_assert_int_eq(ring_attach(memfd, data, space, &p.cons), -EBADMSG);
	ck_assert_int_eq(ring_reset_consumer(p.prod), 1);
	ck_assert_int_eq(ring_attach(memfd, data, space, &p.cons), 0);
	/* the new consumer reads on from where it was (or from the head when
	 * its position was lost), and new events flow */
	next = first_unread;
	consume_seq(p.cons, &next, 30 - first_unread);
	produce_seq(p.prod, 30, 20, 1);
	consume_seq(p.cons, &next, 20);
	ck_assert_uint_eq(next, 50);
	munmap(h, RING_HDR_SIZE);
	pair_close(&p);
}

static void tail_at_max(struct ring_hdr *h) { atomic_store(&h->consumed, UINT64_MAX); }
static void tail_beyond_head(struct ring_hdr *h) { atomic_store(&h->consumed, 31); }
static void head_zeroed(struct ring_hdr *h) { atomic_store(&h->produced, 0); }
static void identity_wiped(struct ring_hdr *h)
{
	h->magic = 0;
	h->capacity = 1u << 20;
	h->record_size = 1;
}

START_TEST(test_reset_repairs_consumer_damage)
{
	expect_reset(tail_at_max, 30);     /* position lost: starts at the head */
	expect_reset(tail_beyond_head, 30);
	expect_reset(head_zeroed, 10);     /* producer's fields restored */
	expect_reset(identity_wiped, 10);
}
END_TEST

START_TEST(test_reset_keeps_an_intact_ring)
{
	struct pair p;
	int memfd, data, space;
	uint64_t next = 0;
	struct ring_stats st;

	pair_open(&p, 64);
	ring_fds(p.prod, &memfd, &data, &space);
	produce_seq(p.prod, 0, 40, 1);
	ring_note_dropped(p.prod, 3);
	consume_seq(p.cons, &next, 25);
	ring_close(p.cons);
	ck_assert_int_eq(ring_reset_consumer(p.prod), 0);
	ck_assert_int_eq(ring_attach(memfd, data, space, &p.cons), 0);
	consume_seq(p.cons, &next, 15); /* nothing skipped, nothing repeated */
	ring_get_stats(p.prod, &st);
	ck_assert_uint_eq(st.dropped, 3);
	ck_assert_int_eq(ring_reset_consumer(p.cons), -EINVAL);
	pair_close(&p);
}
END_TEST

START_TEST(test_attach_refuses_foreign_fds)
{
	struct ring *r, *c = NULL;
	int memfd, data, space;

	ck_assert_int_eq(ring_create(64, &r), 0);
	ring_fds(r, &memfd, &data, &space);

	/* An unsealed memfd of the right size and content: the producer could
	 * truncate it under us. */
	int copy = memfd_create("copy", MFD_CLOEXEC);
	ck_assert_int_ge(copy, 0);
	off_t size = lseek(memfd, 0, SEEK_END);
	char *buf = malloc((size_t)size);
	ck_assert_int_eq(pread(memfd, buf, (size_t)size, 0), size);
	ck_assert_int_eq(write(copy, buf, (size_t)size), size);
	free(buf);
	ck_assert_int_eq(ring_attach(copy, data, space, &c), -EBADMSG);
	close(copy);

	/* Too small to hold a header. */
	int tiny = memfd_create("tiny", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	ck_assert_int_eq(ftruncate(tiny, 100), 0);
	ck_assert_int_eq(fcntl(tiny, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0);
	ck_assert_int_eq(ring_attach(tiny, data, space, &c), -EBADMSG);
	close(tiny);

	/* Not a file at all. */
	int pfd[2];
	ck_assert_int_eq(pipe(pfd), 0);
	ck_assert_int_eq(ring_attach(pfd[0], data, space, &c), -EBADMSG);
	close(pfd[0]);
	close(pfd[1]);
	ck_assert_int_eq(ring_attach(-1, data, space, &c), -EBADF);
	ck_assert_ptr_null(c);
	ring_close(r);
}
END_TEST

START_TEST(test_peek_refuses_garbage_head)
{
	struct pair p;
	const struct aod_event *ev;
	uint64_t next = 0;

	pair_open(&p, 64);
	produce_seq(p.prod, 0, 20, 1);
	consume_seq(p.cons, &next, 20);
	struct ring_hdr *h = map_hdr(p.prod);

	atomic_store(&h->produced, 20 + 64 + 1); /* more than the ring holds */
	ck_assert_int_eq(ring_peek(p.cons, &ev, 64), -EBADMSG);
	atomic_store(&h->produced, 19); /* behind the consumer */
	ck_assert_int_eq(ring_peek(p.cons, &ev, 64), -EBADMSG);
	atomic_store(&h->produced, UINT64_MAX);
	ck_assert_int_eq(ring_peek(p.cons, &ev, 64), -EBADMSG);
	ck_assert_int_eq(ring_consumer_sleep(p.cons), 1); /* do not sleep on a corrupt ring */
	atomic_store(&h->produced, 20 + 64); /* full is fine: up to the end of the slots */
	ck_assert_int_eq(ring_peek(p.cons, &ev, 100), 64 - 20);
	munmap(h, RING_HDR_SIZE);
	pair_close(&p);
}
END_TEST

START_TEST(test_produce_refuses_garbage_tail)
{
	struct pair p;
	struct aod_event ev[8];
	struct ring_stats st;

	pair_open(&p, 64);
	produce_seq(p.prod, 0, 60, 1);
	struct ring_hdr *h = map_hdr(p.prod);
	/* A consumer claiming to be ahead of the producer would make it
	 * overwrite unread slots: the producer treats the ring as full. */
	atomic_store(&h->consumed, 1000);
	rt_fill(ev, 8, 60, 1);
	ck_assert_uint_eq(ring_produce(p.prod, ev, 8), 0);
	ring_get_stats(p.prod, &st);
	ck_assert_uint_eq(st.produced, 60);
	munmap(h, RING_HDR_SIZE);
	pair_close(&p);
}
END_TEST

START_TEST(test_wake_on_emergency_only)
{
	struct pair p;
	struct aod_event ev;
	uint64_t count;

	pair_open(&p, 1024);
	int efd = ring_data_fd(p.cons);
	ring_set_wake_latency(p.cons, 1 * SEC);
	ck_assert_int_eq(ring_consumer_sleep(p.cons), 0);

	/* A slow trickle below the emergency bound does not wake it... */
	for (uint64_t i = 0; i < 100; i++) {
		ev = rt_event(i, 900 * MS);
		ck_assert_uint_eq(ring_produce(p.prod, &ev, 1), 1);
		ck_assert_int_eq(rt_readable(efd), 0);
	}
	/* ...one request over it does, once. */
	ev = rt_event(100, 2 * SEC);
	ck_assert_uint_eq(ring_produce(p.prod, &ev, 1), 1);
	ev = rt_event(101, 3 * SEC);
	ck_assert_uint_eq(ring_produce(p.prod, &ev, 1), 1);
	ck_assert_int_eq(rt_readable(efd), 1);
	ck_assert_int_eq(read(efd, &count, sizeof(count)), sizeof(count));
	ck_assert_uint_eq(count, 1);
	ring_consumer_awake(p.cons);
	ck_assert_int_eq(rt_readable(efd), 0);
	pair_close(&p);
}
END_TEST

START_TEST(test_no_sleep_past_waiting_emergency)
{
	struct pair p;
	struct aod_event ev;
	uint64_t next = 0;

	pair_open(&p, 1024);
	ring_set_wake_latency(p.cons, 1 * SEC);
	/* Slow events waiting: the consumer may sleep until its timer. */
	produce_seq(p.prod, 0, 10, 5 * MS);
	ck_assert_int_eq(ring_consumer_sleep(p.cons), 0);
	ring_consumer_awake(p.cons);
	/* An emergency produced while it was awake: it must not go to sleep. */
	ev = rt_event(10, 5 * SEC);
	ck_assert_uint_eq(ring_produce(p.prod, &ev, 1), 1);
	ck_assert_int_eq(rt_readable(ring_data_fd(p.cons)), 0); /* awake: no signal needed */
	ck_assert_int_eq(ring_consumer_sleep(p.cons), 1);
	consume_seq(p.cons, &next, 11);
	/* Once it is consumed, sleeping is fine again. */
	ck_assert_int_eq(ring_consumer_sleep(p.cons), 0);
	ring_consumer_awake(p.cons);
	pair_close(&p);
}
END_TEST

START_TEST(test_wake_at_half_full_once)
{
	struct pair p;
	struct aod_event ev;
	uint64_t count;

	pair_open(&p, 256);
	int efd = ring_data_fd(p.cons);
	ring_set_wake_latency(p.cons, 1 * SEC);
	ck_assert_int_eq(ring_consumer_sleep(p.cons), 0);
	for (uint64_t i = 0; i < 127; i++) {
		ev = rt_event(i, 1 * MS);
		ck_assert_uint_eq(ring_produce(p.prod, &ev, 1), 1);
	}
	ck_assert_int_eq(rt_readable(efd), 0);
	/* Steady load: the 128th event wakes it; the rest do not add wakeups. */
	produce_seq(p.prod, 127, 100, 1 * MS);
	ck_assert_int_eq(read(efd, &count, sizeof(count)), sizeof(count));
	ck_assert_uint_eq(count, 1);
	ring_consumer_awake(p.cons);
	/* A ring already half full is a reason not to sleep. */
	ck_assert_int_eq(ring_consumer_sleep(p.cons), 1);
	pair_close(&p);
}
END_TEST

START_TEST(test_wake_latency_zero_wakes_on_any)
{
	struct pair p;
	struct aod_event ev = rt_event(0, 0);

	pair_open(&p, 64);
	ring_set_wake_latency(p.cons, 0);
	ck_assert_int_eq(ring_consumer_sleep(p.cons), 0);
	ck_assert_uint_eq(ring_produce(p.prod, &ev, 1), 1);
	ck_assert_int_eq(rt_readable(ring_data_fd(p.cons)), 1);
	pair_close(&p);
}
END_TEST

START_TEST(test_no_wake_when_awake)
{
	struct pair p;

	pair_open(&p, 64);
	ring_set_wake_latency(p.cons, 0);
	produce_seq(p.prod, 0, 64, 5 * SEC);
	ck_assert_int_eq(rt_readable(ring_data_fd(p.cons)), 0);
	pair_close(&p);
}
END_TEST

START_TEST(test_wait_space)
{
	struct pair p;
	uint64_t next = 0;

	pair_open(&p, 64);
	ck_assert_int_eq(ring_wait_space(p.prod, 0), 1);
	produce_seq(p.prod, 0, 64, 1);
	ck_assert_int_eq(ring_wait_space(p.prod, 0), 0);
	ck_assert_int_eq(ring_wait_space(p.prod, 30), 0);

	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* The consumer frees room a little later. */
		usleep(100 * 1000);
		const struct aod_event *ev;
		if (ring_peek(p.cons, &ev, 5) != 5)
			_exit(1);
		ring_release(p.cons, 5);
		_exit(0);
	}
	ck_assert_int_eq(ring_wait_space(p.prod, 10000), 1);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	produce_seq(p.prod, 64, 5, 1);
	/* The child consumed as another consumer process would: attach again
	 * to continue after it. */
	int memfd, data, space;
	ring_close(p.cons);
	ring_fds(p.prod, &memfd, &data, &space);
	ck_assert_int_eq(ring_attach(memfd, data, space, &p.cons), 0);
	next = 5;
	consume_seq(p.cons, &next, 64);
	ck_assert_uint_eq(next, 69);
	pair_close(&p);
}
END_TEST

START_TEST(test_producer_sleep_in_epoll_loop)
{
	struct pair p;
	uint64_t next = 0;

	pair_open(&p, 64);
	int efd = ring_space_fd(p.prod);
	ck_assert_int_eq(ring_producer_sleep(p.prod), 1); /* room: do not sleep */
	produce_seq(p.prod, 0, 64, 1);
	consume_seq(p.cons, &next, 1); /* nobody waits: no signal */
	ck_assert_int_eq(rt_readable(efd), 0);
	produce_seq(p.prod, 64, 1, 1);
	ck_assert_int_eq(ring_producer_sleep(p.prod), 0);
	consume_seq(p.cons, &next, 3);
	ck_assert_int_eq(rt_readable(efd), 1);
	ring_producer_awake(p.prod);
	ck_assert_int_eq(rt_readable(efd), 0);
	ck_assert_int_eq(ring_producer_sleep(p.prod), 1);
	ck_assert_int_eq(ring_producer_sleep(p.cons), -EINVAL);
	pair_close(&p);
}
END_TEST

static Suite *ring_suite(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("ring");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_capacity_rounding);
	tcase_add_test(tc, test_memfd_sealed);
	tcase_add_test(tc, test_wraparound);
	tcase_add_test(tc, test_overflow_counted);
	tcase_add_test(tc, test_consumer_restart);
	tcase_add_test(tc, test_attach_refuses_corrupt_header);
	tcase_add_test(tc, test_attach_refuses_foreign_fds);
	tcase_add_test(tc, test_reset_repairs_consumer_damage);
	tcase_add_test(tc, test_reset_keeps_an_intact_ring);
	tcase_add_test(tc, test_peek_refuses_garbage_head);
	tcase_add_test(tc, test_produce_refuses_garbage_tail);
	tcase_add_test(tc, test_wake_on_emergency_only);
	tcase_add_test(tc, test_no_sleep_past_waiting_emergency);
	tcase_add_test(tc, test_wake_at_half_full_once);
	tcase_add_test(tc, test_wake_latency_zero_wakes_on_any);
	tcase_add_test(tc, test_no_wake_when_awake);
	tcase_add_test(tc, test_wait_space);
	tcase_add_test(tc, test_producer_sleep_in_epoll_loop);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ring_suite());

	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
