// SPDX-License-Identifier: GPL-2.0-only
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_getCParams: the level's table sizes */
#include "zsink.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "writeall.h"

/* zstd sizes its window and match tables for big inputs: level 3 asks for
 * ~3.5 MiB per context, level 19 for ~90 MiB. collectord runs up to
 * max_concurrent_tasks contexts at once and promises a small footprint, and
 * logs repeat within far less, so the window and the tables are capped:
 * about 1.4 MiB per context at level 3, 2.2 MiB at level 19. */
#define ZSINK_WINDOW_LOG 17
#define ZSINK_TABLE_LOG 16

int zsink_open(struct zsink *z, int dirfd, const char *name, int level, void *outbuf,
	       size_t outcap)
{
	return zsink_open_flags(z, dirfd, name, level, outbuf, outcap, O_EXCL);
}

int zsink_open_flags(struct zsink *z, int dirfd, const char *name, int level, void *outbuf,
		     size_t outcap, int flags)
{
	memset(z, 0, sizeof(*z));
	z->fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | flags, 0640);
	if (z->fd < 0)
		return -errno;
	z->level = level;
	z->outbuf = outbuf;
	z->outcap = outcap;
	return 0;
}

static int zsink_write_out(struct zsink *z, size_t len)
{
	int rc = writeall_fd(z->fd, z->outbuf, len);
	if (rc == 0)
		z->out_bytes += len;
	return rc;
}

static int zsink_context(struct zsink *z)
{
	if (z->cctx)
		return 0;
	z->cctx = ZSTD_createCCtx();
	if (!z->cctx)
		return -ENOMEM;
	ZSTD_compressionParameters cp = ZSTD_getCParams(z->level, 0, 0);
	int hash_log = cp.hashLog > ZSINK_TABLE_LOG ? ZSINK_TABLE_LOG : (int)cp.hashLog;
	int chain_log = cp.chainLog > ZSINK_TABLE_LOG ? ZSINK_TABLE_LOG : (int)cp.chainLog;
	if (ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel, z->level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_windowLog, ZSINK_WINDOW_LOG)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_hashLog, hash_log)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_chainLog, chain_log)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 1)))
		return -EINVAL;
	return 0;
}

/* Runs the compressor over in with the given directive until zstd says it
 * has consumed (and, for flush/end, emitted) everything. */
static int zsink_pump(struct zsink *z, ZSTD_inBuffer *in, ZSTD_EndDirective mode)
{
	for (;;) {
		ZSTD_outBuffer out = { z->outbuf, z->outcap, 0 };
		size_t left = ZSTD_compressStream2(z->cctx, &out, in, mode);
		if (ZSTD_isError(left))
			return -EIO;
		int rc = zsink_write_out(z, out.pos);
		if (rc < 0)
			return rc;
		bool done = mode == ZSTD_e_continue ? in->pos == in->size : left == 0;
		if (done)
			return 0;
	}
}

int zsink_write(struct zsink *z, const void *buf, size_t len)
{
	z->raw_bytes += len;
	if (z->err)
		return z->err;
	int rc = zsink_context(z);
	if (rc == 0) {
		ZSTD_inBuffer in = { buf, len, 0 };
		rc = zsink_pump(z, &in, ZSTD_e_continue);
	}
	if (rc < 0)
		z->err = rc;
	return z->err;
}

int zsink_close(struct zsink *z)
{
	if (!z->err) {
		/* An action with no output still gets a valid (empty) frame. */
		int rc = zsink_context(z);
		if (rc == 0) {
			ZSTD_inBuffer in = { NULL, 0, 0 };
			rc = zsink_pump(z, &in, ZSTD_e_end);
		}
		if (rc < 0)
			z->err = rc;
	}
	if (z->fd >= 0 && close(z->fd) != 0 && !z->err)
		z->err = -errno;
	z->fd = -1;
	ZSTD_freeCCtx(z->cctx);
	z->cctx = NULL;
	return z->err;
}
