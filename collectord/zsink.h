/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A zstd-compressed output file fed in chunks (ZSTD_compressStream2): memory
 * stays bounded by the compression context whatever the output's size, and
 * the file is always one complete frame with a checksum once closed.
 *
 * Promise: the first write error (ENOSPC, EIO, ...) is kept in z->err and
 * every later write is dropped (counted in raw_bytes, not written), so a full
 * disk costs the action its file's tail, not the collector its loop.
 */
#ifndef AOD_ZSINK_H
#define AOD_ZSINK_H

#include <stddef.h>
#include <stdint.h>
#include <zstd.h>

struct zsink {
	int fd;
	int level;
	ZSTD_CCtx *cctx;    /* created on the first byte */
	void *outbuf;       /* scratch shared by all sinks of one collector */
	size_t outcap;
	uint64_t raw_bytes; /* bytes given to zsink_write */
	uint64_t out_bytes; /* compressed bytes written to the file */
	int err;            /* first error, 0 or -errno */
};

/* Creates name in dirfd (O_EXCL, no symlink following, mode 0640).
 * outbuf must hold ZSTD_CStreamOutSize() bytes and outlive the sink.
 * Returns 0 or -errno (nothing to close then). */
int zsink_open(struct zsink *z, int dirfd, const char *name, int level, void *outbuf,
	       size_t outcap);
/* The same with O_EXCL (zsink_open) or O_APPEND (a second frame after an
 * earlier sink's: zstd -d reads the frames as one stream). */
int zsink_open_flags(struct zsink *z, int dirfd, const char *name, int level, void *outbuf,
		     size_t outcap, int flags);
/* Compresses len bytes into the file. Returns 0 or the sink's error. */
int zsink_write(struct zsink *z, const void *buf, size_t len);
/* Ends the frame, closes the file, frees the context. Returns 0 or the
 * first error of the sink's life. */
int zsink_close(struct zsink *z);

#endif
