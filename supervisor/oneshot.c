// SPDX-License-Identifier: GPL-2.0-only
/* The --oneshot end: replay fed, detectord drained, collections finished. */
#include "oneshot.h"

#include <inttypes.h>

#include "children.h"
#include "log.h"
#include "shutdown.h"
#include "sources.h"
#include "sup.h"

static void oneshot_finish(struct sup *s)
{
	struct ring_stats st;

	ring_get_stats(s->ring, &st);
	s->oneshot = ONESHOT_DONE;
	if (st.consumed != st.produced) {
		log_error("oneshot: detectord drained but consumed %" PRIu64 " of %" PRIu64 " events",
			  st.consumed, st.produced);
		shutdown_begin(s, SUP_EXIT_FAILURE, "oneshot replay was not judged completely");
		return;
	}
	log_info("oneshot: %" PRIu64 " events judged, %" PRIu64 " anomalies, %" PRIu64
		 " collections complete, %" PRIu64 " failed", st.consumed, s->anomalies_received,
		 s->collections_done, s->collections_failed);
	shutdown_begin(s, SUP_EXIT_OK, "oneshot replay judged and collected");
}

/* detectord judges the whole replay: told to drain once it is running.
 * False while that is not done yet. */
static bool oneshot_drained(struct sup *s)
{
	struct worker *d = &s->workers[W_DETECTOR];

	if (d->drained)
		return true;
	if (d->state == WS_FAILED)
		shutdown_begin(s, SUP_EXIT_FAILURE, "oneshot: detectord cannot run");
	else if (d->state == WS_RUNNING && !d->shutdown_sent)
		worker_stop(d, s->cfg->shutdown_timeout_sec * 1000u);
	return false;
}

void oneshot_progress(struct sup *s)
{
	if (s->phase != PHASE_RUNNING)
		return;
	switch (s->oneshot) {
	case ONESHOT_FEEDING:
		if (!source_replay_finished(s->replay))
			return;
		s->oneshot = ONESHOT_DRAINING;
		/* fall through */
	case ONESHOT_DRAINING:
		if (!oneshot_drained(s))
			return;
		s->oneshot = ONESHOT_COLLECTING;
		/* fall through */
	case ONESHOT_COLLECTING:
		if (s->queue.count && s->workers[W_COLLECTOR].state == WS_FAILED) {
			shutdown_begin(s, SUP_EXIT_FAILURE, "oneshot: collectord cannot run");
			return;
		}
		if (s->queue.count || s->in_flight)
			return;
		oneshot_finish(s);
		return;
	default:
		return;
	}
}
