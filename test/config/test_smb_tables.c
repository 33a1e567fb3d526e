// SPDX-License-Identifier: GPL-2.0-only
/*
 * SMB2 command and errno tables: names and numbers map both ways, the
 * numbers are the kernel's, and unknown input gives -1 / NULL.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfgtest.h"
#include "smb_tables.h"

START_TEST(smb2_commands_round_trip)
{
	for (int cmd = 0; cmd < SMB2_NR_COMMANDS; cmd++) {
		const char *name = smb2_command_name(cmd);

		ck_assert_ptr_nonnull(name);
		ck_assert_msg(strncmp(name, "SMB2_", 5) == 0, "%s", name);
		ck_assert_int_eq(smb2_command_from_name(name), cmd);
	}
}
END_TEST

/* MS-SMB2 2.2.1: the codes on the wire and in the cifs tracepoints. */
START_TEST(smb2_command_codes)
{
	static const struct {
		int code;
		const char *name;
	} known[] = {
		{ 0x00, "SMB2_NEGOTIATE" },  { 0x01, "SMB2_SESSION_SETUP" },
		{ 0x02, "SMB2_LOGOFF" },     { 0x03, "SMB2_TREE_CONNECT" },
		{ 0x04, "SMB2_TREE_DISCONNECT" }, { 0x05, "SMB2_CREATE" },
		{ 0x06, "SMB2_CLOSE" },      { 0x07, "SMB2_FLUSH" },
		{ 0x08, "SMB2_READ" },       { 0x09, "SMB2_WRITE" },
		{ 0x0a, "SMB2_LOCK" },       { 0x0b, "SMB2_IOCTL" },
		{ 0x0c, "SMB2_CANCEL" },     { 0x0d, "SMB2_ECHO" },
		{ 0x0e, "SMB2_QUERY_DIRECTORY" }, { 0x0f, "SMB2_CHANGE_NOTIFY" },
		{ 0x10, "SMB2_QUERY_INFO" }, { 0x11, "SMB2_SET_INFO" },
		{ 0x12, "SMB2_OPLOCK_BREAK" },
	};

	ck_assert_int_eq(SMB2_NR_COMMANDS, 19);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		ck_assert_str_eq(smb2_command_name(known[i].code), known[i].name);
		ck_assert_int_eq(smb2_command_from_name(known[i].name), known[i].code);
	}
}
END_TEST

START_TEST(smb2_unknown)
{
	ck_assert_ptr_null(smb2_command_name(-1));
	ck_assert_ptr_null(smb2_command_name(SMB2_NR_COMMANDS));
	ck_assert_ptr_null(smb2_command_name(0xffff));
	ck_assert_int_eq(smb2_command_from_name("SMB2_FOO"), -1);
	ck_assert_int_eq(smb2_command_from_name("smb2_read"), -1); /* case-sensitive */
	ck_assert_int_eq(smb2_command_from_name("READ"), -1);
	ck_assert_int_eq(smb2_command_from_name(""), -1);
	ck_assert_int_eq(smb2_command_from_name(NULL), -1);
}
END_TEST

START_TEST(errno_table_round_trip)
{
	const char *name;
	unsigned idx = 0;
	int err;

	while ((name = errno_name_at(idx, &err))) {
		ck_assert_int_gt(err, 0);
		ck_assert_msg(name[0] == 'E', "%s", name);
		ck_assert_int_eq(errno_from_name(name), err);
		ck_assert_str_eq(errno_name(err), name); /* one canonical name per number */
		idx++;
	}
	ck_assert_uint_ge(idx, 150);
	ck_assert_ptr_null(errno_name_at(idx, &err));
}
END_TEST

/* Everything the cifs client surfaces, with the kernel's numbers. */
START_TEST(errno_values)
{
	static const struct {
		const char *name;
		int err;
	} known[] = {
		{ "EACCES", EACCES }, { "EAGAIN", EAGAIN }, { "EIO", EIO }, { "ENOENT", ENOENT },
		{ "EEXIST", EEXIST }, { "EBUSY", EBUSY }, { "ENOSPC", ENOSPC }, { "EDQUOT", EDQUOT },
		{ "ETIMEDOUT", ETIMEDOUT }, { "EHOSTDOWN", EHOSTDOWN },
		{ "ECONNABORTED", ECONNABORTED }, { "ECONNRESET", ECONNRESET },
		{ "ENETRESET", ENETRESET }, { "ENETUNREACH", ENETUNREACH }, { "EREMCHG", EREMCHG },
		{ "EREMOTE", EREMOTE }, { "EOPNOTSUPP", EOPNOTSUPP }, { "EBADF", EBADF },
		{ "ENODATA", ENODATA }, { "EKEYEXPIRED", EKEYEXPIRED },
		{ "EKEYREVOKED", EKEYREVOKED }, { "ENOMEM", ENOMEM }, { "EINVAL", EINVAL },
		{ "EPERM", EPERM }, { "ESTALE", ESTALE }, { "ENOTCONN", ENOTCONN },
		{ "EINTR", EINTR }, { "ENODEV", ENODEV }, { "ENXIO", ENXIO }, { "EROFS", EROFS },
		{ "EFBIG", EFBIG }, { "ENAMETOOLONG", ENAMETOOLONG }, { "ENOTEMPTY", ENOTEMPTY },
		{ "ENOTDIR", ENOTDIR }, { "EISDIR", EISDIR }, { "EXDEV", EXDEV },
		{ "EMFILE", EMFILE }, { "ENOLCK", ENOLCK }, { "EOVERFLOW", EOVERFLOW },
		{ "ELOOP", ELOOP }, { "EDEADLK", EDEADLK }, { "ECONNREFUSED", ECONNREFUSED },
		{ "EHOSTUNREACH", EHOSTUNREACH }, { "EPIPE", EPIPE }, { "ERANGE", ERANGE },
		{ "ENOSYS", ENOSYS }, { "EILSEQ", EILSEQ }, { "ENOKEY", ENOKEY },
		{ "EKEYREJECTED", EKEYREJECTED }, { "ECANCELED", ECANCELED },
		{ "EREMOTEIO", EREMOTEIO }, { "EPROTO", EPROTO }, { "EBADMSG", EBADMSG },
		{ "ENOBUFS", ENOBUFS }, { "ESHUTDOWN", ESHUTDOWN },
		/* kernel-internal, include/linux/errno.h */
		{ "ERESTARTSYS", 512 }, { "ERESTARTNOINTR", 513 }, { "ERESTARTNOHAND", 514 },
		{ "ENOIOCTLCMD", 515 }, { "ERESTART_RESTARTBLOCK", 516 }, { "EOPENSTALE", 518 },
		{ "EBADHANDLE", 521 }, { "ENOTSUPP", 524 }, { "ESERVERFAULT", 526 },
	};

	ck_assert_int_eq(AOD_ERESTARTSYS, 512);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		ck_assert_msg(errno_from_name(known[i].name) == known[i].err, "%s", known[i].name);
		ck_assert_str_eq(errno_name(known[i].err), known[i].name);
	}
}
END_TEST

/* Second spellings are accepted; the canonical name is printed. */
START_TEST(errno_aliases)
{
	ck_assert_int_eq(errno_from_name("EWOULDBLOCK"), EAGAIN);
	ck_assert_str_eq(errno_name(EAGAIN), "EAGAIN");
	ck_assert_int_eq(errno_from_name("EDEADLOCK"), EDEADLK);
	ck_assert_int_eq(errno_from_name("ENOTSUP"), EOPNOTSUPP);
	ck_assert_str_eq(errno_name(EOPNOTSUPP), "EOPNOTSUPP");
}
END_TEST

START_TEST(errno_unknown)
{
	ck_assert_ptr_null(errno_name(0));
	ck_assert_ptr_null(errno_name(-5)); /* callers pass positive values */
	ck_assert_ptr_null(errno_name(520)); /* a gap in the kernel's list */
	ck_assert_ptr_null(errno_name(4096));
	ck_assert_int_eq(errno_from_name("EFOO"), -1);
	ck_assert_int_eq(errno_from_name("eio"), -1);
	ck_assert_int_eq(errno_from_name("5"), -1);
	ck_assert_int_eq(errno_from_name(""), -1);
	ck_assert_int_eq(errno_from_name(NULL), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("smb_tables");
	TCase *tc = tcase_create("tables");

	tcase_add_test(tc, smb2_commands_round_trip);
	tcase_add_test(tc, smb2_command_codes);
	tcase_add_test(tc, smb2_unknown);
	tcase_add_test(tc, errno_table_round_trip);
	tcase_add_test(tc, errno_values);
	tcase_add_test(tc, errno_aliases);
	tcase_add_test(tc, errno_unknown);
	suite_add_tcase(s, tc);
	return cfgtest_run(s);
}
