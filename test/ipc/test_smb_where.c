// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which server and share: DebugData as 6.1 prints it (captured in the VM)
 * and as 5.10's source prints it, UNC splitting, and a table that never
 * names ids wrongly: a remount's fresh ids replace nothing of the old ones,
 * a disconnect marks gone, a full table drops gone entries first.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smb_where.h"

#ifndef AOD_TEST_DATA
#error AOD_TEST_DATA must name test/ipc/data
#endif

struct found {
	unsigned n;
	struct smb_where w[8];
};

static void collect(const struct smb_where *w, void *arg)
{
	struct found *f = arg;

	if (f->n < 8)
		f->w[f->n] = *w;
	f->n++;
}

static char *slurp(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", AOD_TEST_DATA, name);
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	char *buf = calloc(1, 65536);
	*len = fread(buf, 1, 65535, f);
	fclose(f);
	return buf;
}

static const struct smb_where *by_tid(const struct found *f, uint32_t tid)
{
	for (unsigned i = 0; i < f->n && i < 8; i++)
		if (f->w[i].tree_id == tid)
			return &f->w[i];
	return NULL;
}

START_TEST(debugdata_6_1)
{
	size_t len;
	char *text = slurp("debugdata-6.1.txt", &len);
	struct found f = { 0 };

	ck_assert_int_eq(smb_where_parse_debugdata(text, len, collect, &f), 4);
	const struct smb_where *other = by_tid(&f, 0xc5ca5f28), *share = by_tid(&f, 0x6162b7a2);
	ck_assert_ptr_nonnull(other);
	ck_assert_uint_eq(other->session_id, 0x6719abbc);
	ck_assert_str_eq(other->server, "127.0.0.2");
	ck_assert_str_eq(other->address, "127.0.0.2");
	ck_assert_str_eq(other->share, "\\\\127.0.0.2\\other");
	ck_assert_ptr_nonnull(share);
	ck_assert_uint_eq(share->session_id, 0xd54e1b00);
	ck_assert_str_eq(share->address, "127.0.0.1");
	ck_assert_str_eq(share->share, "\\\\127.0.0.1\\share");
	const struct smb_where *ipc = by_tid(&f, 0x9364b378);
	ck_assert_ptr_nonnull(ipc);
	ck_assert_str_eq(ipc->share, "\\\\127.0.0.2\\IPC$");
	ck_assert_uint_eq(ipc->session_id, 0x6719abbc);
	free(text);
}
END_TEST

START_TEST(debugdata_5_10)
{
	size_t len;
	char *text = slurp("debugdata-5.10.txt", &len);
	struct found f = { 0 };

	ck_assert_int_eq(smb_where_parse_debugdata(text, len, collect, &f), 2);
	const struct smb_where *p = by_tid(&f, 5);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->session_id, 0x8c0000000041ull);
	ck_assert_str_eq(p->server, "files.example.org");
	ck_assert_str_eq(p->address, "192.168.7.20");
	ck_assert_str_eq(p->share, "\\\\files.example.org\\projects");
	free(text);
}
END_TEST

START_TEST(debugdata_refuses_what_is_not_it)
{
	struct found f = { 0 };
	const char *junk = "hello\nSessionId: 0x5\n\t1) \\\\a\\b Mounts: 1\n\ttid: 0x9\n";

	ck_assert_int_eq(smb_where_parse_debugdata(junk, strlen(junk), collect, &f), -EINVAL);
	ck_assert_uint_eq(f.n, 0);
	/* a share before any session id names nothing */
	const char *nosession = "Servers:\n\t1) \\\\a\\b Mounts: 1\n\ttid: 0x9\n";
	ck_assert_int_eq(smb_where_parse_debugdata(nosession, strlen(nosession), collect, &f), 0);
	/* a tid without a share line before it names nothing either */
	const char *notcon = "Servers:\n1) Address: 1.2.3.4 Uses: 1\n SessionId: 0x5\n\ttid: 0x9\n";
	ck_assert_int_eq(smb_where_parse_debugdata(notcon, strlen(notcon), collect, &f), 0);
	/* a new session forgets the previous one's share */
	const char *two = "Servers:\n1) Address: 1.2.3.4 Uses: 1\n SessionId: 0x5\n\t1) \\\\a\\b Mounts: 1\n"
			  "2) Address: 5.6.7.8 Uses: 1\n SessionId: 0x6\n\ttid: 0x9\n";
	ck_assert_int_eq(smb_where_parse_debugdata(two, strlen(two), collect, &f), 0);
}
END_TEST

START_TEST(unc_split)
{
	struct smb_where w;

	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(smb_where_from_unc("\\\\srv\\data", &w), 0);
	ck_assert_str_eq(w.server, "srv");
	ck_assert_str_eq(w.share, "\\\\srv\\data");
	ck_assert(smb_where_valid(&w));
	ck_assert_int_eq(smb_where_from_unc("\\\\srv\\data\\sub\\dir", &w), 0);
	ck_assert_str_eq(w.share, "\\\\srv\\data");
	ck_assert_int_eq(smb_where_from_unc("//srv/data", &w), -EINVAL);
	ck_assert_int_eq(smb_where_from_unc("\\\\srv", &w), -EINVAL);
	ck_assert_int_eq(smb_where_from_unc("\\\\\\data", &w), -EINVAL);
	char longhost[200];
	memset(longhost, 'h', sizeof(longhost));
	memcpy(longhost, "\\\\", 2);
	strcpy(longhost + 150, "\\s");
	ck_assert_int_eq(smb_where_from_unc(longhost, &w), -EINVAL); /* never truncated */
	/* a share that is not of its server is refused by a receiver */
	strcpy(w.server, "other");
	strcpy(w.share, "\\\\srv\\data");
	ck_assert(!smb_where_valid(&w));
}
END_TEST

static struct smb_where entry(uint64_t ses, uint32_t tid, const char *unc, uint64_t seen)
{
	struct smb_where w;

	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(smb_where_from_unc(unc, &w), 0);
	w.session_id = ses;
	w.tree_id = tid;
	w.seen_ns = seen;
	return w;
}

START_TEST(remount_gets_fresh_ids_and_no_stale_name)
{
	static struct smb_where_table t;
	struct smb_where a = entry(0x10, 1, "\\\\srv\\one", 1), b = entry(0x20, 7, "\\\\srv\\two", 2);

	smb_where_init(&t);
	smb_where_put(&t, &a);
	ck_assert_str_eq(smb_where_find(&t, 0x10, 1)->share, "\\\\srv\\one");
	/* unmount: tree disconnect, then logoff */
	ck_assert_uint_eq(smb_where_gone(&t, 0x10, 1), 1);
	ck_assert_uint_eq(smb_where_gone(&t, 0x10, SMB_WHERE_ANY_TREE), 0);
	ck_assert_uint_eq(smb_where_find(&t, 0x10, 1)->gone, 1);
	/* the remount's ids are new: nothing answers for them but their connect */
	ck_assert_ptr_null(smb_where_find(&t, 0x20, 7));
	smb_where_put(&t, &b);
	ck_assert_str_eq(smb_where_find(&t, 0x20, 7)->share, "\\\\srv\\two");
	/* the same ids connected to another share replace the old name */
	struct smb_where c = entry(0x20, 7, "\\\\srv\\three", 3);
	smb_where_put(&t, &c);
	ck_assert_str_eq(smb_where_find(&t, 0x20, 7)->share, "\\\\srv\\three");
	ck_assert_uint_eq(t.n, 2);
	ck_assert_ptr_null(smb_where_find(&t, 0x20, 1));
	ck_assert_ptr_nonnull(smb_where_find_session(&t, 0x20));
}
END_TEST

START_TEST(full_table_drops_gone_first)
{
	static struct smb_where_table t;

	smb_where_init(&t);
	for (unsigned i = 0; i < SMB_WHERE_MAX; i++) {
		struct smb_where e = entry(1, i, "\\\\srv\\s", 100 + i);
		smb_where_put(&t, &e);
	}
	smb_where_gone(&t, 1, 200);
	struct smb_where n = entry(2, 1, "\\\\srv\\new", 1000);
	smb_where_put(&t, &n);
	ck_assert_uint_eq(t.n, SMB_WHERE_MAX);
	ck_assert_ptr_null(smb_where_find(&t, 1, 200)); /* the gone one made room */
	ck_assert_ptr_nonnull(smb_where_find(&t, 1, 0));
	struct smb_where m = entry(2, 2, "\\\\srv\\newer", 1001);
	smb_where_put(&t, &m);
	ck_assert_ptr_null(smb_where_find(&t, 1, 0)); /* then the oldest */
	ck_assert_ptr_nonnull(smb_where_find(&t, 2, 1));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("smb_where");
	TCase *tc = tcase_create("smb_where");
	tcase_add_test(tc, debugdata_6_1);
	tcase_add_test(tc, debugdata_5_10);
	tcase_add_test(tc, debugdata_refuses_what_is_not_it);
	tcase_add_test(tc, unc_split);
	tcase_add_test(tc, remount_gets_fresh_ids_and_no_stale_name);
	tcase_add_test(tc, full_table_drops_gone_first);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
