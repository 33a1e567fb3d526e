// SPDX-License-Identifier: GPL-2.0-only
#include "variant.h"

#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static const char *const event_names[VEV_NR] = {
	[VEV_ENTER] = "smb3_cmd_enter",
	[VEV_DONE] = "smb3_cmd_done",
	[VEV_ERR] = "smb3_cmd_err",
	[VEV_RECONNECT] = "smb3_reconnect",
};

const char *variant_event_name(enum variant_event ev)
{
	return ev < VEV_NR ? event_names[ev] : "?";
}

const char *variant_kind_name(enum variant_kind k)
{
	switch (k) {
	case VARIANT_TP_BTF:
		return "tp_btf";
	case VARIANT_TRACEPOINT:
		return "tracepoint";
	default:
		return "none";
	}
}

/*
 * The arguments each program reads, in order, after the tracepoint's
 * leading "void *__data": (tid, sesid, cmd, mid[, status, rc]).
 * smb3_reconnect's arguments are not read (they changed in 5.x).
 */
struct arg_spec {
	const char *name;
	unsigned size;
};

static const struct arg_spec cmd_args[] = {
	{ "tid", 4 }, { "sesid", 8 }, { "cmd", 2 }, { "mid", 8 }, { "status", 4 }, { "rc", 4 },
};

static unsigned event_nargs(enum variant_event ev)
{
	switch (ev) {
	case VEV_ENTER:
	case VEV_DONE:
		return 4;
	case VEV_ERR:
		return 6;
	default:
		return 0;
	}
}

static bool btf_is_scalar(const struct btf *btf, __u32 id)
{
	int rid = btf__resolve_type(btf, id);
	const struct btf_type *t = rid < 0 ? NULL : btf__type_by_id(btf, (__u32)rid);

	return t && (btf_is_int(t) || btf_is_enum(t));
}

int variant_btf_check(const struct btf *btf, enum variant_event ev, char *why, size_t len)
{
	char name[80];
	const struct btf_type *t;
	const struct btf_param *params;
	unsigned nargs = event_nargs(ev);
	__s32 id;

	snprintf(name, sizeof(name), "btf_trace_%s", variant_event_name(ev));
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0) {
		snprintf(why, len, "no %s in BTF", name);
		return -ENOENT;
	}
	t = btf__type_by_id(btf, (__u32)id);
	t = t ? btf__type_by_id(btf, t->type) : NULL;          /* typedef -> pointer */
	t = t && btf_is_ptr(t) ? btf__type_by_id(btf, t->type) : NULL; /* -> func proto */
	if (!t || !btf_is_func_proto(t)) {
		snprintf(why, len, "%s is not a pointer to a function", name);
		return -EPROTO;
	}
	if (ev == VEV_RECONNECT)
		return 0;
	if (btf_vlen(t) != nargs + 1) {
		snprintf(why, len, "%s takes %u arguments, expected %u", name, btf_vlen(t) - 1, nargs);
		return -EPROTO;
	}
	params = btf_params(t);
	for (unsigned i = 0; i < nargs; i++) {
		__u32 tid = params[i + 1].type;
		__s64 size = btf__resolve_size(btf, tid);

		if (!btf_is_scalar(btf, tid) || size != cmd_args[i].size) {
			snprintf(why, len, "%s argument %u (%s) is not a %u-byte integer", name, i + 1,
				 cmd_args[i].name, cmd_args[i].size);
			return -EPROTO;
		}
	}
	return 0;
}

/* One field of a classic record: present, of the expected size, aligned and
 * inside what the programs copy. 0 or -EPROTO (why says which). */
static int layout_field(const struct tpfmt *f, const char *name, unsigned size, __u16 *out, char *why,
			size_t len)
{
	const struct tpfmt_field *fld = tpfmt_find(f, name);

	if (!fld || fld->is_common) {
		snprintf(why, len, "%s format has no field %s", f->name, name);
		return -EPROTO;
	}
	if (fld->size != size || fld->offset % fld->size != 0 ||
	    fld->offset + fld->size > AOD_TP_RECORD_MAX || fld->offset == 0) {
		snprintf(why, len, "%s field %s: offset %u size %u, expected an aligned %u-byte field "
			 "within %u bytes", f->name, fld->name, fld->offset, fld->size, size,
			 AOD_TP_RECORD_MAX);
		return -EPROTO;
	}
	*out = (__u16)fld->offset;
	return 0;
}

int variant_layout(const struct tpfmt *f, enum variant_event ev, struct aod_tp_layout *out, char *why,
		   size_t len)
{
	__u16 *slot[] = { &out->tid, &out->sesid, &out->cmd, &out->mid, &out->status, &out->rc };
	unsigned nargs = event_nargs(ev);

	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < nargs; i++)
		if (layout_field(f, cmd_args[i].name, cmd_args[i].size, slot[i], why, len) < 0)
			return -EPROTO;
	return 0;
}

/* The per-operation error tracepoints and the SMB2 command each stands for.
 * The compound ones (any: 1) trace a CREATE + ... + CLOSE chain as a whole:
 * reported as SMB2_CREATE, the chain's first request, and the same failure
 * as a response's error for any command of it. No kernel has them all:
 * 7.x replaced delete and rmdir with unlink and added copychunk (the error
 * copy_file_range returns), 6.x added clone, mknod and the reparse point
 * compounds; at most AOD_OP_ERR_MAX are present at once. Left out: cifs_fsync_err
 * and cifs_flush_err (an inode and rc, no session or tree to name), the lease
 * break acks, tree disconnects and connects (no application request). */
static const struct {
	const char *name;
	__u16 command;
	__u16 any;
} op_err_events[] = {
	{ "smb3_open_err", 0x05, 0 },       { "smb3_close_err", 0x06, 0 },
	{ "smb3_flush_err", 0x07, 0 },      { "smb3_read_err", 0x08, 0 },
	{ "smb3_write_err", 0x09, 0 },      { "smb3_lock_err", 0x0a, 0 },
	{ "smb3_notify_err", 0x0f, 0 },     { "smb3_query_dir_err", 0x0e, 0 },
	{ "smb3_query_info_err", 0x10, 0 }, { "smb3_set_info_err", 0x11, 0 },
	{ "smb3_fsctl_err", 0x0b, 0 },      { "smb3_posix_mkdir_err", 0x05, 0 },
	{ "smb3_query_info_compound_err", 0x05, 1 },
	{ "smb3_posix_query_info_compound_err", 0x05, 1 },
	{ "smb3_set_info_compound_err", 0x05, 1 },
	{ "smb3_delete_err", 0x05, 1 },     { "smb3_mkdir_err", 0x05, 1 },
	{ "smb3_rmdir_err", 0x05, 1 },      { "smb3_hardlink_err", 0x05, 1 },
	{ "smb3_rename_err", 0x05, 1 },     { "smb3_set_eof_err", 0x05, 1 },
	{ "smb3_unlink_err", 0x05, 1 },     { "smb3_copychunk_err", 0x0b, 0 },
	/* what fallocate (zero range, allocate) and FICLONE return: the
	 * IOCTL (SET_ZERO_DATA, DUPLICATE_EXTENTS) or SET_INFO (end of file)
	 * they send, or an error cifs raised before sending anything */
	{ "smb3_zero_err", 0x0b, 1 },       { "smb3_falloc_err", 0x11, 1 },
	{ "smb3_clone_err", 0x0b, 1 },
	/* mknod, and the reparse points behind special files and symlinks
	 * (stat, readlink, mknod, symlink): compounds */
	{ "smb3_mknod_err", 0x05, 1 },      { "smb3_get_reparse_compound_err", 0x05, 1 },
	{ "smb3_query_wsl_ea_compound_err", 0x05, 1 },
	{ "smb3_set_reparse_compound_err", 0x05, 1 },
};
#define OP_ERR_NAMES (sizeof(op_err_events) / sizeof(op_err_events[0]))
_Static_assert(OP_ERR_NAMES <= 32, "absent and attached sets are 32-bit masks");

unsigned variant_op_err_names(void)
{
	return OP_ERR_NAMES;
}

const char *variant_op_err_name(unsigned i)
{
	return i < OP_ERR_NAMES ? op_err_events[i].name : NULL;
}

/* Reads tracefs's format of cifs event `name`: 0, -ENOENT when the kernel
 * lacks the event, or another -errno with why set. */
static int read_event_format(const char *tracefs, const char *name, struct tpfmt *fmt, char *why,
			     size_t len)
{
	char path[512];
	int r;

	snprintf(path, sizeof(path), "%s/events/cifs/%s/format", tracefs, name);
	r = tpfmt_read(path, fmt);
	if (r < 0 && r != -ENOENT)
		snprintf(why, len, "%.160s: %s", path, r == -EBADMSG ? "not a tracepoint format" : strerror(-r));
	return r;
}

int variant_op_err_layout(const struct tpfmt *f, __u16 command, struct aod_op_err_lay *out, char *why,
			  size_t len)
{
	memset(out, 0, sizeof(*out));
	if (f->id == 0 || f->id > 0xffff) {
		snprintf(why, len, "%s has id %u, more than a slot holds", f->name, f->id);
		return -EPROTO;
	}
	if (layout_field(f, "tid", 4, &out->tid, why, len) < 0 ||
	    layout_field(f, "sesid", 8, &out->sesid, why, len) < 0 ||
	    layout_field(f, "rc", 4, &out->rc, why, len) < 0)
		return -EPROTO;
	out->tp_id = (__u16)f->id;
	out->command = command;
	return 0;
}

int variant_op_errs(const char *tracefs, struct aod_op_err_lay *lay, struct variant_op_err_found *found,
		    char *why, size_t len)
{
	struct tpfmt *fmt = calloc(1, sizeof(*fmt));
	struct variant_op_err_found dummy;
	char one[200];
	int n = 0;

	if (!fmt)
		return -ENOMEM;
	if (!found)
		found = &dummy;
	memset(found, 0, sizeof(*found));
	why[0] = '\0';
	for (unsigned i = 0; i < OP_ERR_NAMES; i++) {
		int r = read_event_format(tracefs, op_err_events[i].name, fmt, one, sizeof(one));
		if (r == 0 && n == AOD_OP_ERR_MAX) {
			snprintf(one, sizeof(one), "%s: all %d slots taken", op_err_events[i].name, AOD_OP_ERR_MAX);
			r = -ENOSPC;
		}
		if (r == 0)
			r = variant_op_err_layout(fmt, op_err_events[i].command, &lay[n], one, sizeof(one));
		if (r == 0) {
			lay[n].any_command = op_err_events[i].any;
			found->name[n] = (__u8)i;
			n++;
		} else if (r == -ENOENT) {
			found->absent |= 1u << i;
		} else if (!why[0]) {
			snprintf(why, len, "%s", one); /* the first refusal; the others still load */
		}
	}
	for (int i = n; i < AOD_OP_ERR_MAX; i++)
		memset(&lay[i], 0, sizeof(lay[i]));
	free(fmt);
	return n;
}

/* Loads the BTF that describes cifs: vmlinux's when cifs is built in,
 * else cifs.ko's (split on vmlinux). NULL when there is none. */
static struct btf *load_cifs_btf(const char *dir, struct btf **base_out, char *why, size_t len)
{
	char path[512];
	struct btf *base, *mod;

	*base_out = NULL;
	snprintf(path, sizeof(path), "%s/vmlinux", dir);
	base = btf__parse(path, NULL);
	if (!base) {
		snprintf(why, len, "no vmlinux BTF (%.100s: %s)", path, strerror(errno));
		return NULL;
	}
	if (btf__find_by_name_kind(base, "btf_trace_smb3_cmd_err", BTF_KIND_TYPEDEF) >= 0)
		return base;
	snprintf(path, sizeof(path), "%s/cifs", dir);
	if (access(path, R_OK) != 0) {
		snprintf(why, len, "no cifs module BTF (%.100s)", path);
		btf__free(base);
		return NULL;
	}
	mod = btf__parse_split(path, base);
	if (!mod) {
		snprintf(why, len, "cannot parse %.100s: %s", path, strerror(errno));
		btf__free(base);
		return NULL;
	}
	*base_out = base;
	return mod;
}

static int choose_btf(const struct variant_paths *paths, struct variant_choice *out)
{
	struct btf *base, *btf;
	char why[160];
	int err = 0;

	btf = load_cifs_btf(paths->btf_dir, &base, out->why, sizeof(out->why));
	if (!btf)
		return -ENOENT;
	for (int ev = 0; ev < VEV_NR && !err; ev++) {
		int r = variant_btf_check(btf, (enum variant_event)ev, why, sizeof(why));

		out->have[ev] = r == 0;
		if (r == -EPROTO) {
			snprintf(out->why, sizeof(out->why), "BTF: %s", why);
			err = -EPROTO;
		}
	}
	if (!err && !out->have[VEV_ERR]) {
		snprintf(out->why, sizeof(out->why), "BTF has no btf_trace_smb3_cmd_err");
		err = -ENOENT;
	}
	btf__free(btf);
	btf__free(base);
	if (!err) {
		out->kind = VARIANT_TP_BTF;
		snprintf(out->why, sizeof(out->why), "cifs tracepoint prototypes found in BTF");
	}
	return err;
}

static int choose_tracepoint(const char *tracefs, struct variant_choice *out)
{
	struct tpfmt *fmt = calloc(1, sizeof(*fmt));
	int err = 0;

	if (!fmt)
		return -ENOMEM;
	for (int ev = 0; ev < VEV_NR && !err; ev++) {
		int r = read_event_format(tracefs, variant_event_name((enum variant_event)ev), fmt, out->why,
					  sizeof(out->why));

		if (r == -ENOENT)
			continue;
		if (r < 0) {
			err = -ENOTSUP;
			break;
		}
		r = variant_layout(fmt, (enum variant_event)ev, &out->lay[ev], out->why, sizeof(out->why));
		if (r < 0) {
			err = -ENOTSUP;
			break;
		}
		out->have[ev] = true;
		out->tp_id[ev] = fmt->id;
	}
	free(fmt);
	if (!err && !out->have[VEV_ERR]) {
		snprintf(out->why, sizeof(out->why), "no cifs tracepoints under %.160s/events/cifs", tracefs);
		err = out->have[VEV_ENTER] || out->have[VEV_DONE] ? -ENOTSUP : -ENOENT;
	}
	if (!err)
		out->kind = VARIANT_TRACEPOINT;
	return err;
}

int variant_choose(const struct variant_paths *paths, struct variant_choice *out)
{
	char btf_why[sizeof(out->why)];
	int err;

	memset(out, 0, sizeof(*out));
	if (paths->skip_btf) {
		snprintf(out->why, sizeof(out->why), "BTF variant not wanted");
		err = -ENOENT;
	} else {
		err = choose_btf(paths, out);
	}
	if (!err)
		return 0;
	snprintf(btf_why, sizeof(btf_why), "%s", out->why);
	memset(out, 0, sizeof(*out));
	if (!paths->tracefs_dir) {
		snprintf(out->why, sizeof(out->why), "%.200s; no tracefs", btf_why);
		return err == -EPROTO ? -ENOTSUP : -ENOENT;
	}
	err = choose_tracepoint(paths->tracefs_dir, out);
	{
		char tp_why[sizeof(out->why)];

		snprintf(tp_why, sizeof(tp_why), "%s", out->why);
		if (err)
			snprintf(out->why, sizeof(out->why), "%.100s; %.150s", btf_why, tp_why);
		else
			snprintf(out->why, sizeof(out->why), "%.200s; using the tracefs formats", btf_why);
	}
	return err;
}

static bool has_events(const char *dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/events", dir);
	return access(path, F_OK) == 0;
}

int variant_tracefs(char *dir, size_t len)
{
	static const char *const candidates[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (has_events(candidates[i])) {
			snprintf(dir, len, "%s", candidates[i]);
			return 0;
		}
	if (mount("tracefs", candidates[0], "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
		return -errno;
	snprintf(dir, len, "%s", candidates[0]);
	return has_events(dir) ? 0 : -ENOENT;
}
