// SPDX-License-Identifier: GPL-2.0-only
#include "where.h"
#include "readall.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#if AOD_HAVE_PROBES
#include "probes.h"
#endif

/* DebugData of a host with many mounts is a few hundred KiB at most. */
#define WHERE_DEBUGDATA_MAX (4u << 20)

void where_init(struct where *w, const char *path)
{
	memset(w, 0, sizeof(*w));
	smb_where_init(&w->t);
	w->path = path ? path : WHERE_DEBUGDATA;
}

static bool where_rate_ok(struct where *w)
{
	uint64_t now = clock_mono_ns();

	if (now - w->window_ns >= 1000000000ull) {
		w->window_ns = now;
		w->reads_in_window = 0;
	}
	return w->reads_in_window++ < WHERE_READS_PER_SEC;
}

/* What fits in WHERE_DEBUGDATA_MAX is parsed. */
static int where_slurp(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	int rc = readall_fd(fd, WHERE_DEBUGDATA_MAX, out, len);
	close(fd);
	return rc;
}

struct where_read {
	struct where *w;
	uint64_t now;
	unsigned n;
	struct { uint64_t ses; uint32_t tid; } seen[SMB_WHERE_MAX];
};

static void where_found(const struct smb_where *e, void *arg)
{
	struct where_read *r = arg;
	struct smb_where copy = *e;
	const struct smb_where *old = smb_where_find(&r->w->t, e->session_id, e->tree_id);

	copy.seen_ns = r->now;
	bool changed = !old || old->gone || strcmp(old->share, e->share) != 0;

	if (changed || strcmp(old->address, e->address) != 0)
		log_info("share %s (server %s, address %s): session 0x%" PRIx64 ", tree 0x%x (from DebugData)",
			 e->share, e->server, e->address[0] ? e->address : "unknown", e->session_id, e->tree_id);
	smb_where_put(&r->w->t, &copy);
	if (changed && r->w->announce)
		r->w->announce(&copy, r->w->announce_arg);
	if (r->n < SMB_WHERE_MAX) {
		r->seen[r->n].ses = e->session_id;
		r->seen[r->n].tid = e->tree_id;
		r->n++;
	}
}

/* What DebugData no longer lists is gone, unless learned moments ago from a
 * tree connect cifs had not yet listed. */
static void where_sweep(struct where_read *r)
{
	for (unsigned i = 0; i < r->w->t.n; i++) {
		struct smb_where *e = &r->w->t.e[i];
		bool listed = false;

		for (unsigned k = 0; k < r->n && !listed; k++)
			listed = r->seen[k].ses == e->session_id && r->seen[k].tid == e->tree_id;
		if (!listed && !e->gone && r->now - e->seen_ns > 5000000000ull)
			e->gone = 1;
	}
}

int where_reread(struct where *w, bool force)
{
	struct where_read *r;
	char *text = NULL;
	size_t len = 0;
	int n;

	if (!force && !where_rate_ok(w))
		return -EAGAIN;
	n = where_slurp(w->path, &text, &len);
	if (n < 0)
		return n;
	r = calloc(1, sizeof(*r));
	if (!r) {
		free(text);
		return -ENOMEM;
	}
	r->w = w;
	r->now = clock_mono_ns();
	w->reads++;
	n = smb_where_parse_debugdata(text, len, where_found, r);
	if (n >= 0)
		where_sweep(r);
	else
		log_warn("%s has no \"Servers:\" section: shares are not named from it", w->path);
	free(r);
	free(text);
	return n < 0 ? n : 0;
}

static const char *where_session_address(const struct where *w, uint64_t ses)
{
	for (unsigned i = 0; i < w->t.n; i++)
		if (w->t.e[i].session_id == ses && w->t.e[i].address[0])
			return w->t.e[i].address;
	return NULL;
}

#if AOD_HAVE_PROBES
void where_on_tree(const struct probes_tree *t, void *arg)
{
	struct where *w = arg;
	struct smb_where e;
	const char *addr;

	if (t->what == PROBES_TREE_ATTACHED) {
		where_reread(w, true);
		return;
	}
	if (t->what != PROBES_TREE_CONNECT) {
		unsigned n = smb_where_gone(&w->t, t->session_id,
					    t->what == PROBES_TREE_LOGOFF ? SMB_WHERE_ANY_TREE : t->tree_id);
		w->gone += n;
		return;
	}
	memset(&e, 0, sizeof(e));
	if (smb_where_from_unc(t->unc, &e) != 0) {
		log_warn("tree connect of session 0x%" PRIx64 " tree 0x%x: \"%.60s\" is no \\\\server\\share name",
			 t->session_id, t->tree_id, t->unc);
		return;
	}
	e.session_id = t->session_id;
	e.tree_id = t->tree_id;
	e.seen_ns = clock_mono_ns();
	addr = where_session_address(w, t->session_id);
	if (addr)
		snprintf(e.address, sizeof(e.address), "%s", addr);
	smb_where_put(&w->t, &e);
	if (w->announce)
		w->announce(&e, w->announce_arg);
	w->connects++;
	log_info("share %s (server %s): session 0x%" PRIx64 ", tree 0x%x (tree connect)", e.share, e.server,
		 t->session_id, t->tree_id);
	if (!addr)
		where_reread(w, false); /* the session's address, as cifs lists it */
}

#endif

void where_announce_all(struct where *w)
{
	for (unsigned i = 0; w->announce && i < w->t.n; i++)
		if (!w->t.e[i].gone)
			w->announce(&w->t.e[i], w->announce_arg);
}

static bool where_fill(const struct where *w, struct proto_worst *pw)
{
	const struct smb_where *e = smb_where_find(&w->t, pw->session_id, pw->tree_id);

	if (!e)
		return false;
	snprintf(pw->server, sizeof(pw->server), "%s", e->server);
	snprintf(pw->address, sizeof(pw->address), "%s", e->address);
	snprintf(pw->share, sizeof(pw->share), "%s", e->share);
	return true;
}

void where_stamp(struct where *w, struct proto_anomaly *a)
{
	bool missing = false, reread = false;

	for (unsigned i = 0; i < a->n_worst && i < PROTO_WORST; i++) {
		/* NEGOTIATE, SESSION_SETUP and ECHO have no session or tree:
		 * no share to name, nothing to read DebugData for */
		if (a->worst[i].share[0] || a->worst[i].session_id == 0)
			continue;
		if (!where_fill(w, &a->worst[i]) && !reread) {
			reread = true;
			if (where_reread(w, false) == 0)
				missing = !where_fill(w, &a->worst[i]);
			else
				missing = true;
		} else if (!a->worst[i].share[0]) {
			missing = true;
		}
	}
	w->stamped++;
	if (missing)
		w->unknown++;
}
