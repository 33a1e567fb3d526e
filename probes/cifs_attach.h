/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One load of the cifs programs in the chosen variant, sharing the maps of
 * the long-lived base object (ring buffer, counters, start entries, config)
 * so events, counters and in-flight requests survive cifs going and coming
 * back. Loaded when cifs appears, destroyed when it goes.
 *
 * While the programs are attached the kernel holds a reference on cifs.ko
 * (every tracepoint attachment does), so `rmmod cifs` fails with EBUSY until
 * they are detached.
 */
#ifndef AOD_CIFS_ATTACH_H
#define AOD_CIFS_ATTACH_H

#include <stdbool.h>

#include "variant.h"

struct aod_probes;
struct bpf_link;

struct cifs_attach {
	struct aod_probes *skel;
	struct bpf_link *links[VEV_NR];
	bool attached[VEV_NR];
	struct bpf_link *op_err_links[AOD_OP_ERR_MAX]; /* one program, one link per event */
	unsigned n_op_err_attached;
	__u32 op_err_attached_set; /* bit i: variant_op_err_name(i) attached */
	struct bpf_link *tcon_link;    /* smb3_tcon, when the kernel has it */
};

/* Loads the programs of choice->kind for the events the kernel has and
 * attaches them. 0 or -errno (nothing left attached on failure). */
int cifs_attach_load(struct cifs_attach *ca, const struct aod_probes *base,
		     const struct variant_choice *choice);
/* Detaches and unloads; safe on a zeroed or already detached struct. */
void cifs_attach_destroy(struct cifs_attach *ca);

#endif
