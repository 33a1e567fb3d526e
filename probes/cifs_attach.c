// SPDX-License-Identifier: GPL-2.0-only
#include "cifs_attach.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probes_abi.h" /* before the skeleton: its rodata uses these types */
#include "aod_probes.skel.h"
#include "log.h"

static struct bpf_program *program_for(struct aod_probes *s, enum variant_kind kind, enum variant_event ev)
{
	bool btf = kind == VARIANT_TP_BTF;

	switch (ev) {
	case VEV_ENTER:
		return btf ? s->progs.aod_enter_btf : s->progs.aod_enter_tp;
	case VEV_DONE:
		return btf ? s->progs.aod_done_btf : s->progs.aod_done_tp;
	case VEV_ERR:
		return btf ? s->progs.aod_err_btf : s->progs.aod_err_tp;
	case VEV_RECONNECT:
		return btf ? s->progs.aod_reconnect_btf : s->progs.aod_reconnect_tp;
	default:
		return NULL;
	}
}

/* Slot i's per-operation error program (aod_op_err_tp<i>). */
static struct bpf_program *op_err_program(struct aod_probes *s, unsigned i)
{
	struct bpf_program *const progs[AOD_OP_ERR_MAX] = {
		s->progs.aod_op_err_tp0, s->progs.aod_op_err_tp1, s->progs.aod_op_err_tp2,
		s->progs.aod_op_err_tp3, s->progs.aod_op_err_tp4, s->progs.aod_op_err_tp5,
		s->progs.aod_op_err_tp6, s->progs.aod_op_err_tp7, s->progs.aod_op_err_tp8,
		s->progs.aod_op_err_tp9, s->progs.aod_op_err_tp10, s->progs.aod_op_err_tp11,
		s->progs.aod_op_err_tp12, s->progs.aod_op_err_tp13, s->progs.aod_op_err_tp14,
		s->progs.aod_op_err_tp15, s->progs.aod_op_err_tp16, s->progs.aod_op_err_tp17,
		s->progs.aod_op_err_tp18, s->progs.aod_op_err_tp19, s->progs.aod_op_err_tp20,
		s->progs.aod_op_err_tp21, s->progs.aod_op_err_tp22, s->progs.aod_op_err_tp23,
		s->progs.aod_op_err_tp24, s->progs.aod_op_err_tp25, s->progs.aod_op_err_tp26,
		s->progs.aod_op_err_tp27,
	};

	return i < AOD_OP_ERR_MAX ? progs[i] : NULL;
}

static int reuse_maps(struct aod_probes *s, const struct aod_probes *base)
{
	struct {
		struct bpf_map *map;
		const struct bpf_map *from;
	} pairs[] = {
		{ s->maps.aod_events, base->maps.aod_events },
		{ s->maps.aod_counters, base->maps.aod_counters },
		{ s->maps.aod_starts, base->maps.aod_starts },
		{ s->maps.aod_probe_cfg, base->maps.aod_probe_cfg },
		{ s->maps.aod_state, base->maps.aod_state },
		/* the in-kernel metrics, read by probes_read_metrics from base */
		{ s->maps.aod_hist, base->maps.aod_hist },
		{ s->maps.aod_errs, base->maps.aod_errs },
		{ s->maps.aod_metrics_overflow, base->maps.aod_metrics_overflow },
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		int err = bpf_map__reuse_fd(pairs[i].map, bpf_map__fd(pairs[i].from));

		if (err) {
			log_error("probes: cannot share map %s with the cifs programs: %s",
				  bpf_map__name(pairs[i].map), strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Classic tracepoints through perf_event_open on the id from the format we
 * parsed, so attaching does not depend on where libbpf looks for tracefs. */
static struct bpf_link *attach_classic(struct bpf_program *prog, unsigned id)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
		.config = id,
		.sample_period = 1,
		.wakeup_events = 1,
	};
	struct bpf_link *link;
	int pfd = (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);

	if (pfd < 0)
		return NULL;
	link = bpf_program__attach_perf_event(prog, pfd);
	if (!link) {
		int err = errno;

		close(pfd);
		errno = err;
	}
	return link;
}

static void select_programs(struct aod_probes *s, const struct variant_choice *c)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, false);
	for (int ev = 0; ev < VEV_NR; ev++)
		if (c->have[ev])
			bpf_program__set_autoload(program_for(s, c->kind, (enum variant_event)ev), true);
	for (unsigned i = 0; i < c->n_op_err && i < AOD_OP_ERR_MAX; i++)
		bpf_program__set_autoload(op_err_program(s, i), true);
	memcpy((void *)s->rodata->aod_op_err_lay, c->op_err, sizeof(c->op_err));
	bpf_program__set_autoload(s->progs.aod_tcon_tp, c->tcon.tp_id != 0);
	memcpy((void *)&s->rodata->aod_lay_tcon, &c->tcon, sizeof(c->tcon));
	if (c->kind == VARIANT_TRACEPOINT) {
		/* rodata is frozen at load: the layouts go in now */
		memcpy((void *)&s->rodata->aod_lay_enter, &c->lay[VEV_ENTER], sizeof(c->lay[0]));
		memcpy((void *)&s->rodata->aod_lay_done, &c->lay[VEV_DONE], sizeof(c->lay[0]));
		memcpy((void *)&s->rodata->aod_lay_err, &c->lay[VEV_ERR], sizeof(c->lay[0]));
	}
}

/* Optional extras: an event that will not attach is left out, logged. */
static void attach_op_errs(struct cifs_attach *ca, const struct variant_choice *c)
{
	for (unsigned i = 0; i < c->n_op_err && i < AOD_OP_ERR_MAX; i++) {
		struct bpf_link *link = attach_classic(op_err_program(ca->skel, i), c->op_err[i].tp_id);

		if (!link) {
			log_warn("probes: cannot attach to cifs:%s (id %u): %s",
				 variant_op_err_name(c->op_err_found.name[i]), c->op_err[i].tp_id, strerror(errno));
			continue;
		}
		ca->op_err_links[ca->n_op_err_attached++] = link;
		ca->op_err_attached_set |= 1u << c->op_err_found.name[i];
	}
}

int cifs_attach_load(struct cifs_attach *ca, const struct aod_probes *base, const struct variant_choice *c)
{
	int err;

	memset(ca, 0, sizeof(*ca));
	if (c->kind != VARIANT_TP_BTF && c->kind != VARIANT_TRACEPOINT)
		return -EINVAL;
	ca->skel = aod_probes__open();
	if (!ca->skel) {
		err = -errno;
		log_error("probes: cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	err = reuse_maps(ca->skel, base);
	if (err)
		goto fail;
	select_programs(ca->skel, c);
	err = aod_probes__load(ca->skel);
	if (err) {
		log_error("probes: the kernel refused the %s cifs programs: %s (AOD_LOG_LEVEL=DEBUG shows "
			  "the verifier log)", variant_kind_name(c->kind), strerror(-err));
		goto fail;
	}
	/* Completions first, smb3_cmd_enter last: a start recorded while its
	 * completion's program was not yet attached would wait in the starts
	 * map forever and be reported as a stuck request (cifs loads during a
	 * mount, whose NEGOTIATE and SESSION_SETUP are in flight meanwhile). */
	for (int ev = VEV_NR - 1; ev >= 0; ev--) {
		struct bpf_program *prog = program_for(ca->skel, c->kind, (enum variant_event)ev);

		if (!c->have[ev])
			continue;
		ca->links[ev] = c->kind == VARIANT_TP_BTF ? bpf_program__attach(prog)
							   : attach_classic(prog, c->tp_id[ev]);
		if (!ca->links[ev]) {
			err = -errno;
			log_error("probes: cannot attach %s to cifs:%s: %s", variant_kind_name(c->kind),
				  variant_event_name((enum variant_event)ev), strerror(-err));
			goto fail;
		}
		ca->attached[ev] = true;
	}
	attach_op_errs(ca, c);
	if (c->tcon.tp_id) {
		ca->tcon_link = attach_classic(ca->skel->progs.aod_tcon_tp, c->tcon.tp_id);
		if (!ca->tcon_link)
			log_warn("probes: cannot attach to smb3_tcon: %s (shares are named from DebugData only)",
				 strerror(errno));
	}
	return 0;
fail:
	cifs_attach_destroy(ca);
	return err;
}

void cifs_attach_destroy(struct cifs_attach *ca)
{
	for (int ev = 0; ev < VEV_NR; ev++) {
		if (ca->links[ev])
			bpf_link__destroy(ca->links[ev]);
		ca->links[ev] = NULL;
		ca->attached[ev] = false;
	}
	for (unsigned i = 0; i < ca->n_op_err_attached; i++)
		bpf_link__destroy(ca->op_err_links[i]);
	ca->n_op_err_attached = 0;
	ca->op_err_attached_set = 0;
	if (ca->tcon_link)
		bpf_link__destroy(ca->tcon_link);
	ca->tcon_link = NULL;
	if (ca->skel)
		aod_probes__destroy(ca->skel);
	ca->skel = NULL;
}
