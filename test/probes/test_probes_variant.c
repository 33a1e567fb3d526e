// SPDX-License-Identifier: GPL-2.0-only
/*
 * The load-time decisions of the probes, without BPF: tracefs format
 * parsing, classic field layouts (real 6.1 formats and constructed
 * PREEMPT_RT / 4.19-like / unreadable ones, see formats/README), the BTF
 * prototype check on BTF built here, the variant choice over fake
 * /sys/kernel/btf and tracefs trees, the uevent filter, the module state
 * read from a fake /sys/module, and the check of kernel records.
 */
#include <bpf/btf.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aod_build.h"
#include "event_check.h"
#include "modwatch.h"
#include "tpformat.h"
#include "variant.h"

#define FORMATS AOD_SOURCE_ROOT "/test/probes/formats"

/* ---- helpers ------------------------------------------------------------ */

static char *tmpdir_new(void)
{
	char tmpl[] = "/tmp/aod-probes-test.XXXXXX";
	char *d = mkdtemp(tmpl);

	ck_assert_ptr_nonnull(d);
	return strdup(d);
}

static void rm_rf(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void mkdir_p(const char *path)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	ck_assert_int_eq(system(cmd), 0);
}

/* A tracefs tree under root holding the formats of one sample folder. */
static void tracefs_from_sample(const char *root, const char *sample)
{
	static const char *const events[] = { "smb3_cmd_enter", "smb3_cmd_done", "smb3_cmd_err",
					      "smb3_reconnect", "smb3_open_err", "smb3_read_err",
					      "smb3_write_err", "smb3_fsctl_err",
					      "smb3_query_info_compound_err", "smb3_unlink_err",
					      "smb3_falloc_err", "smb3_clone_err", "smb3_mknod_err" };

	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		char src[512], dir[512], cmd[1200];

		snprintf(src, sizeof(src), "%s/%s/%s.format", FORMATS, sample, events[i]);
		if (access(src, R_OK) != 0)
			continue;
		snprintf(dir, sizeof(dir), "%s/events/cifs/%s", root, events[i]);
		mkdir_p(dir);
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s/format'", src, dir);
		ck_assert_int_eq(system(cmd), 0);
	}
}

static void read_sample(const char *sample, const char *event, struct tpfmt *f)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s/%s.format", FORMATS, sample, event);
	ck_assert_int_eq(tpfmt_read(path, f), 0);
}

/* BTF types for the tracepoint prototypes. */
struct fake_types {
	int u16, u32, u64, s32, voidp, u32_td, u64_td, u16_td;
};

static void add_base_types(struct btf *btf, struct fake_types *t)
{
	t->u16 = btf__add_int(btf, "short unsigned int", 2, 0);
	t->u32 = btf__add_int(btf, "unsigned int", 4, 0);
	t->u64 = btf__add_int(btf, "long long unsigned int", 8, 0);
	t->s32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	t->voidp = btf__add_ptr(btf, 0);
	t->u16_td = btf__add_typedef(btf, "__u16", t->u16);
	t->u32_td = btf__add_typedef(btf, "__u32", t->u32);
	t->u64_td = btf__add_typedef(btf, "__u64", t->u64);
	ck_assert(t->u16 > 0 && t->u32 > 0 && t->u64 > 0 && t->s32 > 0 && t->voidp > 0 && t->u64_td > 0);
}

static void add_trace(struct btf *btf, const struct fake_types *t, const char *event, const int *args, int n)
{
	char name[96];
	int proto = btf__add_func_proto(btf, 0);

	ck_assert_int_gt(proto, 0);
	ck_assert_int_eq(btf__add_func_param(btf, NULL, t->voidp), 0);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(btf__add_func_param(btf, NULL, args[i]), 0);
	snprintf(name, sizeof(name), "btf_trace_%s", event);
	ck_assert_int_gt(btf__add_typedef(btf, name, btf__add_ptr(btf, proto)), 0);
}

/* The 6.1 prototypes; cmd_err_args < 6 makes smb3_cmd_err's different. */
static void add_cifs_traces(struct btf *btf, const struct fake_types *t, int cmd_err_args)
{
	int cmd[] = { t->u32_td, t->u64_td, t->u16_td, t->u64_td };
	int err[] = { t->u32_td, t->u64_td, t->u16_td, t->u64_td, t->u32_td, t->s32 };
	int reconnect[] = { t->u64_td, t->u64_td, t->voidp };

	add_trace(btf, t, "smb3_cmd_enter", cmd, 4);
	add_trace(btf, t, "smb3_cmd_done", cmd, 4);
	add_trace(btf, t, "smb3_cmd_err", err, cmd_err_args);
	add_trace(btf, t, "smb3_reconnect", reconnect, 3);
}

static void write_btf(const struct btf *btf, const char *path)
{
	__u32 size;
	const void *data = btf__raw_data(btf, &size);

	ck_assert_ptr_nonnull(data);
	write_file(path, data, size);
}

/* dir/vmlinux (with cifs built in when builtin_args >= 0) and, when
 * module_args >= 0, dir/cifs as split BTF on it. */
static void btf_tree(const char *dir, int builtin_args, int module_args)
{
	char path[512];
	struct fake_types t;
	struct btf *base = btf__new_empty();

	ck_assert_ptr_nonnull(base);
	add_base_types(base, &t);
	if (builtin_args >= 0)
		add_cifs_traces(base, &t, builtin_args);
	snprintf(path, sizeof(path), "%s/vmlinux", dir);
	write_btf(base, path);
	if (module_args >= 0) {
		struct btf *mod = btf__new_empty_split(base);

		ck_assert_ptr_nonnull(mod);
		add_cifs_traces(mod, &t, module_args);
		snprintf(path, sizeof(path), "%s/cifs", dir);
		write_btf(mod, path);
		btf__free(mod);
	}
	btf__free(base);
}

/* ---- tracefs formats ---------------------------------------------------- */

START_TEST(format_parses_real_cmd_err)
{
	struct tpfmt f;
	const struct tpfmt_field *fld;

	read_sample("debian12-6.1", "smb3_cmd_err", &f);
	ck_assert_str_eq(f.name, "smb3_cmd_err");
	ck_assert_uint_eq(f.id, 1498);
	ck_assert_uint_eq(f.nfields, 10);
	fld = tpfmt_find(&f, "sesid");
	ck_assert_ptr_nonnull(fld);
	ck_assert_uint_eq(fld->offset, 16);
	ck_assert_uint_eq(fld->size, 8);
	ck_assert(!fld->is_signed && !fld->is_common);
	fld = tpfmt_find(&f, "rc");
	ck_assert(fld && fld->is_signed && fld->offset == 44);
	ck_assert(tpfmt_find(&f, "common_pid")->is_common);
	ck_assert_ptr_null(tpfmt_find(&f, "nosuch"));
}
END_TEST

START_TEST(format_names_strings_and_arrays)
{
	struct tpfmt f;

	read_sample("debian12-6.1", "smb3_reconnect", &f);
	ck_assert_ptr_nonnull(tpfmt_find(&f, "hostname")); /* __data_loc char[] hostname */
	ck_assert_uint_eq(tpfmt_find(&f, "conn_id")->offset, 16);
	ck_assert_int_eq(tpfmt_parse("name: x\nID: 7\nformat:\n\tfield:char comm[16];\toffset:8;\tsize:16;"
				     "\tsigned:1;\n", &f), 0);
	ck_assert_ptr_nonnull(tpfmt_find(&f, "comm"));
	ck_assert_uint_eq(tpfmt_find(&f, "comm")->size, 16);
}
END_TEST

START_TEST(format_refuses_malformed_text)
{
	struct tpfmt f;
	const char *bad[] = {
		"",
		"hello world\n",
		/* no ID */
		"name: e\nformat:\n\tfield:int a;\toffset:8;\tsize:4;\tsigned:1;\n",
		/* no fields */
		"name: e\nID: 3\nformat:\n",
		/* offset not a number */
		"name: e\nID: 3\nformat:\n\tfield:int a;\toffset:x;\tsize:4;\tsigned:1;\n",
		/* junk after the number */
		"name: e\nID: 3\nformat:\n\tfield:int a;\toffset:8x;\tsize:4;\tsigned:1;\n",
		/* size 0 */
		"name: e\nID: 3\nformat:\n\tfield:int a;\toffset:8;\tsize:0;\tsigned:1;\n",
		/* signed must be 0 or 1 */
		"name: e\nID: 3\nformat:\n\tfield:int a;\toffset:8;\tsize:4;\tsigned:2;\n",
		/* no name */
		"name: e\nID: 3\nformat:\n\tfield:;\toffset:8;\tsize:4;\tsigned:1;\n",
		/* ID 0 */
		"name: e\nID: 0\nformat:\n\tfield:int a;\toffset:8;\tsize:4;\tsigned:1;\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(tpfmt_parse(bad[i], &f) == -EBADMSG, "accepted bad format #%zu", i);
	ck_assert_int_eq(tpfmt_read("/nonexistent/format", &f), -ENOENT);
}
END_TEST

/* ---- classic layouts -------------------------------------------------- */

static void assert_layout(const struct aod_tp_layout *l, unsigned tid, bool with_status)
{
	ck_assert_uint_eq(l->tid, tid);
	ck_assert_uint_eq(l->sesid, 16);
	ck_assert_uint_eq(l->cmd, 24);
	ck_assert_uint_eq(l->mid, 32);
	ck_assert_uint_eq(l->status, with_status ? 40 : 0);
	ck_assert_uint_eq(l->rc, with_status ? 44 : 0);
}

START_TEST(layout_of_real_formats)
{
	struct tpfmt f;
	struct aod_tp_layout l;
	char why[200];

	read_sample("debian12-6.1", "smb3_cmd_enter", &f);
	ck_assert_int_eq(variant_layout(&f, VEV_ENTER, &l, why, sizeof(why)), 0);
	assert_layout(&l, 8, false);
	read_sample("debian12-6.1", "smb3_cmd_err", &f);
	ck_assert_int_eq(variant_layout(&f, VEV_ERR, &l, why, sizeof(why)), 0);
	assert_layout(&l, 8, true);
}
END_TEST

START_TEST(layout_follows_a_longer_header)
{
	struct tpfmt f;
	struct aod_tp_layout l;
	char why[200];

	read_sample("preempt-rt", "smb3_cmd_err", &f);
	ck_assert_int_eq(variant_layout(&f, VEV_ERR, &l, why, sizeof(why)), 0);
	assert_layout(&l, 12, true);
}
END_TEST

START_TEST(layout_refuses_what_programs_cannot_read)
{
	struct tpfmt f;
	struct aod_tp_layout l;
	char why[200];

	read_sample("bad-sesid", "smb3_cmd_err", &f);
	ck_assert_int_eq(variant_layout(&f, VEV_ERR, &l, why, sizeof(why)), -EPROTO);
	ck_assert_ptr_nonnull(strstr(why, "sesid"));
	/* smb3_cmd_done's format has no status / rc */
	read_sample("debian12-6.1", "smb3_cmd_done", &f);
	ck_assert_int_eq(variant_layout(&f, VEV_ERR, &l, why, sizeof(why)), -EPROTO);
	ck_assert_ptr_nonnull(strstr(why, "status"));
	/* out of the copied record */
	ck_assert_int_eq(tpfmt_parse("name: smb3_cmd_enter\nID: 9\nformat:\n"
				     "\tfield:__u32 tid;\toffset:8;\tsize:4;\tsigned:0;\n"
				     "\tfield:__u64 sesid;\toffset:128;\tsize:8;\tsigned:0;\n"
				     "\tfield:__u16 cmd;\toffset:24;\tsize:2;\tsigned:0;\n"
				     "\tfield:__u64 mid;\toffset:32;\tsize:8;\tsigned:0;\n", &f), 0);
	ck_assert_int_eq(variant_layout(&f, VEV_ENTER, &l, why, sizeof(why)), -EPROTO);
	/* misaligned */
	ck_assert_int_eq(tpfmt_parse("name: smb3_cmd_enter\nID: 9\nformat:\n"
				     "\tfield:__u32 tid;\toffset:8;\tsize:4;\tsigned:0;\n"
				     "\tfield:__u64 sesid;\toffset:12;\tsize:8;\tsigned:0;\n"
				     "\tfield:__u16 cmd;\toffset:24;\tsize:2;\tsigned:0;\n"
				     "\tfield:__u64 mid;\toffset:32;\tsize:8;\tsigned:0;\n", &f), 0);
	ck_assert_int_eq(variant_layout(&f, VEV_ENTER, &l, why, sizeof(why)), -EPROTO);
}
END_TEST

/* ---- BTF prototypes ------------------------------------------------------ */

START_TEST(btf_check_matches_the_known_prototypes)
{
	struct fake_types t;
	struct btf *btf = btf__new_empty();
	char why[200];

	add_base_types(btf, &t);
	ck_assert_int_eq(variant_btf_check(btf, VEV_ERR, why, sizeof(why)), -ENOENT);
	add_cifs_traces(btf, &t, 6);
	for (int ev = 0; ev < VEV_NR; ev++)
		ck_assert_int_eq(variant_btf_check(btf, (enum variant_event)ev, why, sizeof(why)), 0);
	btf__free(btf);
}
END_TEST

START_TEST(btf_check_refuses_other_prototypes)
{
	struct fake_types t;
	struct btf *btf = btf__new_empty();
	char why[200];

	add_base_types(btf, &t);
	add_cifs_traces(btf, &t, 5); /* smb3_cmd_err without rc */
	ck_assert_int_eq(variant_btf_check(btf, VEV_ERR, why, sizeof(why)), -EPROTO);
	ck_assert_ptr_nonnull(strstr(why, "5 arguments"));
	btf__free(btf);

	btf = btf__new_empty();
	add_base_types(btf, &t);
	{
		int narrow[] = { t.u32, t.u32, t.u16, t.u64 }; /* a 4-byte sesid */

		add_trace(btf, &t, "smb3_cmd_enter", narrow, 4);
	}
	ck_assert_int_eq(variant_btf_check(btf, VEV_ENTER, why, sizeof(why)), -EPROTO);
	ck_assert_ptr_nonnull(strstr(why, "sesid"));
	btf__free(btf);
}
END_TEST

/* ---- the choice ------------------------------------------------------------ */

struct tree {
	char *root;
	char btf[512];
	char tracefs[512];
};

static void tree_new(struct tree *t)
{
	t->root = tmpdir_new();
	snprintf(t->btf, sizeof(t->btf), "%s/btf", t->root);
	snprintf(t->tracefs, sizeof(t->tracefs), "%s/tracing", t->root);
	mkdir_p(t->btf);
	mkdir_p(t->tracefs);
}

static void tree_free(struct tree *t)
{
	rm_rf(t->root);
	free(t->root);
}

START_TEST(choose_tp_btf_from_module_btf)
{
	struct tree t;
	struct variant_choice c;
	struct variant_paths p;

	tree_new(&t);
	btf_tree(t.btf, -1, 6);
	tracefs_from_sample(t.tracefs, "debian12-6.1");
	p = (struct variant_paths){ .btf_dir = t.btf, .tracefs_dir = t.tracefs };
	ck_assert_int_eq(variant_choose(&p, &c), 0);
	ck_assert_int_eq(c.kind, VARIANT_TP_BTF);
	for (int ev = 0; ev < VEV_NR; ev++)
		ck_assert(c.have[ev]);
	tree_free(&t);
}
END_TEST

START_TEST(choose_tp_btf_when_cifs_is_built_in)
{
	struct tree t;
	struct variant_choice c;
	struct variant_paths p;

	tree_new(&t);
	btf_tree(t.btf, 6, -1);
	p = (struct variant_paths){ .btf_dir = t.btf, .tracefs_dir = NULL };
	ck_assert_int_eq(variant_choose(&p, &c), 0);
	ck_assert_int_eq(c.kind, VARIANT_TP_BTF);
	tree_free(&t);
}
END_TEST

START_TEST(choose_tracepoint_without_cifs_btf)
{
	struct tree t;
	struct variant_choice c;
	struct variant_paths p;

	tree_new(&t);
	btf_tree(t.btf, -1, -1); /* vmlinux BTF only, like RHEL 8 */
	tracefs_from_sample(t.tracefs, "debian12-6.1");
	p = (struct variant_paths){ .btf_dir = t.btf, .tracefs_dir = t.tracefs };
	ck_assert_int_eq(variant_choose(&p, &c), 0);
	ck_assert_int_eq(c.kind, VARIANT_TRACEPOINT);
	ck_assert(c.have[VEV_ENTER] && c.have[VEV_DONE] && c.have[VEV_ERR] && c.have[VEV_RECONNECT]);
	ck_assert_uint_eq(c.tp_id[VEV_ERR], 1498);
	assert_layout(&c.lay[VEV_ENTER], 8, false);
	assert_layout(&c.lay[VEV_ERR], 8, true);
	ck_assert_ptr_nonnull(strstr(c.why, "no cifs module BTF"));
	tree_free(&t);
}
END_TEST

START_TEST(choose_tracepoint_when_btf_prototype_differs)
{
	struct tree t;
	struct variant_choice c;
	struct variant_paths p;

	tree_new(&t);
	btf_tree(t.btf, -1, 5);
	tracefs_from_sample(t.tracefs, "preempt-rt");
	p = (struct variant_paths){ .btf_dir = t.btf, .tracefs_dir = t.tracefs };
	ck_assert_int_eq(variant_choose(&p, &c), 0);
	ck_assert_int_eq(c.kind, VARIANT_TRACEPOINT);
	assert_layout(&c.lay[VEV_ERR], 12, true);
	ck_assert_ptr_nonnull(strstr(c.why, "smb3_cmd_err"));
	tree_free(&t);
}
END_TEST

START_TEST(choose_errors_only_without_cmd_enter)
{
	struct tree t;
	struct variant_choice c;
	struct variant_paths p;

	tree_new(&t);
	btf_tree(t.btf, -1, -1);
	tracefs_from_sample(t.tracefs, "no-enter");
	p = (struct variant_paths){ .btf_dir = t.btf, .tracefs_dir = t.tracefs };
	ck_assert_int_eq(variant_choose(&p, &c), 0);
	ck_assert_int_eq(c.kind, VARIANT_TRACEPOINT);
	ck_assert(!c.have[VEV_ENTER] && c.have[VEV_DONE] && c.have[VEV_ERR] && !c.have[VEV_RECONNECT]);
	tree_free(&t);
}
END_TEST

START_TEST(choose_none_without_cifs_or_with_unreadable_layout)
{
	struct tree t;
	struct variant_choice c;
	struct variant_paths p;

	tree_new(&t);
	btf_tree(t.btf, -1, -1);
	p = (struct variant_paths){ .btf_dir = t.btf, .tracefs_dir = t.tracefs };
	ck_assert_int_eq(variant_choose(&p, &c), -ENOENT);
	ck_assert_int_eq(c.kind, VARIANT_NONE);
	tracefs_from_sample(t.tracefs, "bad-sesid");
	ck_assert_int_eq(variant_choose(&p, &c), -ENOTSUP);
	ck_assert_int_eq(c.kind, VARIANT_NONE);
	ck_assert_ptr_nonnull(strstr(c.why, "sesid"));
	tree_free(&t);
}
END_TEST

START_TEST(choose_tracepoint_when_btf_is_skipped)
{
	struct tree t;
	struct variant_choice c;
	struct variant_paths p;

	tree_new(&t);
	btf_tree(t.btf, -1, 6);
	tracefs_from_sample(t.tracefs, "debian12-6.1");
	p = (struct variant_paths){ .btf_dir = t.btf, .tracefs_dir = t.tracefs, .skip_btf = true };
	ck_assert_int_eq(variant_choose(&p, &c), 0);
	ck_assert_int_eq(c.kind, VARIANT_TRACEPOINT);
	tree_free(&t);
}
END_TEST

/* ---- module watch ------------------------------------------------------- */

START_TEST(uevent_filter)
{
	static const char add[] = "add@/module/cifs\0ACTION=add\0DEVPATH=/module/cifs\0SUBSYSTEM=module\0SEQNUM=9";
	static const char rm[] = "remove@/module/cifs\0ACTION=remove\0DEVPATH=/module/cifs";
	static const char other[] = "add@/module/cifsx\0ACTION=add";
	static const char change[] = "change@/module/cifs\0ACTION=change";
	static const char dev[] = "add@/devices/virtual/cifs\0ACTION=add";
	static const char noat[] = "libudev\0add";

	ck_assert(modwatch_concerns(add, sizeof(add), "cifs"));
	ck_assert(modwatch_concerns(rm, sizeof(rm), "cifs"));
	ck_assert(!modwatch_concerns(other, sizeof(other), "cifs"));
	ck_assert(!modwatch_concerns(change, sizeof(change), "cifs"));
	ck_assert(!modwatch_concerns(dev, sizeof(dev), "cifs"));
	ck_assert(!modwatch_concerns(noat, sizeof(noat), "cifs"));
	/* not NUL-terminated within len */
	ck_assert(!modwatch_concerns("add@/module/cifs", 14, "cifs"));
}
END_TEST

START_TEST(module_state_from_sysfs)
{
	char *root = tmpdir_new();
	char path[512];

	ck_assert_int_eq(modwatch_module_state(root, "cifs"), MODULE_ABSENT);
	snprintf(path, sizeof(path), "%s/cifs", root);
	mkdir_p(path);
	/* built in: a directory without initstate or refcnt */
	ck_assert_int_eq(modwatch_module_state(root, "cifs"), MODULE_LIVE);
	snprintf(path, sizeof(path), "%s/cifs/refcnt", root);
	write_file(path, "0\n", 2);
	ck_assert_int_eq(modwatch_module_state(root, "cifs"), MODULE_TRANSIENT);
	snprintf(path, sizeof(path), "%s/cifs/initstate", root);
	write_file(path, "coming\n", 7);
	ck_assert_int_eq(modwatch_module_state(root, "cifs"), MODULE_TRANSIENT);
	write_file(path, "live\n", 5);
	ck_assert_int_eq(modwatch_module_state(root, "cifs"), MODULE_LIVE);
	write_file(path, "going\n", 6);
	ck_assert_int_eq(modwatch_module_state(root, "cifs"), MODULE_TRANSIENT);
	rm_rf(root);
	free(root);
}
END_TEST

START_TEST(uevent_socket_opens)
{
	int fd = modwatch_open();

	ck_assert_int_ge(fd, 0);
	/* nothing about cifs pending on a fresh socket (unless a module is
	 * being loaded right now, which a test machine does not do) */
	ck_assert_int_ge(modwatch_drain(fd, "cifs"), 0);
	close(fd);
}
END_TEST

/* ---- records from the kernel ---------------------------------------------- */

START_TEST(event_check_rejects_bad_records)
{
	struct aod_event ok = { .kind = AOD_EV_LATENCY, .command = 0x12, .latency_ns = 5 };
	struct aod_event ev;

	ck_assert_ptr_null(event_check(&ok));
	ev = ok;
	ev.kind = 0;
	ck_assert_ptr_nonnull(event_check(&ev));
	ev.kind = 3;
	ck_assert_ptr_nonnull(event_check(&ev));
	ev = ok;
	ev.command = AOD_SMB2_NR_COMMANDS;
	ck_assert_ptr_nonnull(event_check(&ev));
	ev = ok;
	ev.err = -5;
	ck_assert_ptr_nonnull(event_check(&ev));
	ev = ok;
	ev.kind = AOD_EV_ERROR;
	ck_assert_ptr_nonnull(event_check(&ev)); /* no status, no errno */
	ev.nt_status = 0xc0000022u;
	ck_assert_ptr_null(event_check(&ev));
}
END_TEST

START_TEST(comm_is_made_printable_and_terminated)
{
	char comm[AOD_COMM_LEN];

	memset(comm, 'a', sizeof(comm));
	comm[2] = '\n';
	comm[3] = (char)0xff;
	event_comm_sanitize(comm);
	ck_assert_int_eq(comm[AOD_COMM_LEN - 1], '\0');
	ck_assert_int_eq(comm[2], '?');
	ck_assert_int_eq(comm[3], '?');
	ck_assert_int_eq(strlen(comm), AOD_COMM_LEN - 1);
}
END_TEST

/* ---- the per-operation error tracepoints ------------------------------------ */

static void assert_op_err(const struct aod_op_err_lay *l, unsigned id, unsigned cmd, unsigned tid,
			  unsigned sesid, unsigned rc)
{
	ck_assert_uint_eq(l->tp_id, id);
	ck_assert_uint_eq(l->command, cmd);
	ck_assert_uint_eq(l->tid, tid);
	ck_assert_uint_eq(l->sesid, sesid);
	ck_assert_uint_eq(l->rc, rc);
}

START_TEST(op_err_tracepoints_are_read_by_field_name)
{
	struct aod_op_err_lay lay[AOD_OP_ERR_MAX];
	struct tree t;
	char why[160];

	tree_new(&t);
	tracefs_from_sample(t.tracefs, "debian12-6.1");
	struct variant_op_err_found found;
	ck_assert_int_eq(variant_op_errs(t.tracefs, lay, &found, why, sizeof(why)), 5);
	ck_assert_str_eq(why, "");
	/* each slot names its event; every other known one is absent */
	ck_assert_str_eq(variant_op_err_name(found.name[0]), "smb3_open_err");
	ck_assert_str_eq(variant_op_err_name(found.name[3]), "smb3_fsctl_err");
	for (unsigned i = 0; i < variant_op_err_names(); i++) {
		bool in_slot = false;

		for (int k = 0; k < 5; k++)
			in_slot |= found.name[k] == i;
		ck_assert_msg(in_slot != !!(found.absent & (1u << i)), "%s", variant_op_err_name(i));
	}
	ck_assert_ptr_null(variant_op_err_name(variant_op_err_names()));
	assert_op_err(&lay[0], 1485, 0x05, 12, 16, 32); /* smb3_open_err: SMB2_CREATE */
	assert_op_err(&lay[1], 1559, 0x08, 24, 32, 52); /* smb3_read_err */
	assert_op_err(&lay[2], 1560, 0x09, 24, 32, 52); /* smb3_write_err */
	assert_op_err(&lay[3], 1428, 0x0b, 24, 32, 48); /* smb3_fsctl_err: SMB2_IOCTL */
	/* a compound's: reported as its CREATE, matched to any member's response */
	assert_op_err(&lay[4], 1407, 0x05, 12, 16, 24);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(lay[i].any_command, 0);
	ck_assert_uint_eq(lay[4].any_command, 1);
	for (int i = 5; i < AOD_OP_ERR_MAX; i++)
		ck_assert_uint_eq(lay[i].tp_id, 0);
	tree_free(&t);

	/* netfs moved the fields: found where this kernel puts them */
	tree_new(&t);
	tracefs_from_sample(t.tracefs, "netfs-6.10");
	ck_assert_int_eq(variant_op_errs(t.tracefs, lay, NULL, why, sizeof(why)), 1);
	assert_op_err(&lay[0], 1702, 0x08, 32, 40, 60);
	tree_free(&t);
}
END_TEST

START_TEST(newer_kernels_op_err_tracepoints_are_read_by_field_name)
{
	struct aod_op_err_lay lay[AOD_OP_ERR_MAX];
	struct variant_op_err_found found;
	struct tree t;
	char why[160];

	/* 7.3's: unlink (delete and rmdir are gone), and the error events of
	 * fallocate, FICLONE and mknod, each read by field name */
	tree_new(&t);
	tracefs_from_sample(t.tracefs, "debian-7.3");
	ck_assert_int_eq(variant_op_errs(t.tracefs, lay, &found, why, sizeof(why)), 4);
	ck_assert_str_eq(why, "");
	ck_assert_str_eq(variant_op_err_name(found.name[0]), "smb3_unlink_err");
	assert_op_err(&lay[0], 1705, 0x05, 12, 16, 24);
	ck_assert_str_eq(variant_op_err_name(found.name[1]), "smb3_falloc_err");
	assert_op_err(&lay[1], 1773, 0x11, 24, 32, 52); /* SET_INFO (end of file) */
	ck_assert_str_eq(variant_op_err_name(found.name[2]), "smb3_clone_err");
	assert_op_err(&lay[2], 1772, 0x0b, 32, 40, 68); /* IOCTL (DUPLICATE_EXTENTS) */
	ck_assert_str_eq(variant_op_err_name(found.name[3]), "smb3_mknod_err");
	assert_op_err(&lay[3], 1697, 0x05, 12, 16, 24);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(lay[i].any_command, 1);
	for (int i = 4; i < AOD_OP_ERR_MAX; i++)
		ck_assert_uint_eq(lay[i].tp_id, 0);
	tree_free(&t);
}
END_TEST

START_TEST(an_unreadable_op_err_layout_is_left_out_alone)
{
	struct aod_op_err_lay lay[AOD_OP_ERR_MAX];
	struct tree t;
	char why[160];

	tree_new(&t);
	tracefs_from_sample(t.tracefs, "bad-sesid");
	ck_assert_int_eq(variant_op_errs(t.tracefs, lay, NULL, why, sizeof(why)), 1);
	ck_assert_msg(strstr(why, "smb3_open_err") && strstr(why, "sesid"), "%s", why);
	assert_op_err(&lay[0], 1559, 0x08, 24, 32, 52);
	ck_assert_uint_eq(lay[1].tp_id, 0);
	tree_free(&t);

	/* no cifs events at all: none, and nothing to say */
	tree_new(&t);
	ck_assert_int_eq(variant_op_errs(t.tracefs, lay, NULL, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "");
	tree_free(&t);
}
END_TEST

static Suite *variant_suite(void)
{
	Suite *s = suite_create("probes_variant");
	TCase *fmt = tcase_create("format");
	TCase *lay = tcase_create("layout");
	TCase *btf = tcase_create("btf");
	TCase *ch = tcase_create("choose");
	TCase *mod = tcase_create("modwatch");
	TCase *ev = tcase_create("events");

	tcase_add_test(fmt, format_parses_real_cmd_err);
	tcase_add_test(fmt, format_names_strings_and_arrays);
	tcase_add_test(fmt, format_refuses_malformed_text);
	tcase_add_test(lay, layout_of_real_formats);
	tcase_add_test(lay, layout_follows_a_longer_header);
	tcase_add_test(lay, layout_refuses_what_programs_cannot_read);
	tcase_add_test(btf, btf_check_matches_the_known_prototypes);
	tcase_add_test(btf, btf_check_refuses_other_prototypes);
	tcase_add_test(ch, choose_tp_btf_from_module_btf);
	tcase_add_test(ch, choose_tp_btf_when_cifs_is_built_in);
	tcase_add_test(ch, choose_tracepoint_without_cifs_btf);
	tcase_add_test(ch, choose_tracepoint_when_btf_prototype_differs);
	tcase_add_test(ch, choose_errors_only_without_cmd_enter);
	tcase_add_test(ch, choose_none_without_cifs_or_with_unreadable_layout);
	tcase_add_test(ch, choose_tracepoint_when_btf_is_skipped);
	tcase_add_test(mod, uevent_filter);
	tcase_add_test(mod, module_state_from_sysfs);
	tcase_add_test(mod, uevent_socket_opens);
	tcase_add_test(ev, event_check_rejects_bad_records);
	tcase_add_test(ev, op_err_tracepoints_are_read_by_field_name);
	tcase_add_test(ev, newer_kernels_op_err_tracepoints_are_read_by_field_name);
	tcase_add_test(ev, an_unreadable_op_err_layout_is_left_out_alone);
	tcase_add_test(ev, comm_is_made_printable_and_terminated);
	/* A watchdog, not a figure: each test builds BTF and tracefs trees on
	 * disk, and at load 20 one took longer than Check's default 4 s. */
	TCase *all[] = { fmt, lay, btf, ch, mod, ev };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_set_timeout(all[i], 30);
		suite_add_tcase(s, all[i]);
	}
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(variant_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
