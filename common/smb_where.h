/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which server and share an SMB request went to: a bounded table from
 * (session id, tree id) to the server (the name the share was mounted
 * with, and its address) and the share (\\server\share), fed by the
 * probes' smb3_tcon records (tree connects while aodv2 runs) and by
 * /proc/fs/cifs/DebugData (the shares mounted before it started).
 *
 * Promise: a lookup answers with what cifs said for those ids, or nothing;
 * never a guess. A tree disconnect or logoff marks its entries gone (they
 * still name the events that came before it) and a later tree connect with
 * the same ids replaces them; a DebugData read marks gone what cifs no
 * longer lists. Gone entries are the first to make room.
 */
#ifndef AOD_SMB_WHERE_H
#define AOD_SMB_WHERE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMB_WHERE_SERVER_LEN 64   /* host name or address as in the UNC */
#define SMB_WHERE_ADDR_LEN 48     /* numeric address, IPv6 included */
#define SMB_WHERE_SHARE_LEN 160   /* \\server\share */
#define SMB_WHERE_MAX 256         /* entries in one table */
#define SMB_WHERE_ANY_TREE UINT32_MAX

struct smb_where {
	uint64_t session_id;
	uint32_t tree_id;
	uint32_t gone;            /* 1: disconnected; kept to name earlier events */
	uint64_t seen_ns;         /* CLOCK_MONOTONIC when learned */
	char server[SMB_WHERE_SERVER_LEN];
	char address[SMB_WHERE_ADDR_LEN];
	char share[SMB_WHERE_SHARE_LEN];
};

struct smb_where_table {
	unsigned n;
	struct smb_where e[SMB_WHERE_MAX];
};

void smb_where_init(struct smb_where_table *t);
/* Inserts or replaces the entry of (session_id, tree_id); a full table
 * drops a gone entry, else its oldest. Returns the stored entry. */
struct smb_where *smb_where_put(struct smb_where_table *t, const struct smb_where *w);
/* Marks the tree (or every tree of the session with SMB_WHERE_ANY_TREE)
 * gone; returns how many entries changed. */
unsigned smb_where_gone(struct smb_where_table *t, uint64_t session_id, uint32_t tree_id);
const struct smb_where *smb_where_find(const struct smb_where_table *t, uint64_t session_id,
				       uint32_t tree_id);
/* Any entry of the session (its server is known even when the tree is not). */
const struct smb_where *smb_where_find_session(const struct smb_where_table *t, uint64_t session_id);

/* Splits a UNC (\\server\share[\path]) into server and \\server\share.
 * 0, or -EINVAL when it is not one or does not fit (nothing is truncated). */
int smb_where_from_unc(const char *unc, struct smb_where *w);
/* True when the fields are terminated strings and the share is \\server\...
 * of the server (what a receiver checks before trusting the bytes). */
bool smb_where_valid(const struct smb_where *w);

/*
 * Parses the text of /proc/fs/cifs/DebugData (the layouts of 5.10 to 7.x:
 * "Servers:", per session "Address: A" and "SessionId: 0x..", per share
 * "N) \\server\share ..." or "N) IPC: \\server\IPC$ ..." and later "tid: 0x..").
 * Calls fn for every share with a known session id and tree id; returns how
 * many, or -EINVAL when the text has no "Servers:" section.
 */
typedef void (*smb_where_fn)(const struct smb_where *w, void *arg);
int smb_where_parse_debugdata(const char *text, size_t len, smb_where_fn fn, void *arg);

#endif
