// SPDX-License-Identifier: GPL-2.0-only
#include "inflight.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "log.h"
#include "probes_abi.h"
#include "starts.h"

#define INFLIGHT_EVERY_DEFAULT_NS 1000000000ull

int inflight_open(struct inflight *w)
{
	memset(w, 0, sizeof(*w));
	w->every_ns = INFLIGHT_EVERY_DEFAULT_NS;
	w->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	return w->tfd < 0 ? -errno : 0;
}

void inflight_close(struct inflight *w)
{
	if (w->tfd >= 0)
		close(w->tfd);
	w->tfd = -1;
}

static void inflight_timer(struct inflight *w, bool on)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	if (on) {
		its.it_value.tv_sec = (time_t)(w->every_ns / 1000000000u);
		its.it_value.tv_nsec = (long)(w->every_ns % 1000000000u);
		its.it_interval = its.it_value;
	}
	if (timerfd_settime(w->tfd, 0, &its, NULL) < 0)
		log_warn("probes: cannot %s the in-flight timer: %s", on ? "arm" : "disarm", strerror(errno));
	w->watching = on;
}

void inflight_set(struct inflight *w, uint64_t after_ns, uint64_t every_ns)
{
	uint64_t every = every_ns ? every_ns : INFLIGHT_EVERY_DEFAULT_NS;

	w->after_ns = after_ns;
	if (every != w->every_ns) {
		w->every_ns = every;
		if (w->watching)
			inflight_timer(w, true);
	}
}

void inflight_arm(struct inflight *w)
{
	if (!w->watching)
		inflight_timer(w, true);
}

static void inflight_each(const struct aod_start_key *k, const struct aod_start *st, uint64_t age, void *arg)
{
	struct inflight *w = arg;
	struct aod_event *e;

	if (!w->after_ns || age < w->after_ns || w->n >= INFLIGHT_MAX_REPORTED ||
	    st->command >= AOD_SMB2_NR_COMMANDS || (w->skip_cmds >> st->command & 1u))
		return;
	e = &w->ev[w->n++];
	memset(e, 0, sizeof(*e));
	e->latency_ns = age;
	e->session_id = k->session_id;
	e->message_id = k->message_id;
	e->tree_id = st->tree_id;
	e->pid = st->tgid;
	memcpy(e->comm, st->comm, sizeof(e->comm));
	e->command = (uint8_t)st->command;
	e->kind = AOD_EV_INFLIGHT;
}

static int inflight_watch_flag(int state_fd, uint32_t armed)
{
	struct aod_state v = { .armed = armed };
	__u32 k = AOD_STATE_WATCH;

	return bpf_map_update_elem(state_fd, &k, &v, BPF_ANY) == 0 ? 0 : -errno;
}

uint64_t inflight_tick(struct inflight *w, int starts_fd, int state_fd, uint32_t gen, uint64_t stuck_ns)
{
	struct starts_scan t = { .gen = gen, .stuck_after_ns = UINT64_MAX, .delete_older_after_ns = stuck_ns,
				 .each = inflight_each, .each_arg = w };
	uint64_t expirations;
	int err;

	w->n = 0;
	if (read(w->tfd, &expirations, sizeof(expirations)) < 0 || !w->watching)
		return 0; /* not due */
	w->walks++;
	err = starts_scan(starts_fd, &t);
	for (size_t i = 0; i < w->n; i++)
		w->ev[i].ts_ns = t.now_ns;
	w->reported += w->n;
	if (err || t.present > t.deleted)
		return t.deleted;
	/* Empty: off, then look again, since a request stored before the flag
	 * was cleared did not wake us. */
	if (inflight_watch_flag(state_fd, 0) < 0)
		return t.deleted;
	struct starts_scan again = { .gen = gen, .stuck_after_ns = UINT64_MAX };
	if (starts_scan(starts_fd, &again) == 0 && again.present == 0) {
		inflight_timer(w, false);
		return t.deleted;
	}
	inflight_watch_flag(state_fd, 1);
	return t.deleted;
}
