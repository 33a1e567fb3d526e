/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The loader's side of tree connects (tcon.bpf.c): the smb3_tcon layout from
 * its tracefs format, and the pairing of each AOD_RB_TCON (the tree's name;
 * its tid is 0 on kernels that trace it before storing the tid) with the
 * AOD_RB_TREE of the same thread's TREE_CONNECT response (the tid). Only a
 * pair from one thread and one session names a tree: nothing is guessed.
 * Private to probes/.
 */
#ifndef AOD_PROBES_TCON_H
#define AOD_PROBES_TCON_H

#include <stddef.h>
#include <stdint.h>

#include "probes.h"
#include "probes_abi.h"

#define TCON_PENDING 16
/* a TREE_CONNECT response and its smb3_tcon are moments apart */
#define TCON_PAIR_NS (10ull * 1000000000ull)

struct tcon_pairing {
	struct { uint64_t ts_ns, session_id; uint32_t task, tree_id; } tree[TCON_PENDING];
	struct { uint64_t ts_ns, session_id; uint32_t task; char unc[AOD_UNC_LEN]; } name[TCON_PENDING];
	probes_tree_fn fn;
	void *arg;
};

/* smb3_tcon's layout under tracefs: 0, -ENOENT (no such event) or -EPROTO
 * (why says which field is missing or odd). */
int tcon_layout(const char *tracefs, struct aod_tcon_lay *out, char *why, size_t len);

/* Feed the records in ring order; a completed pair goes to fn. */
void tcon_on_tree(struct tcon_pairing *tp, const struct aod_event *h);
void tcon_on_tcon(struct tcon_pairing *tp, const struct aod_rb_tcon *t);
/* AOD_RB_GONE: a tree disconnect or logoff goes to fn as such. */
void tcon_on_gone(struct tcon_pairing *tp, const struct aod_event *h);

#endif
