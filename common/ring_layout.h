/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The byte layout of the shared event ring's memfd (see ring.h). Private to
 * ring.c and the ring tests, which corrupt headers on purpose; no other
 * module may depend on it.
 *
 * The memfd holds RING_HDR_SIZE bytes of header, then capacity records of
 * record_size bytes. Each side writes only its own cache lines, so the hot
 * paths do not bounce lines between cores:
 *  - identity (written once by ring_create),
 *  - producer line: produced (the head), dropped, urgent_end,
 *  - consumer line: consumed (the tail),
 *  - consumer control: consumer_sleeping, wake_latency_ns (rarely written,
 *    read by the producer on every batch: stays shared, no ping-pong),
 *  - producer control: producer_waiting (read by the consumer per release).
 * The positions are free-running event counts, so produced and consumed are
 * also the monotonic counters the header promises.
 */
#ifndef AOD_RING_LAYOUT_H
#define AOD_RING_LAYOUT_H

#include <stdatomic.h>
#include <stdint.h>

#define RING_HDR_SIZE 4096u
/* Two 64-byte lines: the adjacent-line prefetcher pairs them on x86. */
#define RING_LINE 128

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "the ring needs lock-free 64-bit atomics across processes");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the ring needs lock-free 32-bit atomics across processes");

struct ring_hdr {
	/* identity: written by ring_create before anyone else maps the memfd */
	uint64_t magic;      /* RING_MAGIC */
	uint32_t abi_version;/* AOD_EVENT_ABI_VERSION */
	uint32_t record_size;/* sizeof(struct aod_event) */
	uint32_t capacity;   /* records, a power of two */
	uint32_t hdr_size;   /* RING_HDR_SIZE: where the records start */

	/* written by the producer only */
	_Alignas(RING_LINE) _Atomic uint64_t produced; /* head */
	_Atomic uint64_t dropped;
	/* position just past the last event that must wake a sleeping
	 * consumer (latency at or above its wake latency) */
	_Atomic uint64_t urgent_end;

	/* written by the consumer only */
	_Alignas(RING_LINE) _Atomic uint64_t consumed; /* tail */

	/* consumer control: written on sleep / wake transitions and by
	 * ring_set_wake_latency; the producer clears consumer_sleeping when
	 * it sends the wakeup, so one sleep costs at most one eventfd write */
	_Alignas(RING_LINE) _Atomic uint32_t consumer_sleeping;
	uint32_t reserved0;
	_Atomic uint64_t wake_latency_ns;

	/* producer control: set while the producer waits for room */
	_Alignas(RING_LINE) _Atomic uint32_t producer_waiting;
};

_Static_assert(sizeof(struct ring_hdr) <= RING_HDR_SIZE, "ring header must fit its page");

#endif
