// SPDX-License-Identifier: GPL-2.0-only
/* The share names of the events window (flightrec.h): a share is announced
 * once, when first seen, usually long before the window; collectord needs
 * the name of every share the window's events went to. */
#include "flightrec.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "ev_where.h"

static bool names_is_where(const struct aod_event *e)
{
	return e->kind == AOD_EV_WHERE || e->kind == AOD_EV_WHERE_TEXT;
}

/* The names in force when the window starts: known's (the supervisor's
 * table, may be NULL), overridden by the announcements the ring still
 * holds from before the window (a replay has no other table). */
static void names_before(struct smb_where_table *names, const struct aod_event *const span[2],
			 const size_t len[2], unsigned nspans, uint64_t from_mono,
			 const struct smb_where_table *known)
{
	struct ev_where_asm as = { 0 };
	struct smb_where w;

	if (known)
		*names = *known;
	else
		smb_where_init(names);
	for (unsigned s = 0; s < nspans; s++)
		for (size_t i = 0; i < len[s]; i++) {
			const struct aod_event *e = &span[s][i];
			if (e->ts_ns < from_mono && names_is_where(e) && ev_where_feed(&as, e, &w) == 1)
				smb_where_put(names, &w);
		}
}

static int names_write(int fd, const struct aod_event *rec, size_t n)
{
	ssize_t want = (ssize_t)(n * sizeof(rec[0]));
	ssize_t w = write(fd, rec, (size_t)want);
	return w == want ? 0 : w < 0 ? -errno : -EIO;
}

long flightrec_write_names(int fd, const struct aod_event *const span[2], const size_t len[2],
			   unsigned nspans, uint64_t from_mono, uint64_t to_mono,
			   const struct smb_where_table *known)
{
	struct smb_where_table *names = malloc(sizeof(*names));
	bool *sent = calloc(SMB_WHERE_MAX, sizeof(*sent));
	struct aod_event rec[EV_WHERE_RECORDS_MAX];
	long total = 0;
	int rc = 0;

	if (!names || !sent) {
		free(names);
		free(sent);
		return -ENOMEM;
	}
	names_before(names, span, len, nspans, from_mono, known);
	for (unsigned s = 0; s < nspans && rc == 0; s++)
		for (size_t i = 0; i < len[s] && rc == 0; i++) {
			const struct aod_event *e = &span[s][i];
			if (e->ts_ns < from_mono || e->ts_ns > to_mono || names_is_where(e))
				continue;
			const struct smb_where *w = smb_where_find(names, e->session_id, e->tree_id);
			if (!w || sent[w - names->e])
				continue;
			sent[w - names->e] = true;
			size_t n = ev_where_encode(from_mono, w->session_id, w->tree_id, w->share, rec);
			if (n && (rc = names_write(fd, rec, n)) == 0)
				total += (long)n;
		}
	free(names);
	free(sent);
	return rc < 0 ? rc : total;
}
