// SPDX-License-Identifier: GPL-2.0-only
#include "smb_where.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void smb_where_init(struct smb_where_table *t)
{
	memset(t, 0, sizeof(*t));
}

static struct smb_where *where_slot(struct smb_where_table *t, uint64_t ses, uint32_t tid)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->e[i].session_id == ses && t->e[i].tree_id == tid)
			return &t->e[i];
	return NULL;
}

/* Room for one more: a gone entry first, else the oldest. */
static struct smb_where *where_victim(struct smb_where_table *t)
{
	struct smb_where *v = NULL;

	if (t->n < SMB_WHERE_MAX)
		return &t->e[t->n++];
	for (unsigned i = 0; i < t->n; i++) {
		struct smb_where *e = &t->e[i];
		if (!v || (e->gone && !v->gone) || (e->gone == v->gone && e->seen_ns < v->seen_ns))
			v = e;
	}
	return v;
}

struct smb_where *smb_where_put(struct smb_where_table *t, const struct smb_where *w)
{
	struct smb_where *e = where_slot(t, w->session_id, w->tree_id);

	if (!e)
		e = where_victim(t);
	*e = *w;
	return e;
}

unsigned smb_where_gone(struct smb_where_table *t, uint64_t ses, uint32_t tid)
{
	unsigned n = 0;

	for (unsigned i = 0; i < t->n; i++) {
		struct smb_where *e = &t->e[i];
		if (e->session_id == ses && (tid == SMB_WHERE_ANY_TREE || e->tree_id == tid) && !e->gone) {
			e->gone = 1;
			n++;
		}
	}
	return n;
}

const struct smb_where *smb_where_find(const struct smb_where_table *t, uint64_t ses, uint32_t tid)
{
	return where_slot((struct smb_where_table *)t, ses, tid);
}

const struct smb_where *smb_where_find_session(const struct smb_where_table *t, uint64_t ses)
{
	const struct smb_where *any = NULL;

	for (unsigned i = 0; i < t->n; i++)
		if (t->e[i].session_id == ses && (!any || (any->gone && !t->e[i].gone)))
			any = &t->e[i];
	return any;
}

int smb_where_from_unc(const char *unc, struct smb_where *w)
{
	const char *host, *sep, *end;
	size_t hlen, slen;

	if (strncmp(unc, "\\\\", 2) != 0)
		return -EINVAL;
	host = unc + 2;
	sep = strchr(host, '\\');
	if (!sep || sep == host || sep[1] == '\0' || sep[1] == '\\')
		return -EINVAL;
	end = strchr(sep + 1, '\\');
	slen = end ? (size_t)(end - unc) : strlen(unc);
	hlen = (size_t)(sep - host);
	if (hlen >= sizeof(w->server) || slen >= sizeof(w->share))
		return -EINVAL;
	memcpy(w->server, host, hlen);
	w->server[hlen] = '\0';
	memcpy(w->share, unc, slen);
	w->share[slen] = '\0';
	return 0;
}

bool smb_where_valid(const struct smb_where *w)
{
	size_t h;

	if (!memchr(w->server, '\0', sizeof(w->server)) || !memchr(w->address, '\0', sizeof(w->address)) ||
	    !memchr(w->share, '\0', sizeof(w->share)) || w->gone > 1)
		return false;
	if (w->share[0] == '\0')
		return w->server[0] == '\0';
	h = strlen(w->server);
	return h > 0 && strncmp(w->share, "\\\\", 2) == 0 && strncmp(w->share + 2, w->server, h) == 0 &&
	       w->share[2 + h] == '\\';
}

/* ---- DebugData ----------------------------------------------------------- */

struct dd_parse {
	uint64_t ses;
	bool have_ses;
	char addr[SMB_WHERE_ADDR_LEN];
	char unc[SMB_WHERE_SHARE_LEN + 8];
	bool have_unc;
};

/* The token after key on the line, up to white space; false if absent or
 * it does not fit. */
static bool dd_token(const char *line, size_t len, const char *key, char *out, size_t cap)
{
	size_t k = strlen(key);

	for (size_t i = 0; i + k <= len; i++) {
		if (memcmp(line + i, key, k) != 0)
			continue;
		size_t s = i + k, e = s;
		while (e < len && line[e] != ' ' && line[e] != '\t')
			e++;
		if (e == s || e - s >= cap)
			return false;
		memcpy(out, line + s, e - s);
		out[e - s] = '\0';
		return true;
	}
	return false;
}

static bool dd_hex(const char *s, uint64_t *v)
{
	char *end;

	if (strncmp(s, "0x", 2) != 0)
		return false;
	errno = 0;
	*v = strtoull(s + 2, &end, 16);
	return errno == 0 && end != s + 2 && *end == '\0';
}

/* "N) \\srv\share Mounts: ..." or "N) IPC: \\srv\IPC$ Mounts: ...": the UNC. */
static bool dd_share_line(const char *line, size_t len, char *unc, size_t cap)
{
	size_t i = 0, s, e;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	s = i;
	while (i < len && line[i] >= '0' && line[i] <= '9')
		i++;
	if (i == s || i + 1 >= len || line[i] != ')' || line[i + 1] != ' ')
		return false;
	/* older kernels put a space before the name too */
	for (i += 2; i < len && line[i] == ' ';)
		i++;
	if (len - i >= 4 && memcmp(line + i, "IPC:", 4) == 0)
		for (i += 4; i < len && line[i] == ' ';)
			i++;
	if (len - i < 2 || line[i] != '\\' || line[i + 1] != '\\')
		return false;
	for (e = i; e < len && line[e] != ' ' && line[e] != '\t';)
		e++;
	if (e - i >= cap)
		return false;
	memcpy(unc, line + i, e - i);
	unc[e - i] = '\0';
	return true;
}

static int dd_line(struct dd_parse *p, const char *line, size_t len, smb_where_fn fn, void *arg)
{
	char tok[SMB_WHERE_SHARE_LEN + 8];
	uint64_t v;

	if (dd_token(line, len, "ConnectionId: ", tok, sizeof(tok))) {
		/* a new server: nothing of the previous session carries over */
		p->have_ses = p->have_unc = false;
		p->addr[0] = '\0';
	}
	if (dd_token(line, len, ") Address: ", tok, sizeof(tok)) ||
	    dd_token(line, len, ") Name: ", tok, sizeof(tok))) {
		size_t n = strlen(tok);

		p->have_ses = p->have_unc = false;
		p->addr[0] = '\0';
		if (n < sizeof(p->addr))
			memcpy(p->addr, tok, n + 1);
	}
	if (dd_token(line, len, "SessionId: ", tok, sizeof(tok)) && dd_hex(tok, &v)) {
		p->ses = v;
		p->have_ses = true;
	}
	if (dd_share_line(line, len, p->unc, sizeof(p->unc)))
		p->have_unc = true;
	if (p->have_unc && dd_token(line, len, "tid: ", tok, sizeof(tok)) && dd_hex(tok, &v) &&
	    v <= UINT32_MAX) {
		struct smb_where w;

		p->have_unc = false;
		memset(&w, 0, sizeof(w));
		if (!p->have_ses || smb_where_from_unc(p->unc, &w) != 0)
			return 0;
		w.session_id = p->ses;
		w.tree_id = (uint32_t)v;
		snprintf(w.address, sizeof(w.address), "%s", p->addr);
		fn(&w, arg);
		return 1;
	}
	return 0;
}

int smb_where_parse_debugdata(const char *text, size_t len, smb_where_fn fn, void *arg)
{
	struct dd_parse p;
	bool servers = false;
	int n = 0;

	memset(&p, 0, sizeof(p));
	for (size_t off = 0; off < len;) {
		const char *line = text + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t l = nl ? (size_t)(nl - line) : len - off;

		off += l + (nl ? 1 : 0);
		if (!servers) {
			servers = l >= 8 && memcmp(line, "Servers:", 8) == 0;
			continue;
		}
		n += dd_line(&p, line, l, fn, arg);
	}
	return servers ? n : -EINVAL;
}
