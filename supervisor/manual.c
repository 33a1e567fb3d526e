// SPDX-License-Identifier: GPL-2.0-only
#include "manual.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "routing.h"
#include "sup.h"

uint64_t manual_collect(struct sup *s, const char *name, const char *who)
{
	struct proto_anomaly a;

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name && *name ? name : MANUAL_LABEL_DEFAULT);
	a.type = PROTO_ANOMALY_MANUAL;
	a.timestamp_ns = clock_wall_ns();
	a.interval_start_ns = a.interval_end_ns = a.timestamp_ns;
	s->manual_collections++;
	log_info("manual collection (%s) requested by %s", a.name, who);
	routing_anomaly(s, &a);
	return a.timestamp_ns;
}

void manual_on_sigusr1(struct sup *s)
{
	if (s->phase != PHASE_RUNNING) {
		log_info("SIGUSR1 while stopping: no manual collection");
		return;
	}
	manual_collect(s, MANUAL_LABEL_SIGUSR1, "SIGUSR1");
}

void manual_shutdown_begin(struct sup *s)
{
	struct worker *c = &s->workers[W_COLLECTOR];

	if (!s->cfg->collect_on_shutdown)
		return;
	if (c->state != WS_RUNNING && c->state != WS_STARTING) {
		log_warn("collect_on_shutdown: collectord is %s; no collection at stop",
			 c->state == WS_FAILED ? "failed" : "not running");
		return;
	}
	manual_collect(s, MANUAL_LABEL_SHUTDOWN, "collect_on_shutdown");
}
