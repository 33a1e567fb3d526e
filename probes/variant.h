/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which program variant the running kernel supports, decided at load time:
 *  - tp_btf when BTF describes the cifs tracepoints (cifs.ko module BTF, or
 *    vmlinux BTF when cifs is built in) and their prototypes are the ones
 *    the programs were written for;
 *  - else classic tracepoints, with each field's offset taken from the
 *    event's tracefs format (the common header differs between kernels);
 *  - else none, with the reason.
 * An event the kernel lacks (smb3_cmd_enter before 5.4, smb3_reconnect)
 * is marked absent and its program is not loaded: without smb3_cmd_enter
 * only errors (without latency) can be reported.
 */
#ifndef AOD_VARIANT_H
#define AOD_VARIANT_H

#include <stdbool.h>
#include <stddef.h>

#include "probes_abi.h"
#include "tpformat.h"

struct btf;

enum variant_kind {
	VARIANT_NONE = 0,
	VARIANT_TP_BTF,
	VARIANT_TRACEPOINT,
};

/* The cifs tracepoints the programs use. */
enum variant_event {
	VEV_ENTER = 0, /* smb3_cmd_enter */
	VEV_DONE,      /* smb3_cmd_done */
	VEV_ERR,       /* smb3_cmd_err */
	VEV_RECONNECT, /* smb3_reconnect */
	VEV_NR,
};

struct variant_paths {
	const char *btf_dir;     /* normally /sys/kernel/btf */
	const char *tracefs_dir; /* a mounted tracefs, or NULL to skip the classic variant */
	bool skip_btf;           /* classic only (AOD_PROBES_VARIANT=tracepoint) */
};

/* What variant_op_errs found: slot i's event is name index name[i]; bit j
 * of absent set: the kernel has no event variant_op_err_name(j). */
struct variant_op_err_found {
	__u8 name[AOD_OP_ERR_MAX];
	__u32 absent;
};

struct variant_choice {
	enum variant_kind kind;
	bool have[VEV_NR];                 /* the kernel has the event */
	unsigned tp_id[VEV_NR];            /* classic: tracefs event id */
	struct aod_tp_layout lay[VEV_NR];  /* classic: field offsets (enter, done, err) */
	/* per-operation error tracepoints (classic whatever the kind; filled by
	 * the caller with variant_op_errs where tracefs is available) */
	struct aod_op_err_lay op_err[AOD_OP_ERR_MAX];
	struct variant_op_err_found op_err_found;
	unsigned n_op_err;
	struct aod_tcon_lay tcon;          /* smb3_tcon, classic (probes/tcon.c); tp_id 0: absent */
	char why[256];                     /* how the choice was made, for the log */
};

const char *variant_kind_name(enum variant_kind k);
const char *variant_event_name(enum variant_event ev); /* "smb3_cmd_enter" */

/*
 * Chooses. 0 with kind set; -ENOENT when the kernel has no cifs tracepoints
 * at all (cifs not loaded); -ENOTSUP when it has them but in no layout the
 * programs can read (why says which). Never partially fills a layout.
 */
int variant_choose(const struct variant_paths *paths, struct variant_choice *out);

/* Checks btf_trace_<event>'s prototype in btf: 0 matches, -ENOENT absent,
 * -EPROTO different (why says how). */
int variant_btf_check(const struct btf *btf, enum variant_event ev, char *why, size_t len);

/* Field offsets of a classic record: 0, or -EPROTO when a field is
 * missing, of another size, misaligned or out of reach (why says which). */
int variant_layout(const struct tpfmt *f, enum variant_event ev, struct aod_tp_layout *out, char *why,
		   size_t len);

/* A per-operation error event's slot (probes_abi.h) from its format: the
 * tid, sesid and rc fields by name, wherever this kernel puts them.
 * 0 or -EPROTO (why says which). */
int variant_op_err_layout(const struct tpfmt *f, __u16 command, struct aod_op_err_lay *out, char *why,
			  size_t len);
/* The per-operation error tracepoints the probes know, by index
 * 0..variant_op_err_names()-1 (NULL past the end). */
unsigned variant_op_err_names(void);
const char *variant_op_err_name(unsigned i);

/* Fills lay[0..AOD_OP_ERR_MAX) with the per-operation error tracepoints the
 * kernel has under tracefs (smb3_read_err, smb3_open_err, ...), unused slots
 * zeroed, and found (may be NULL); returns how many. An event whose format
 * cannot be read is left out and the first such reason goes to why ("" when
 * none). */
int variant_op_errs(const char *tracefs, struct aod_op_err_lay *lay, struct variant_op_err_found *found,
		    char *why, size_t len);

/* A mounted tracefs: /sys/kernel/tracing, /sys/kernel/debug/tracing, or
 * tracefs mounted at /sys/kernel/tracing now. 0 or -errno. */
int variant_tracefs(char *dir, size_t len);

#endif
