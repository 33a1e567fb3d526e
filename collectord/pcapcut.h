/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cutting a time window out of the packet ring: the pcap files named
 * <base>* in a directory (tcpdump -C/-W rotation), possibly being written
 * and rotated while they are read. Files are taken in the order of their
 * first packet; a file whose header differs from the first one's (another
 * link type or precision) is skipped; a file ends at its first incomplete or
 * implausible record (the one being written, or truncated by rotation).
 *
 * Promise: the output is one valid pcap stream (the first file's header,
 * then each record whose time is in [from_ns, to_ns], in file order), or
 * nothing and -ENODATA when no file holds a pcap header. Memory is bounded
 * (one record); nothing is followed through a symlink.
 */
#ifndef AOD_PCAPCUT_H
#define AOD_PCAPCUT_H

#include <stdint.h>

#define PCAPCUT_MAX_FILES 64
#define PCAPCUT_MAX_RECORD 262144

struct pcapcut_result {
	unsigned files;          /* ring files read */
	uint64_t packets;        /* written */
	uint64_t first_ns, last_ns; /* of the packets written (0 when none) */
	uint64_t ring_first_ns;  /* oldest packet the ring still held */
};

/* Writes the packets of dirfd's <base>* files with from_ns <= time <=
 * to_ns (wall-clock ns) to out. Returns 0 or -errno. */
int pcapcut_run(int dirfd, const char *base, uint64_t from_ns, uint64_t to_ns, int out,
		struct pcapcut_result *res);

#endif
