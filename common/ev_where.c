// SPDX-License-Identifier: GPL-2.0-only
#include "ev_where.h"

#include <errno.h>
#include <string.h>

size_t ev_where_encode(uint64_t ts_ns, uint64_t session_id, uint32_t tree_id, const char *share,
		       struct aod_event out[EV_WHERE_RECORDS_MAX])
{
	size_t len = strnlen(share, SMB_WHERE_SHARE_LEN);
	unsigned n = (unsigned)(len / AOD_WHERE_TEXT_LEN) + 1u; /* room for the NUL */

	if (len == 0 || len >= SMB_WHERE_SHARE_LEN)
		return 0;
	memset(out, 0, sizeof(out[0]) * (1u + n));
	out[0].ts_ns = ts_ns;
	out[0].session_id = session_id;
	out[0].tree_id = tree_id;
	out[0].message_id = n;
	out[0].kind = AOD_EV_WHERE;
	for (unsigned i = 0; i < n; i++) {
		struct aod_where_text t = { .ts_ns = ts_ns, .seq = (uint8_t)i, .kind = AOD_EV_WHERE_TEXT };
		size_t off = (size_t)i * AOD_WHERE_TEXT_LEN;
		size_t k = len - off < AOD_WHERE_TEXT_LEN ? len - off : AOD_WHERE_TEXT_LEN;
		memcpy(t.text, share + off, k);
		memcpy(&out[1 + i], &t, sizeof(t));
	}
	return 1u + n;
}

static int ev_where_done(struct ev_where_asm *a, struct smb_where *out)
{
	char unc[SMB_WHERE_SHARE_LEN];
	size_t len = strnlen(a->text, sizeof(a->text));

	a->want = 0;
	if (len == 0 || len >= sizeof(unc))
		return -EBADMSG;
	memcpy(unc, a->text, len + 1);
	memset(out, 0, sizeof(*out));
	/* smb_where_from_unc takes \\server\share[\path]: only the exact
	 * share name is a share name here */
	if (smb_where_from_unc(unc, out) != 0 || strcmp(out->share, unc) != 0 || !smb_where_valid(out))
		return -EBADMSG;
	out->session_id = a->session_id;
	out->tree_id = a->tree_id;
	return 1;
}

int ev_where_feed(struct ev_where_asm *a, const struct aod_event *ev, struct smb_where *out)
{
	if (ev->kind == AOD_EV_WHERE) {
		memset(a, 0, sizeof(*a));
		if (ev->message_id < 1 || ev->message_id > EV_WHERE_TEXT_MAX)
			return -EBADMSG;
		a->session_id = ev->session_id;
		a->tree_id = ev->tree_id;
		a->want = (unsigned)ev->message_id;
		return 0;
	}
	struct aod_where_text t;
	memcpy(&t, ev, sizeof(t));
	if (t.kind != AOD_EV_WHERE_TEXT || a->want == 0 || t.seq != a->got) {
		a->want = 0;
		return -EBADMSG;
	}
	memcpy(a->text + (size_t)a->got * AOD_WHERE_TEXT_LEN, t.text, AOD_WHERE_TEXT_LEN);
	if (++a->got < a->want)
		return 0;
	return ev_where_done(a, out);
}
