/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The shared event ring: a single-producer single-consumer ring of
 * struct aod_event records in a sealed memfd. The supervisor creates it and
 * produces; detectord attaches to the same memfd and consumes. A consumer that
 * attaches again (after a restart) continues from the saved consumer position:
 * events produced while it was down are consumed late, not lost.
 *
 * Layout: a header page (magic, ABI version, capacity; producer and consumer
 * positions on their own cache lines; monotonic counters produced / consumed /
 * dropped), then capacity records. Positions are free-running uint64 masked by
 * the power-of-two capacity; C11 acquire/release atomics.
 *
 * Wakeups go through two eventfds, written only when the other side sleeps:
 * data_efd wakes the consumer when it asked to sleep and either an event at or
 * above the consumer's wake latency arrives, or the ring passes half full;
 * space_efd wakes a producer that waits for room (the replay source).
 *
 * A consumer never trusts the header: ring_attach validates magic, version,
 * capacity against the memfd size, and positions are re-checked on each read
 * (a corrupt head/tail yields -EBADMSG, not an out-of-bounds read).
 */
#ifndef AOD_RING_H
#define AOD_RING_H

#include <stddef.h>
#include <stdint.h>

#include "aod_event.h"

#define RING_MAGIC 0x414f4452494e4731ull /* "AODRING1" */
#define RING_MIN_CAPACITY 64u
#define RING_MAX_CAPACITY (1u << 24)

struct ring;

struct ring_stats {
	uint64_t produced; /* events written */
	uint64_t consumed; /* events released by the consumer */
	uint64_t dropped;  /* events the producer could not write (ring full) */
	uint32_t capacity;
	uint32_t used;     /* produced - consumed at the time of reading */
};

/* Producer side. capacity is rounded up to a power of two in
 * [RING_MIN_CAPACITY, RING_MAX_CAPACITY]. Returns 0 or -errno. */
int ring_create(uint32_t capacity, struct ring **out);
/* The fds to hand to the consumer process (owned by the ring; dup them). */
void ring_fds(const struct ring *r, int *memfd, int *data_efd, int *space_efd);

/* Producer side, before it hands the ring to a (restarted) consumer, which
 * shares the header and may have left anything in it: rewrites the
 * identity, the producer's own fields and the consumer's control fields
 * from the producer's private copies, and keeps the consumer position only when it
 * lies in [head - capacity, head]; any other is set to head (the unread
 * events are skipped, logged), so a new consumer can always attach. Returns
 * 0 when the header was intact, 1 when it was repaired, -EINVAL on a
 * consumer's ring. No consumer may be attached while it runs. */
int ring_reset_consumer(struct ring *r);

/* Consumer side: map an existing ring. Takes ownership of none of the fds
 * (it dups what it keeps). Returns 0 or -errno (-EBADMSG for a bad header). */
int ring_attach(int memfd, int data_efd, int space_efd, struct ring **out);

void ring_close(struct ring *r);

/* Writes up to n events; returns how many fit (never blocks). */
size_t ring_produce(struct ring *r, const struct aod_event *ev, size_t n);
/* Counts events the caller had to drop because the ring was full. */
void ring_note_dropped(struct ring *r, uint64_t n);
/* Producer waits for free space: returns 1 when there is room, 0 on timeout,
 * -errno on error. Uses space_efd; timeout_ms -1 waits forever. */
int ring_wait_space(struct ring *r, int timeout_ms);
/* The same wait for a producer with its own epoll loop (space_efd in it):
 * returns 1 when there is room now (do not sleep), 0 when the consumer will
 * signal space_efd as it releases events. */
int ring_producer_sleep(struct ring *r);
/* Producer woke on space_efd (or stopped waiting): clears the flag, drains it. */
void ring_producer_awake(struct ring *r);

/* Zero-copy read: points *first at up to max contiguous unread events and
 * returns their count (0 when empty, -EBADMSG when positions are corrupt).
 * Call ring_release(n) once they are judged. */
long ring_peek(struct ring *r, const struct aod_event **first, size_t max);
void ring_release(struct ring *r, size_t n);

/* Consumer going to sleep on data_efd: returns 1 if events that would wake
 * it are already waiting (one at or above the wake latency, or the ring at
 * least half full; do not sleep), 0 if the producer will wake it for the
 * next such event. Other events wait for the consumer's own timer. */
int ring_consumer_sleep(struct ring *r);
/* Consumer woke (or stopped sleeping): clears the flag and drains data_efd. */
void ring_consumer_awake(struct ring *r);
/* Events with latency_ns >= ns wake a sleeping consumer at once (emergency).
 * 0 makes every event wake it; each attach resets it to UINT64_MAX (only the
 * half-full mark wakes). */
void ring_set_wake_latency(struct ring *r, uint64_t ns);
int ring_data_fd(const struct ring *r);
int ring_space_fd(const struct ring *r);

void ring_get_stats(const struct ring *r, struct ring_stats *st);

/* Producer side: the newest events still in the ring's slots, whether the
 * consumer released them or not (at most capacity; the flight recorder's
 * window), oldest first as up to two contiguous spans. Returns how many
 * spans (0..2). Valid until the next ring_produce. */
unsigned ring_recent(const struct ring *r, const struct aod_event *span[2], size_t len[2]);

#endif
