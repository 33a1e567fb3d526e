// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shared event ring (ring.h). Each side keeps its own position privately
 * and publishes it; the other side's position is cached and re-read only when
 * the cached value no longer answers the question, so a batch costs one
 * shared-line transfer, not one per event.
 *
 * Wakeups use the store / full barrier / load pattern of io_uring and the BPF
 * ring buffer (Dekker): the sleeper sets its flag, fences, then looks at the
 * other side's position; the publisher stores its position, fences, then
 * looks at the flag. At least one of them sees the other, so a wakeup that
 * matters is never lost.
 */
#include "ring.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "ring_layout.h"

#define RING_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)

struct ring {
	struct ring_hdr *hdr;
	struct aod_event *slots;
	size_t map_len;
	uint32_t capacity; /* private copies: the shared header may change under us */
	uint32_t mask;
	bool producer;
	bool corrupt_logged;
	int memfd, data_efd, space_efd;
	uint64_t pos;          /* producer: head; consumer: tail (authoritative) */
	uint64_t cached_other; /* producer: last tail seen; consumer: last head seen */
	uint64_t dropped;      /* producer: its own count (the header's is shared) */
};

static size_t ring_map_size(uint32_t capacity)
{
	return RING_HDR_SIZE + (size_t)capacity * sizeof(struct aod_event);
}

static bool ring_is_pow2(uint32_t v)
{
	return v && (v & (v - 1)) == 0;
}

static uint32_t ring_round_capacity(uint32_t capacity)
{
	uint32_t cap = RING_MIN_CAPACITY;

	while (cap < capacity)
		cap <<= 1;
	return cap;
}

static void ring_efd_signal(int fd)
{
	uint64_t one = 1;

	/* EAGAIN means the counter is saturated: the reader is woken anyway. */
	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_debug("ring: eventfd write failed: %m");
}

static void ring_efd_drain(int fd)
{
	uint64_t count;

	while (read(fd, &count, sizeof(count)) < 0 && errno == EINTR)
		;
}

static struct ring *ring_alloc(void)
{
	struct ring *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->memfd = r->data_efd = r->space_efd = -1;
	return r;
}

/* Not MAP_POPULATE: slots get memory only when events reach them, so an idle
 * agent (no SMB traffic) does not hold the whole ring in two processes' RSS;
 * the first lap pays one page fault per 64 slots. */
static int ring_map(struct ring *r, uint32_t capacity)
{
	size_t len = ring_map_size(capacity);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, r->memfd, 0);

	if (p == MAP_FAILED)
		return -errno;
	r->hdr = p;
	r->slots = (struct aod_event *)((char *)p + RING_HDR_SIZE);
	r->map_len = len;
	r->capacity = capacity;
	r->mask = capacity - 1;
	return 0;
}

void ring_close(struct ring *r)
{
	if (!r)
		return;
	if (r->hdr) {
		if (!r->producer)
			atomic_store_explicit(&r->hdr->consumer_sleeping, 0, memory_order_relaxed);
		munmap(r->hdr, r->map_len);
	}
	if (r->memfd >= 0)
		close(r->memfd);
	if (r->data_efd >= 0)
		close(r->data_efd);
	if (r->space_efd >= 0)
		close(r->space_efd);
	free(r);
}

static int ring_create_fds(struct ring *r, uint32_t capacity)
{
	r->memfd = memfd_create("aodv2-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (r->memfd < 0)
		return -errno;
	if (ftruncate(r->memfd, (off_t)ring_map_size(capacity)) < 0)
		return -errno;
	/* No peer may truncate the memfd under our mapping (SIGBUS). */
	if (fcntl(r->memfd, F_ADD_SEALS, RING_SEALS) < 0)
		return -errno;
	r->data_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->data_efd < 0)
		return -errno;
	r->space_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->space_efd < 0)
		return -errno;
	return 0;
}

int ring_create(uint32_t capacity, struct ring **out)
{
	if (capacity > RING_MAX_CAPACITY)
		return -EINVAL;
	capacity = ring_round_capacity(capacity);

	struct ring *r = ring_alloc();
	if (!r)
		return -ENOMEM;
	int rc = ring_create_fds(r, capacity);
	if (rc == 0)
		rc = ring_map(r, capacity);
	if (rc < 0) {
		ring_close(r);
		return rc;
	}
	r->producer = true;

	struct ring_hdr *h = r->hdr; /* the memfd starts zeroed */
	h->magic = RING_MAGIC;
	h->abi_version = AOD_EVENT_ABI_VERSION;
	h->record_size = sizeof(struct aod_event);
	h->capacity = capacity;
	h->hdr_size = RING_HDR_SIZE;
	atomic_store_explicit(&h->wake_latency_ns, UINT64_MAX, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	*out = r;
	return 0;
}

void ring_fds(const struct ring *r, int *memfd, int *data_efd, int *space_efd)
{
	if (memfd)
		*memfd = r->memfd;
	if (data_efd)
		*data_efd = r->data_efd;
	if (space_efd)
		*space_efd = r->space_efd;
}

/* The checks ring_attach makes on a header it did not write. */
static int ring_check_header(const struct ring_hdr *h, off_t file_size)
{
	if (h->magic != RING_MAGIC || h->abi_version != AOD_EVENT_ABI_VERSION ||
	    h->record_size != sizeof(struct aod_event) || h->hdr_size != RING_HDR_SIZE)
		return -EBADMSG;
	if (!ring_is_pow2(h->capacity) || h->capacity < RING_MIN_CAPACITY ||
	    h->capacity > RING_MAX_CAPACITY)
		return -EBADMSG;
	if ((uint64_t)file_size != ring_map_size(h->capacity))
		return -EBADMSG;

	uint64_t head = atomic_load_explicit(&h->produced, memory_order_acquire);
	uint64_t tail = atomic_load_explicit(&h->consumed, memory_order_relaxed);
	if (tail > head || head - tail > h->capacity)
		return -EBADMSG;
	return 0;
}

/* Rewrites what only the producer writes (identity, head, counters);
 * true when any of it had changed. */
static bool ring_restore_producer_fields(struct ring *r)
{
	struct ring_hdr *h = r->hdr;
	bool changed = h->magic != RING_MAGIC || h->abi_version != AOD_EVENT_ABI_VERSION ||
		       h->record_size != sizeof(struct aod_event) || h->capacity != r->capacity ||
		       h->hdr_size != RING_HDR_SIZE ||
		       atomic_load_explicit(&h->produced, memory_order_relaxed) != r->pos ||
		       atomic_load_explicit(&h->dropped, memory_order_relaxed) != r->dropped;

	h->magic = RING_MAGIC;
	h->abi_version = AOD_EVENT_ABI_VERSION;
	h->record_size = sizeof(struct aod_event);
	h->capacity = r->capacity;
	h->hdr_size = RING_HDR_SIZE;
	atomic_store_explicit(&h->produced, r->pos, memory_order_relaxed);
	atomic_store_explicit(&h->dropped, r->dropped, memory_order_relaxed);
	atomic_store_explicit(&h->urgent_end, r->pos, memory_order_relaxed);
	return changed;
}

int ring_reset_consumer(struct ring *r)
{
	if (!r->producer)
		return -EINVAL;
	struct ring_hdr *h = r->hdr;
	bool repaired = ring_restore_producer_fields(r);
	uint64_t head = r->pos;
	uint64_t tail = atomic_load_explicit(&h->consumed, memory_order_relaxed);

	if (tail > head || head - tail > r->capacity) {
		log_error("ring: the consumer left position %llu outside [%llu, %llu]: the next "
			  "consumer starts at %llu, unread events are skipped",
			  (unsigned long long)tail,
			  (unsigned long long)(head > r->capacity ? head - r->capacity : 0),
			  (unsigned long long)head, (unsigned long long)head);
		tail = head;
		repaired = true;
	} else if (repaired) {
		log_error("ring: the header's producer fields were overwritten: restored");
	}
	atomic_store_explicit(&h->consumed, tail, memory_order_relaxed);
	atomic_store_explicit(&h->consumer_sleeping, 0, memory_order_relaxed);
	atomic_store_explicit(&h->wake_latency_ns, UINT64_MAX, memory_order_relaxed);
	/* producer_waiting stays: a producer waiting for room still needs the
	 * new consumer's wakeup */
	atomic_thread_fence(memory_order_release);
	r->cached_other = tail;
	r->corrupt_logged = false;
	return repaired ? 1 : 0;
}

/* Maps the header page alone first: the capacity it claims is not trusted
 * until it agrees with the sealed file's size. */
static int ring_read_capacity(int memfd, off_t size, uint32_t *capacity)
{
	struct ring_hdr *h = mmap(NULL, RING_HDR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);

	if (h == MAP_FAILED)
		return -errno;
	int rc = ring_check_header(h, size);
	*capacity = h->capacity;
	munmap(h, RING_HDR_SIZE);
	return rc;
}

static int ring_attach_fds(struct ring *r, int memfd, int data_efd, int space_efd, uint32_t *capacity)
{
	struct stat st;

	if (memfd < 0 || data_efd < 0 || space_efd < 0)
		return -EBADF;
	if (fstat(memfd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size < (off_t)RING_HDR_SIZE ||
	    st.st_size > (off_t)ring_map_size(RING_MAX_CAPACITY))
		return -EBADMSG;
	int seals = fcntl(memfd, F_GET_SEALS);
	if (seals < 0)
		return errno == EINVAL ? -EBADMSG : -errno;
	if ((seals & (F_SEAL_SHRINK | F_SEAL_GROW)) != (F_SEAL_SHRINK | F_SEAL_GROW))
		return -EBADMSG; /* unsealed: the producer could SIGBUS us */
	int rc = ring_read_capacity(memfd, st.st_size, capacity);
	if (rc < 0)
		return rc;
	r->memfd = fcntl(memfd, F_DUPFD_CLOEXEC, 0);
	r->data_efd = fcntl(data_efd, F_DUPFD_CLOEXEC, 0);
	r->space_efd = fcntl(space_efd, F_DUPFD_CLOEXEC, 0);
	if (r->memfd < 0 || r->data_efd < 0 || r->space_efd < 0)
		return -errno;
	return 0;
}

int ring_attach(int memfd, int data_efd, int space_efd, struct ring **out)
{
	struct ring *r = ring_alloc();
	uint32_t capacity = 0;

	if (!r)
		return -ENOMEM;
	int rc = ring_attach_fds(r, memfd, data_efd, space_efd, &capacity);
	if (rc == 0)
		rc = ring_map(r, capacity);
	/* Re-check through the mapping we keep: the header is shared. */
	if (rc == 0)
		rc = ring_check_header(r->hdr, (off_t)r->map_len);
	/* The consumer only reads records; a stray write would corrupt events. */
	if (rc == 0 && mprotect(r->slots, r->map_len - RING_HDR_SIZE, PROT_READ) < 0)
		rc = -errno;
	if (rc < 0) {
		ring_close(r);
		return rc;
	}
	struct ring_hdr *h = r->hdr;
	r->pos = atomic_load_explicit(&h->consumed, memory_order_relaxed);
	r->cached_other = r->pos;
	/* A new consumer states its own wake preferences. */
	atomic_store_explicit(&h->wake_latency_ns, UINT64_MAX, memory_order_relaxed);
	atomic_store_explicit(&h->consumer_sleeping, 0, memory_order_relaxed);
	*out = r;
	return 0;
}

/* Producer: free slots, re-reading the consumer's position only when the
 * cached one leaves too little room. A consumer position outside
 * [head - capacity, head] is corrupt: report no room rather than overwrite. */
static uint64_t ring_room(struct ring *r, uint64_t want)
{
	uint64_t head = r->pos;

	if (r->capacity - (head - r->cached_other) >= want)
		return r->capacity - (head - r->cached_other);
	uint64_t tail = atomic_load_explicit(&r->hdr->consumed, memory_order_acquire);
	if (tail > head || head - tail > r->capacity) {
		if (!r->corrupt_logged)
			log_error("ring: consumer position %llu is outside [%llu, %llu]: treating the ring as full",
				  (unsigned long long)tail, (unsigned long long)(head - r->capacity),
				  (unsigned long long)head);
		r->corrupt_logged = true;
		return 0;
	}
	r->cached_other = tail;
	return r->capacity - (head - tail);
}

/* Copies n events into the slots from the head on; true if any of them is
 * urgent for the consumer. */
static bool ring_copy_in(struct ring *r, const struct aod_event *ev, size_t n, uint64_t wake_ns)
{
	uint32_t idx = (uint32_t)(r->pos & r->mask);
	size_t first = r->capacity - idx;
	bool urgent = false;

	if (first > n)
		first = n;
	memcpy(&r->slots[idx], ev, first * sizeof(*ev));
	memcpy(&r->slots[0], ev + first, (n - first) * sizeof(*ev));
	for (size_t i = 0; i < n && !urgent; i++)
		urgent = ev[i].latency_ns >= wake_ns;
	return urgent;
}

static void ring_wake_consumer(struct ring *r, bool urgent)
{
	struct ring_hdr *h = r->hdr;

	/* Orders our head store before the flag load (pairs with the fence in
	 * ring_consumer_sleep). */
	atomic_thread_fence(memory_order_seq_cst);
	if (!atomic_load_explicit(&h->consumer_sleeping, memory_order_relaxed))
		return;
	if (!urgent && ring_room(r, r->capacity) > r->capacity / 2)
		return;
	if (atomic_exchange_explicit(&h->consumer_sleeping, 0, memory_order_relaxed))
		ring_efd_signal(r->data_efd);
}

size_t ring_produce(struct ring *r, const struct aod_event *ev, size_t n)
{
	if (!r->producer || n == 0)
		return 0;
	uint64_t room = ring_room(r, n);
	if (n > room)
		n = (size_t)room;
	if (n == 0)
		return 0;

	struct ring_hdr *h = r->hdr;
	uint64_t wake_ns = atomic_load_explicit(&h->wake_latency_ns, memory_order_relaxed);
	bool urgent = ring_copy_in(r, ev, n, wake_ns);
	r->pos += n;
	if (urgent)
		atomic_store_explicit(&h->urgent_end, r->pos, memory_order_relaxed);
	atomic_store_explicit(&h->produced, r->pos, memory_order_release);
	ring_wake_consumer(r, urgent);
	return n;
}

void ring_note_dropped(struct ring *r, uint64_t n)
{
	if (!r->producer || n == 0)
		return;
	r->dropped += n;
	atomic_store_explicit(&r->hdr->dropped, r->dropped, memory_order_relaxed);
}

static int ring_remaining_ms(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t ms = (int64_t)(deadline->tv_sec - now.tv_sec) * 1000 +
		     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : (int)(ms > INT32_MAX ? INT32_MAX : ms);
}

int ring_producer_sleep(struct ring *r)
{
	struct ring_hdr *h = r->hdr;

	if (!r->producer)
		return -EINVAL;
	atomic_store_explicit(&h->producer_waiting, 1, memory_order_relaxed);
	/* Orders the flag store before the tail load (pairs with the fence in
	 * ring_release): if the consumer missed the flag, we see its release. */
	atomic_thread_fence(memory_order_seq_cst);
	if (ring_room(r, r->capacity) == 0)
		return 0;
	atomic_store_explicit(&h->producer_waiting, 0, memory_order_relaxed);
	return 1;
}

void ring_producer_awake(struct ring *r)
{
	if (!r->producer)
		return;
	atomic_store_explicit(&r->hdr->producer_waiting, 0, memory_order_relaxed);
	ring_efd_drain(r->space_efd);
}

static struct timespec ring_deadline(int timeout_ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += timeout_ms / 1000;
	t.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	return t;
}

int ring_wait_space(struct ring *r, int timeout_ms)
{
	struct timespec deadline = ring_deadline(timeout_ms > 0 ? timeout_ms : 0);

	for (;;) {
		int rc = ring_producer_sleep(r);
		if (rc != 0)
			return rc;
		int wait = timeout_ms < 0 ? -1 : ring_remaining_ms(&deadline);
		struct pollfd pfd = { .fd = r->space_efd, .events = POLLIN };
		rc = wait == 0 ? 0 : poll(&pfd, 1, wait);
		if (rc < 0 && errno == EINTR)
			continue;
		int err = rc < 0 ? -errno : 0;
		ring_producer_awake(r);
		if (rc <= 0)
			return err;
	}
}

long ring_peek(struct ring *r, const struct aod_event **first, size_t max)
{
	if (r->producer)
		return -EINVAL;
	uint64_t tail = r->pos;
	uint32_t idx = (uint32_t)(tail & r->mask);
	uint64_t contig = r->capacity - idx;
	uint64_t avail = r->cached_other - tail;

	if (avail < max && avail < contig) {
		uint64_t head = atomic_load_explicit(&r->hdr->produced, memory_order_acquire);
		/* Never trust the head: a bad one must not send us past the slots. */
		if (head < tail || head - tail > r->capacity)
			return -EBADMSG;
		r->cached_other = head;
		avail = head - tail;
	}
	if (avail > contig)
		avail = contig;
	if (avail > max)
		avail = max;
	*first = &r->slots[idx];
	return (long)avail;
}

void ring_release(struct ring *r, size_t n)
{
	struct ring_hdr *h = r->hdr;

	if (r->producer)
		return;
	if (n > r->cached_other - r->pos)
		n = (size_t)(r->cached_other - r->pos); /* never past what was seen */
	if (n == 0)
		return;
	r->pos += n;
	atomic_store_explicit(&h->consumed, r->pos, memory_order_release);
	/* Orders the tail store before the flag load (pairs with the fence in
	 * ring_wait_space). */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&h->producer_waiting, memory_order_relaxed) &&
	    atomic_exchange_explicit(&h->producer_waiting, 0, memory_order_relaxed))
		ring_efd_signal(r->space_efd);
}

int ring_consumer_sleep(struct ring *r)
{
	struct ring_hdr *h = r->hdr;

	atomic_store_explicit(&h->consumer_sleeping, 1, memory_order_relaxed);
	/* Orders the flag store before the head loads (pairs with the fence in
	 * ring_wake_consumer): if the producer missed the flag, we see its events. */
	atomic_thread_fence(memory_order_seq_cst);
	uint64_t head = atomic_load_explicit(&h->produced, memory_order_acquire);
	uint64_t urgent_end = atomic_load_explicit(&h->urgent_end, memory_order_relaxed);
	uint64_t tail = r->pos;
	bool wake;

	if (head < tail || head - tail > r->capacity)
		wake = true; /* corrupt: let ring_peek report it */
	else
		wake = (urgent_end > tail && urgent_end <= head) || head - tail >= r->capacity / 2;
	if (wake)
		atomic_store_explicit(&h->consumer_sleeping, 0, memory_order_relaxed);
	return wake ? 1 : 0;
}

void ring_consumer_awake(struct ring *r)
{
	atomic_store_explicit(&r->hdr->consumer_sleeping, 0, memory_order_relaxed);
	ring_efd_drain(r->data_efd);
}

void ring_set_wake_latency(struct ring *r, uint64_t ns)
{
	atomic_store_explicit(&r->hdr->wake_latency_ns, ns, memory_order_relaxed);
}

int ring_data_fd(const struct ring *r)
{
	return r->data_efd;
}

int ring_space_fd(const struct ring *r)
{
	return r->space_efd;
}

void ring_get_stats(const struct ring *r, struct ring_stats *st)
{
	const struct ring_hdr *h = r->hdr;
	uint64_t produced = atomic_load_explicit(&h->produced, memory_order_acquire);
	uint64_t consumed = atomic_load_explicit(&h->consumed, memory_order_acquire);

	/* Our own position is the authoritative one. */
	if (r->producer)
		produced = r->pos;
	else
		consumed = r->pos;
	st->produced = produced;
	st->consumed = consumed;
	st->dropped = r->producer ? r->dropped : atomic_load_explicit(&h->dropped, memory_order_relaxed);
	st->capacity = r->capacity;
	st->used = consumed > produced ? 0
		   : produced - consumed > r->capacity ? r->capacity
		   : (uint32_t)(produced - consumed);
}

unsigned ring_recent(const struct ring *r, const struct aod_event *span[2], size_t len[2])
{
	if (!r->producer || r->pos == 0)
		return 0;
	uint64_t n = r->pos < r->capacity ? r->pos : r->capacity;
	uint64_t first = r->pos - n;
	size_t at = (size_t)(first & r->mask);
	size_t run = r->capacity - at < n ? r->capacity - at : (size_t)n;

	span[0] = &r->slots[at];
	len[0] = run;
	if (run == n)
		return 1;
	span[1] = &r->slots[0];
	len[1] = (size_t)n - run;
	return 2;
}
