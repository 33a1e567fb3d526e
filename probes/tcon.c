// SPDX-License-Identifier: GPL-2.0-only
#include "tcon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpformat.h"

static int tcon_field(const struct tpfmt *f, const char *name, unsigned size, __u16 *off, char *why,
		      size_t len)
{
	const struct tpfmt_field *fl = tpfmt_find(f, name);

	if (!fl || fl->is_common || fl->size != size || fl->offset % size ||
	    fl->offset + size > AOD_TP_RECORD_MAX) {
		snprintf(why, len, "smb3_tcon: field %s is %s", name, fl ? "of another size or place" : "missing");
		return -EPROTO;
	}
	*off = (__u16)fl->offset;
	return 0;
}

int tcon_layout(const char *tracefs, struct aod_tcon_lay *out, char *why, size_t len)
{
	char path[256];
	struct tpfmt *f = calloc(1, sizeof(*f));
	int r;

	if (!f)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/events/cifs/smb3_tcon/format", tracefs);
	r = tpfmt_read(path, f);
	if (r < 0) {
		snprintf(why, len, "smb3_tcon: %s", r == -EBADMSG ? "unreadable format" : strerror(-r));
		free(f);
		return r == -EBADMSG ? -EPROTO : -ENOENT;
	}
	if (f->id == 0 || f->id > 0xffff) {
		snprintf(why, len, "smb3_tcon has id %u", f->id);
		r = -EPROTO;
	}
	if (!r && (tcon_field(f, "tid", 4, &out->tid, why, len) || tcon_field(f, "sesid", 8, &out->sesid, why, len) ||
		   tcon_field(f, "name", 4, &out->name, why, len) || tcon_field(f, "rc", 4, &out->rc, why, len)))
		r = -EPROTO;
	if (!r)
		out->tp_id = (__u16)f->id;
	free(f);
	return r;
}

static void tcon_emit(struct tcon_pairing *tp, uint64_t ses, uint32_t tid, const char *unc)
{
	struct probes_tree t;

	memset(&t, 0, sizeof(t));
	t.session_id = ses;
	t.tree_id = tid;
	t.what = PROBES_TREE_CONNECT;
	snprintf(t.unc, sizeof(t.unc), "%s", unc);
	tp->fn(&t, tp->arg);
}

void tcon_on_tree(struct tcon_pairing *tp, const struct aod_event *h)
{
	int slot;

	for (int i = 0; i < TCON_PENDING; i++) {
		if (tp->name[i].ts_ns && h->ts_ns - tp->name[i].ts_ns > TCON_PAIR_NS)
			tp->name[i].ts_ns = 0;
		if (tp->name[i].ts_ns && tp->name[i].task == h->pid && tp->name[i].session_id == h->session_id) {
			tp->name[i].ts_ns = 0;
			tcon_emit(tp, h->session_id, h->tree_id, tp->name[i].unc);
			return;
		}
	}
	slot = 0;
	for (int i = 0; i < TCON_PENDING; i++) {
		if (tp->tree[i].ts_ns && h->ts_ns - tp->tree[i].ts_ns > TCON_PAIR_NS)
			tp->tree[i].ts_ns = 0;
		if (tp->tree[i].ts_ns && tp->tree[i].task == h->pid)
			tp->tree[i].ts_ns = 0; /* the thread's previous response went unnamed */
		if (!tp->tree[i].ts_ns || tp->tree[i].ts_ns < tp->tree[slot].ts_ns)
			slot = i;
	}
	tp->tree[slot].ts_ns = h->ts_ns ? h->ts_ns : 1;
	tp->tree[slot].session_id = h->session_id;
	tp->tree[slot].task = h->pid;
	tp->tree[slot].tree_id = h->tree_id;
}

void tcon_on_tcon(struct tcon_pairing *tp, const struct aod_rb_tcon *t)
{
	char unc[AOD_UNC_LEN];
	int slot = 0;

	memcpy(unc, t->unc, sizeof(unc));
	unc[sizeof(unc) - 1] = '\0';
	if (t->h.tree_id) { /* the kernel traced the tid itself */
		tcon_emit(tp, t->h.session_id, t->h.tree_id, unc);
		return;
	}
	for (int i = 0; i < TCON_PENDING; i++) {
		if (tp->tree[i].ts_ns && t->h.ts_ns - tp->tree[i].ts_ns > TCON_PAIR_NS)
			tp->tree[i].ts_ns = 0;
		if (tp->tree[i].ts_ns && tp->tree[i].task == t->h.pid &&
		    tp->tree[i].session_id == t->h.session_id) {
			tp->tree[i].ts_ns = 0;
			tcon_emit(tp, t->h.session_id, tp->tree[i].tree_id, unc);
			return;
		}
	}
	for (int i = 0; i < TCON_PENDING; i++) {
		if (tp->name[i].ts_ns && t->h.ts_ns - tp->name[i].ts_ns > TCON_PAIR_NS)
			tp->name[i].ts_ns = 0;
		if (!tp->name[i].ts_ns || tp->name[i].ts_ns < tp->name[slot].ts_ns)
			slot = i;
	}
	tp->name[slot].ts_ns = t->h.ts_ns ? t->h.ts_ns : 1;
	tp->name[slot].session_id = t->h.session_id;
	tp->name[slot].task = t->h.pid;
	memcpy(tp->name[slot].unc, unc, sizeof(unc));
}

void tcon_on_gone(struct tcon_pairing *tp, const struct aod_event *h)
{
	struct probes_tree t;

	memset(&t, 0, sizeof(t));
	t.session_id = h->session_id;
	t.tree_id = h->tree_id;
	t.what = h->command == 0x02 ? PROBES_TREE_LOGOFF : PROBES_TREE_DISCONNECT;
	tp->fn(&t, tp->arg);
}
