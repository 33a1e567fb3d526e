/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Share names in the event stream: one AOD_EV_WHERE record naming a
 * (session id, tree id), then 1..EV_WHERE_TEXT_MAX AOD_EV_WHERE_TEXT records
 * holding its \\server\share (aod_event.h). The supervisor writes them into
 * the ring (and a recording) before the events they name, so detectord, and
 * a replay of the recording, learn a share in the stream's own order.
 *
 * Promise: ev_where_feed accepts only a complete, in-order announcement whose
 * text is a NUL-terminated \\server\share (smb_where_valid); anything else is
 * refused with -EBADMSG and leaves no partial name behind.
 */
#ifndef AOD_EV_WHERE_H
#define AOD_EV_WHERE_H

#include <stddef.h>
#include <stdint.h>

#include "aod_event.h"
#include "smb_where.h"

#define EV_WHERE_TEXT_MAX 4
#define EV_WHERE_RECORDS_MAX (1 + EV_WHERE_TEXT_MAX)
_Static_assert(EV_WHERE_TEXT_MAX * AOD_WHERE_TEXT_LEN >= SMB_WHERE_SHARE_LEN,
	       "the text records hold any share name");

/* The records naming share for (session_id, tree_id) at ts_ns; returns how
 * many (2..EV_WHERE_RECORDS_MAX), 0 when share does not fit. */
size_t ev_where_encode(uint64_t ts_ns, uint64_t session_id, uint32_t tree_id, const char *share,
		       struct aod_event out[EV_WHERE_RECORDS_MAX]);

struct ev_where_asm {
	uint64_t session_id;
	uint32_t tree_id;
	unsigned want, got;        /* text records announced, received */
	char text[EV_WHERE_TEXT_MAX * AOD_WHERE_TEXT_LEN];
};

/* Feeds one AOD_EV_WHERE or AOD_EV_WHERE_TEXT record. Returns 1 with *out
 * filled (ids, server, share; no address) when a name is complete, 0 when
 * more records are due, -EBADMSG for a record that does not fit. */
int ev_where_feed(struct ev_where_asm *a, const struct aod_event *ev, struct smb_where *out);

#endif
