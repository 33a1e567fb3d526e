/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Names <-> numbers for SMB2 commands (config writes SMB2_READ) and for the
 * errno values the cifs client surfaces (config writes EIO). Lookups are
 * total: an unknown name or number yields -1 / NULL, never a guess.
 */
#ifndef AOD_SMB_TABLES_H
#define AOD_SMB_TABLES_H

#define SMB2_NR_COMMANDS 19 /* 0x00 NEGOTIATE .. 0x12 OPLOCK_BREAK */

/* "SMB2_READ" for 0x08; NULL when cmd is not an SMB2 command. */
const char *smb2_command_name(int cmd);
/* Accepts "SMB2_READ" (case-sensitive, as in config). Returns the code or -1. */
int smb2_command_from_name(const char *name);

/* ERESTARTSYS is kernel-internal (512) but reaches tracepoints. */
#define AOD_ERESTARTSYS 512

/* "EIO" for 5; NULL when unknown. */
const char *errno_name(int err);
/* Accepts "EIO" and "ERESTARTSYS". Returns the positive errno or -1. */
int errno_from_name(const char *name);
/* Iteration over the known errno table, for dumps and tests: index 0.. until NULL. */
const char *errno_name_at(unsigned idx, int *err_out);

#endif
