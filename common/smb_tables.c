// SPDX-License-Identifier: GPL-2.0-only
/*
 * SMB2 command and errno name tables. The errno table is the whole Linux
 * errno space (asm-generic numbering, which x86, arm64 and riscv share) plus
 * the kernel-internal codes 512..531 that leak into cifs tracepoints, so a
 * config can name any code the client can return.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "smb_tables.h"

static const char *const smb2_names[SMB2_NR_COMMANDS] = {
	"SMB2_NEGOTIATE",       /* 0x00 */
	"SMB2_SESSION_SETUP",   /* 0x01 */
	"SMB2_LOGOFF",          /* 0x02 */
	"SMB2_TREE_CONNECT",    /* 0x03 */
	"SMB2_TREE_DISCONNECT", /* 0x04 */
	"SMB2_CREATE",          /* 0x05 */
	"SMB2_CLOSE",           /* 0x06 */
	"SMB2_FLUSH",           /* 0x07 */
	"SMB2_READ",            /* 0x08 */
	"SMB2_WRITE",           /* 0x09 */
	"SMB2_LOCK",            /* 0x0a */
	"SMB2_IOCTL",           /* 0x0b */
	"SMB2_CANCEL",          /* 0x0c */
	"SMB2_ECHO",            /* 0x0d */
	"SMB2_QUERY_DIRECTORY", /* 0x0e */
	"SMB2_CHANGE_NOTIFY",   /* 0x0f */
	"SMB2_QUERY_INFO",      /* 0x10 */
	"SMB2_SET_INFO",        /* 0x11 */
	"SMB2_OPLOCK_BREAK",    /* 0x12 */
};

const char *smb2_command_name(int cmd)
{
	if (cmd < 0 || cmd >= SMB2_NR_COMMANDS)
		return NULL;
	return smb2_names[cmd];
}

int smb2_command_from_name(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < SMB2_NR_COMMANDS; i++)
		if (strcmp(smb2_names[i], name) == 0)
			return i;
	return -1;
}

struct errno_entry {
	int err;
	const char *name;
};

#define E(x) { x, #x }

/* One canonical name per number; the order is the numeric order. */
static const struct errno_entry errno_table[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(ENOEXEC),
	E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(ENOTBLK),
	E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL),
	E(ENFILE), E(EMFILE), E(ENOTTY), E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE),
	E(EROFS), E(EMLINK), E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG),
	E(ENOLCK), E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENOMSG), E(EIDRM), E(ECHRNG),
	E(EL2NSYNC), E(EL3HLT), E(EL3RST), E(ELNRNG), E(EUNATCH), E(ENOCSI), E(EL2HLT),
	E(EBADE), E(EBADR), E(EXFULL), E(ENOANO), E(EBADRQC), E(EBADSLT), E(EBFONT),
	E(ENOSTR), E(ENODATA), E(ETIME), E(ENOSR), E(ENONET), E(ENOPKG), E(EREMOTE),
	E(ENOLINK), E(EADV), E(ESRMNT), E(ECOMM), E(EPROTO), E(EMULTIHOP), E(EDOTDOT),
	E(EBADMSG), E(EOVERFLOW), E(ENOTUNIQ), E(EBADFD), E(EREMCHG), E(ELIBACC),
	E(ELIBBAD), E(ELIBSCN), E(ELIBMAX), E(ELIBEXEC), E(EILSEQ), E(ERESTART),
	E(ESTRPIPE), E(EUSERS), E(ENOTSOCK), E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE),
	E(ENOPROTOOPT), E(EPROTONOSUPPORT), E(ESOCKTNOSUPPORT), E(EOPNOTSUPP),
	E(EPFNOSUPPORT), E(EAFNOSUPPORT), E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN),
	E(ENETUNREACH), E(ENETRESET), E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS),
	E(EISCONN), E(ENOTCONN), E(ESHUTDOWN), E(ETOOMANYREFS), E(ETIMEDOUT),
	E(ECONNREFUSED), E(EHOSTDOWN), E(EHOSTUNREACH), E(EALREADY), E(EINPROGRESS),
	E(ESTALE), E(EUCLEAN), E(ENOTNAM), E(ENAVAIL), E(EISNAM), E(EREMOTEIO), E(EDQUOT),
	E(ENOMEDIUM), E(EMEDIUMTYPE), E(ECANCELED), E(ENOKEY), E(EKEYEXPIRED),
	E(EKEYREVOKED), E(EKEYREJECTED), E(EOWNERDEAD), E(ENOTRECOVERABLE), E(ERFKILL),
	E(EHWPOISON),
	/* Kernel-internal (include/linux/errno.h): never seen by user space
	 * through syscalls, but tracepoints report them as they are. */
	{ AOD_ERESTARTSYS, "ERESTARTSYS" },
	{ 513, "ERESTARTNOINTR" },
	{ 514, "ERESTARTNOHAND" },
	{ 515, "ENOIOCTLCMD" },
	{ 516, "ERESTART_RESTARTBLOCK" },
	{ 517, "EPROBE_DEFER" },
	{ 518, "EOPENSTALE" },
	{ 519, "ENOPARAM" },
	{ 521, "EBADHANDLE" },
	{ 522, "ENOTSYNC" },
	{ 523, "EBADCOOKIE" },
	{ 524, "ENOTSUPP" },
	{ 525, "ETOOSMALL" },
	{ 526, "ESERVERFAULT" },
	{ 527, "EBADTYPE" },
	{ 528, "EJUKEBOX" },
	{ 529, "EIOCBQUEUED" },
	{ 530, "ERECALLCONFLICT" },
	{ 531, "ENOGRACE" },
};

/* Second names glibc gives the same number; accepted in config, never printed. */
static const struct errno_entry errno_aliases[] = {
	{ EAGAIN, "EWOULDBLOCK" },
	{ EDEADLK, "EDEADLOCK" },
	{ EOPNOTSUPP, "ENOTSUP" },
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

const char *errno_name(int err)
{
	for (size_t i = 0; i < ARRAY_LEN(errno_table); i++)
		if (errno_table[i].err == err)
			return errno_table[i].name;
	return NULL;
}

int errno_from_name(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < ARRAY_LEN(errno_table); i++)
		if (strcmp(errno_table[i].name, name) == 0)
			return errno_table[i].err;
	for (size_t i = 0; i < ARRAY_LEN(errno_aliases); i++)
		if (strcmp(errno_aliases[i].name, name) == 0)
			return errno_aliases[i].err;
	return -1;
}

const char *errno_name_at(unsigned idx, int *err_out)
{
	if (idx >= ARRAY_LEN(errno_table))
		return NULL;
	if (err_out)
		*err_out = errno_table[idx].err;
	return errno_table[idx].name;
}
