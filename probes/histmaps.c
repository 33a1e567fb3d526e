// SPDX-License-Identifier: GPL-2.0-only
#include "histmaps.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "probes_abi.h"

_Static_assert(PROBES_HIST_SLOTS == AOD_HIST_SLOTS, "probes.h and probes_abi.h agree on the slots");

/* Every key of a hash map, each value summed over CPUs by add(). */
static int walk(int fd, size_t key_size, size_t val_size, size_t max,
		void (*add)(const void *key, const void *vals, int ncpu, void *arg), void *arg)
{
	int ncpu = libbpf_num_possible_cpus();
	unsigned char key[32], next[32];
	void *vals;
	size_t n = 0;
	int err;

	if (ncpu <= 0)
		return ncpu < 0 ? ncpu : -EINVAL;
	vals = calloc((size_t)ncpu, (val_size + 7) & ~(size_t)7);
	if (!vals)
		return -ENOMEM;
	err = bpf_map_get_next_key(fd, NULL, next);
	while (err == 0 && n++ < max) {
		memcpy(key, next, key_size);
		if (bpf_map_lookup_elem(fd, key, vals) == 0)
			add(key, vals, ncpu, arg);
		err = bpf_map_get_next_key(fd, key, next);
	}
	free(vals);
	if (err && errno != ENOENT)
		return -errno;
	return 0;
}

static void add_hist(const void *key, const void *vals, int ncpu, void *arg)
{
	struct probes_metrics *m = arg;
	const struct aod_hist_key *k = key;
	const struct aod_hist *v = vals;
	struct probes_hist *h = &m->hist[m->n_hist++];

	memset(h, 0, sizeof(*h));
	h->session_id = k->session_id;
	h->tree_id = k->tree_id;
	h->command = k->command;
	for (int c = 0; c < ncpu; c++) {
		for (int i = 0; i < AOD_HIST_SLOTS; i++)
			h->slots[i] += v[c].slots[i];
		h->sum_us += v[c].sum_us;
	}
}

static void add_errs(const void *key, const void *vals, int ncpu, void *arg)
{
	struct probes_metrics *m = arg;
	const struct aod_err_key *k = key;
	const __u64 *v = vals;
	struct probes_errs *e = &m->errs[m->n_errs++];

	memset(e, 0, sizeof(*e));
	e->session_id = k->session_id;
	e->tree_id = k->tree_id;
	e->command = k->command;
	e->err = k->err;
	e->nt_status = k->nt_status;
	for (int c = 0; c < ncpu; c++)
		e->count += v[c];
}

static int overflow_read(int fd, __u32 idx, uint64_t *out)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *v;

	if (ncpu <= 0)
		return ncpu < 0 ? ncpu : -EINVAL;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	*out = 0;
	if (bpf_map_lookup_elem(fd, &idx, v) != 0) {
		int err = -errno;
		free(v);
		return err;
	}
	for (int c = 0; c < ncpu; c++)
		*out += v[c];
	free(v);
	return 0;
}

int histmaps_read(int hist_fd, int errs_fd, int ovf_fd, struct probes_metrics *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	out->hist = calloc(AOD_HIST_KEYS, sizeof(*out->hist));
	out->errs = calloc(AOD_ERR_KEYS, sizeof(*out->errs));
	err = out->hist && out->errs ? 0 : -ENOMEM;
	if (!err)
		err = walk(hist_fd, sizeof(struct aod_hist_key), sizeof(struct aod_hist), AOD_HIST_KEYS, add_hist, out);
	if (!err)
		err = walk(errs_fd, sizeof(struct aod_err_key), sizeof(__u64), AOD_ERR_KEYS, add_errs, out);
	if (!err)
		err = overflow_read(ovf_fd, AOD_OVF_HIST, &out->overflow_hist);
	if (!err)
		err = overflow_read(ovf_fd, AOD_OVF_ERRS, &out->overflow_errs);
	if (err)
		probes_metrics_free(out);
	return err;
}

void probes_metrics_free(struct probes_metrics *m)
{
	free(m->hist);
	free(m->errs);
	memset(m, 0, sizeof(*m));
}
