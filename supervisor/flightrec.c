// SPDX-License-Identifier: GPL-2.0-only
#include "flightrec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "clock.h"
#include "ev_where.h"
#include "log.h"
#include "msg.h"
#include "ring.h"
#include "sup.h"
#include "where.h"

#define NS_PER_SEC 1000000000ull
/* The trigger is detectord's wall clock, converted with its own offset: an
 * event at the trigger must not fall out by the two offsets' difference. */
#define FLIGHTREC_END_SLACK_NS 10000000ull
#define FLIGHTREC_CHUNK 256

static void flightrec_arm(struct flightrec *r)
{
	const struct aod_recorder_cfg *c = &r->s->cfg->recorder;

	if (!r->rings)
		return;
	if (c->cifs_trace && !r->trace_on)
		r->trace_on = tracering_open(&r->trace, c) == 0;
	if (c->packets && !r->pcap_on)
		r->pcap_on = pcapring_open(&r->pcap, r->s->loop, r->s->svc_uid, r->s->svc_gid, c) == 0;
}

void flightrec_open(struct flightrec *r, struct sup *s, bool rings)
{
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->rings = rings;
	tracering_init(&r->trace);
	pcapring_init(&r->pcap);
	flightrec_arm(r);
}

/* A ring whose settings changed is restarted with the new ones (its
 * history is lost: a new buffer size or filter needs a new ring). */
void flightrec_reload(struct flightrec *r)
{
	if (!r)
		return;
	const struct aod_recorder_cfg *c = &r->s->cfg->recorder;

	if (r->trace_on && (!c->cifs_trace || tracering_differs(&r->trace, c))) {
		tracering_close(&r->trace);
		tracering_init(&r->trace);
		r->trace_on = false;
		log_info("cifs trace ring: stopped for the new configuration");
	}
	if (r->pcap_on && (!c->packets || strcmp(r->pcap.filter, c->packet_filter) ||
			   r->pcap.snaplen != c->packet_snaplen || r->pcap.files != c->packet_files ||
			   r->pcap.file_mb != c->packet_file_mb)) {
		pcapring_close(&r->pcap);
		pcapring_init(&r->pcap);
		r->pcap_on = false;
		log_info("packet ring: stopped for the new configuration");
	}
	flightrec_arm(r);
}

void flightrec_poke(struct flightrec *r)
{
	if (r && r->trace_on && !r->trace.events_on)
		tracering_poke(&r->trace, &r->s->cfg->recorder);
}

bool flightrec_reaped(struct flightrec *r, pid_t pid, int status)
{
	return r && r->pcap_on && pcapring_reaped(&r->pcap, pid, status);
}

static int flightrec_flush(int fd, const struct aod_event *buf, size_t n)
{
	ssize_t want = (ssize_t)(n * sizeof(buf[0]));
	ssize_t w = n ? write(fd, buf, (size_t)want) : 0;
	return w == want ? 0 : w < 0 ? -errno : -EIO;
}

long flightrec_write_window(int fd, const struct aod_event *const span[2], const size_t len[2],
			   unsigned nspans, uint64_t from_mono, uint64_t to_mono)
{
	struct aod_event buf[FLIGHTREC_CHUNK];
	size_t n = 0;
	long total = 0;
	int rc;

	for (unsigned s = 0; s < nspans; s++) {
		for (size_t i = 0; i < len[s]; i++) {
			const struct aod_event *e = &span[s][i];
			if (e->ts_ns < from_mono || e->ts_ns > to_mono)
				continue;
			buf[n++] = *e;
			if (n < FLIGHTREC_CHUNK)
				continue;
			if ((rc = flightrec_flush(fd, buf, n)) < 0)
				return rc;
			total += (long)n;
			n = 0;
		}
	}
	if ((rc = flightrec_flush(fd, buf, n)) < 0)
		return rc;
	return total + (long)n;
}

/* The share names of the events window: a share is announced once, when
 * first seen, usually long before the window; collectord needs the name of
 * every share the window's events went to. */
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
			if (n && (rc = flightrec_flush(fd, rec, n)) == 0)
				total += (long)n;
		}
	free(names);
	free(sent);
	return rc < 0 ? rc : total;
}

/* The window of the events and the cifs trace: pre_sec before the trigger
 * up to it, on CLOCK_MONOTONIC (the events' and the trace's clock); in->
 * gets it on the wall clock. */
static void flightrec_window(const struct flightrec *r, const struct proto_anomaly *a,
			     struct proto_recorder_input *in, uint64_t *from, uint64_t *to)
{
	uint64_t pre = (uint64_t)r->s->cfg->recorder.pre_sec * NS_PER_SEC;
	*to = a->timestamp_ns - (uint64_t)in->mono_to_wall_ns + FLIGHTREC_END_SLACK_NS;
	*from = *to > pre + FLIGHTREC_END_SLACK_NS ? *to - pre - FLIGHTREC_END_SLACK_NS : 0;
	in->from_ns = *from + (uint64_t)in->mono_to_wall_ns;
	in->to_ns = *to + (uint64_t)in->mono_to_wall_ns;
}

/* The events memfd: sealed, so collectord reads what was written. */
static int flightrec_events_fd(struct flightrec *r, const struct proto_anomaly *a,
			      struct proto_recorder_input *in)
{
	const struct aod_event *span[2];
	size_t len[2];
	uint64_t from, to;
	int fd = memfd_create("aodv2-events", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	flightrec_window(r, a, in, &from, &to);
	unsigned nspans = ring_recent(r->s->ring, span, len);
	long names = flightrec_write_names(fd, span, len, nspans, from, to,
					   r->s->where ? &r->s->where->t : NULL);
	long n = names < 0 ? names : flightrec_write_window(fd, span, len, nspans, from, to);
	if (n < 0 || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
				     F_SEAL_SEAL) != 0) {
		int err = n < 0 ? (int)n : -errno;
		close(fd);
		return err;
	}
	in->to_ns = a->timestamp_ns;
	in->count = (uint64_t)(names + n);
	return fd;
}

static int flightrec_trace_fd(struct flightrec *r, const struct proto_anomaly *a,
			     struct proto_recorder_input *in)
{
	uint64_t from, to;
	flightrec_window(r, a, in, &from, &to);
	return tracering_open_trace(&r->trace);
}

static int flightrec_input_fd(struct flightrec *r, const struct proto_anomaly *a,
			     struct proto_recorder_input *in)
{
	switch (in->kind) {
	case PROTO_REC_EVENTS:
		return flightrec_events_fd(r, a, in);
	case PROTO_REC_CIFS_TRACE:
		return flightrec_trace_fd(r, a, in);
	default:
		return pcapring_open_dir(&r->pcap);
	}
}

static const char *const flightrec_kind_name[PROTO_REC_NR] = {
	[PROTO_REC_EVENTS] = "events", [PROTO_REC_CIFS_TRACE] = "cifs trace",
	[PROTO_REC_PACKETS] = "packets",
};

void flightrec_send_inputs(struct flightrec *r, struct worker *c, const struct proto_anomaly *a)
{
	if (!r)
		return;
	const struct aod_recorder_cfg *cfg = &r->s->cfg->recorder;
	bool want[PROTO_REC_NR] = {
		[PROTO_REC_EVENTS] = cfg->events,
		[PROTO_REC_CIFS_TRACE] = cfg->cifs_trace && r->trace_on,
		[PROTO_REC_PACKETS] = cfg->packets && r->pcap_on,
	};
	for (uint32_t k = PROTO_REC_EVENTS; k < PROTO_REC_NR; k++) {
		if (!want[k])
			continue;
		struct proto_recorder_input in = {
			.anomaly_ts_ns = a->timestamp_ns, .kind = k,
			.mono_to_wall_ns = (int64_t)(clock_wall_ns() - clock_mono_ns()),
			.pre_sec = cfg->pre_sec, .post_sec = cfg->post_sec,
		};
		int fd = flightrec_input_fd(r, a, &in);
		int rc = fd < 0 ? fd : msg_send(c->sock, PROTO_RECORDER_INPUT, &in, sizeof(in), fd);
		if (fd >= 0)
			close(fd);
		if (rc < 0)
			log_warn("flight recorder: aod_%llu gets no %s: %s",
				 (unsigned long long)a->timestamp_ns, flightrec_kind_name[k],
				 strerror(-rc));
	}
}

void flightrec_close(struct flightrec *r)
{
	if (!r)
		return;
	if (r->pcap_on)
		pcapring_close(&r->pcap);
	if (r->trace_on)
		tracering_close(&r->trace);
	r->pcap_on = r->trace_on = false;
}
