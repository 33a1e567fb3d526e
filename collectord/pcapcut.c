// SPDX-License-Identifier: GPL-2.0-only
#include "pcapcut.h"
#include "qa.h"

#include <byteswap.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du

struct pcap_ghdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, network;
};

struct pcap_rhdr {
	uint32_t sec, frac, incl, orig;
};

struct ring_file {
	int fd;
	off_t off;             /* of its next record */
	struct pcap_ghdr h;
	bool swap, nsec;
	uint64_t first_ns;
};

static uint32_t pc_u32(const struct ring_file *f, uint32_t v)
{
	return f->swap ? bswap_32(v) : v;
}

static int pc_read(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n = pread(fd, buf, len, off);
	return n == (ssize_t)len ? 0 : n < 0 ? -errno : -ENODATA;
}

/* The next record's header at f->off; -ENODATA at a (possibly partial) end. */
static int pc_next(const struct ring_file *f, struct pcap_rhdr *r, uint64_t *ns)
{
	int rc = pc_read(f->fd, r, sizeof(*r), f->off);
	if (rc < 0)
		return rc;
	uint32_t incl = pc_u32(f, r->incl), frac = pc_u32(f, r->frac);
	uint32_t snap = pc_u32(f, f->h.snaplen);
	if (incl > PCAPCUT_MAX_RECORD || (snap && incl > snap) || frac >= (f->nsec ? 1000000000u : 1000000u))
		return -ENODATA; /* garbage: rotation rewrote the file under us */
	*ns = (uint64_t)pc_u32(f, r->sec) * 1000000000u + (f->nsec ? frac : (uint64_t)frac * 1000u);
	return 0;
}

static bool pc_open(int dirfd, const char *name, struct ring_file *f)
{
	struct pcap_rhdr r;

	f->fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (f->fd < 0)
		return false;
	if (pc_read(f->fd, &f->h, sizeof(f->h), 0) == 0) {
		uint32_t m = f->h.magic;
		f->swap = m == bswap_32(PCAP_MAGIC_US) || m == bswap_32(PCAP_MAGIC_NS);
		f->nsec = m == PCAP_MAGIC_NS || m == bswap_32(PCAP_MAGIC_NS);
		f->off = sizeof(f->h);
		if ((f->swap || f->nsec || m == PCAP_MAGIC_US) && pc_next(f, &r, &f->first_ns) == 0)
			return true;
	}
	close(f->fd);
	return false;
}

static int pc_cmp(const void *a, const void *b)
{
	const struct ring_file *x = a, *y = b;
	return x->first_ns < y->first_ns ? -1 : x->first_ns > y->first_ns;
}

static unsigned pc_list(int dirfd, const char *base, struct ring_file *files)
{
	/* a new open file description: a dup would share (and move) the
	 * caller's directory offset */
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	unsigned n = 0;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL && n < PCAPCUT_MAX_FILES)
		if (strncmp(de->d_name, base, strlen(base)) == 0 && pc_open(dirfd, de->d_name, &files[n]))
			n++;
	closedir(d);
	qsort(files, n, sizeof(files[0]), pc_cmp);
	return n;
}

/* Copies f's records in [from, to]; stops at its end. */
static int pc_copy(struct ring_file *f, uint64_t from, uint64_t to, int out, unsigned char *buf,
		   struct pcapcut_result *res)
{
	struct pcap_rhdr r;
	uint64_t ns;
	while (pc_next(f, &r, &ns) == 0) {
		uint32_t incl = pc_u32(f, r.incl);
		if (pc_read(f->fd, buf, incl, f->off + (off_t)sizeof(r)) < 0)
			break;
		f->off += (off_t)(sizeof(r) + incl);
		if (ns > to)
			break; /* the rest of this file is later still */
		if (ns < from)
			continue;
		int rc = writeall_fd(out, &r, sizeof(r));
		if (rc == 0)
			rc = writeall_fd(out, buf, incl);
		if (rc < 0)
			return rc;
		if (!res->packets++)
			res->first_ns = ns;
		res->last_ns = ns;
	}
	return 0;
}

int pcapcut_run(int dirfd, const char *base, uint64_t from_ns, uint64_t to_ns, int out,
		struct pcapcut_result *res)
{
	struct ring_file *files = calloc(PCAPCUT_MAX_FILES, sizeof(*files));
	unsigned char *buf = malloc(PCAPCUT_MAX_RECORD);
	int rc = files && buf ? 0 : -ENOMEM;
	unsigned n = rc ? 0 : pc_list(dirfd, base, files);

	memset(res, 0, sizeof(*res));
	if (rc == 0 && n == 0)
		rc = -ENODATA;
	if (rc == 0) {
		res->ring_first_ns = files[0].first_ns;
		rc = writeall_fd(out, &files[0].h, sizeof(files[0].h));
	}
	for (unsigned i = 0; rc == 0 && i < n; i++) {
		if (memcmp(&files[i].h, &files[0].h, sizeof(files[0].h)) != 0)
			continue;
		res->files++;
		rc = pc_copy(&files[i], from_ns, to_ns, out, buf, res);
	}
	for (unsigned i = 0; i < n; i++)
		close(files[i].fd);
	free(files);
	free(buf);
	return rc;
}
