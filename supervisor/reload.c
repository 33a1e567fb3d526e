// SPDX-License-Identifier: GPL-2.0-only
#include "reload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flightrec.h"
#include "audit.h"
#include "children.h"
#include "log.h"
#include "outdir.h"
#include "sup_audit.h"
#include "metrics.h"
#include "sources.h"
#include "sup.h"

int reload_adopt(struct sup *s, struct aod_config *cfg)
{
	char *yaml = config_dump(cfg);

	if (!yaml)
		return -ENOMEM;
	if (strlen(yaml) > MSG_MAX_BODY) {
		log_error("the effective configuration is %zu bytes of YAML; at most %u fit in a message",
			  strlen(yaml), MSG_MAX_BODY);
		free(yaml);
		return -EMSGSIZE;
	}
	free(s->cfg_yaml);
	config_free(s->cfg);
	s->cfg = cfg;
	s->cfg_yaml = yaml;
	s->cfg_yaml_len = strlen(yaml);
	audit_enable(cfg->audit_enabled);
	metrics_configure(s);
	return 0;
}

static bool str_differs(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") != 0;
}

/* Capabilities are fixed when a worker starts: a config needing others
 * takes effect at its next start. */
static void reload_note_caps(const struct worker *w, const struct aod_config *cfg)
{
	int caps[WORKER_MAX_CAPS];
	int n = w->kind->plan_caps ? w->kind->plan_caps(cfg, caps) : 0;
	bool same = n == w->n_caps;

	for (int i = 0; same && i < n; i++)
		same = caps[i] == w->caps[i];
	if (!same)
		log_warn("the configured actions need other capabilities than %s holds: "
			 "they take effect when %s restarts", w->name, w->name);
}

/* What the supervisor itself fixed at start cannot change under it. */
static void reload_note_restart_only(struct sup *s, const struct aod_config *old,
				     const struct aod_config *cfg)
{
	if (old->ring_capacity_events != cfg->ring_capacity_events)
		log_warn("ring_capacity_events changed (%u -> %u): takes effect when aodv2 restarts",
			 old->ring_capacity_events, cfg->ring_capacity_events);
	if (!s->args.socket_path && str_differs(old->control_socket, cfg->control_socket))
		log_warn("control_socket changed: %s stays in use until aodv2 restarts", s->ctl.path);
	if (str_differs(old->service_user, cfg->service_user))
		log_warn("service_user changed: workers switch to '%s' when aodv2 restarts",
			 cfg->service_user);

	for (int i = 0; i < W_NR; i++)
		reload_note_caps(&s->workers[i], cfg);
}

static void reload_push(struct sup *s)
{
	for (int i = 0; i < W_NR; i++) {
		struct worker *w = &s->workers[i];
		if (w->state == WS_FAILED && s->phase == PHASE_RUNNING) {
			log_info("starting %s again with the new configuration", w->name);
			if (worker_spawn(w) < 0)
				children_died_without_pid(w);
			continue;
		}
		if (w->sock >= 0 && !w->shutdown_sent)
			worker_send_config(w);
	}
}

int reload_config(struct sup *s, FILE *errs_out)
{
	struct aod_config *cfg = NULL;
	struct config_errors errs = { 0 };
	int rc = config_load(s->args.config_path, s->args.dropin_dir, &cfg, &errs);

	if (rc < 0) {
		s->reload_failures++;
		log_error("reload: the configuration is invalid; keeping the running one");
		for (unsigned i = 0; i < errs.n; i++) {
			log_error("reload: %s", errs.lines[i]);
			if (errs_out)
				fprintf(errs_out, "%s\n", errs.lines[i]);
		}
		if (!errs.n)
			log_error("reload: %s: %s", s->args.config_path, strerror(-rc));
		bool invalid = errs.n || rc == -EINVAL;
		config_errors_free(&errs);
		sup_audit_reload(s, NULL, invalid ? -EINVAL : rc, errs_out ? "aodctl" : "SIGHUP");
		return invalid ? -EINVAL : rc;
	}
	reload_note_restart_only(s, s->cfg, cfg);
	if (str_differs(s->cfg->output_dir, cfg->output_dir))
		outdir_prepare(cfg->output_dir, s->svc_uid, s->svc_gid, s->svc_user);
	rc = reload_adopt(s, cfg);
	if (rc < 0) {
		s->reload_failures++;
		config_free(cfg);
		return rc;
	}
	s->reloads++;
	sup_audit_reload(s, s->cfg, 0, errs_out ? "aodctl" : "SIGHUP");
	/* widen before detectord can have the new config (sources.h) */
	if (s->bpf)
		source_bpf_widen(s->bpf);
	reload_push(s);
	flightrec_reload(s->flightrec);
	log_info("configuration reloaded (%u file%s)", s->cfg->n_files, s->cfg->n_files == 1 ? "" : "s");
	return 0;
}
