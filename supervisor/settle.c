// SPDX-License-Identifier: GPL-2.0-only
#include "settle.h"

#include "children.h"
#include "control_req.h"
#include "metrics.h"
#include "oneshot.h"
#include "routing.h"
#include "shutdown.h"
#include "status.h"
#include "sup.h"

void sup_settle(struct sup *s)
{
	routing_flush(s);
	if (children_gave_up(s))
		shutdown_begin(s, SUP_EXIT_GAVE_UP, "a worker keeps dying");
	oneshot_progress(s);
	/* after oneshot: its end begins the stop sequence */
	shutdown_progress(s);
	if (status_gather_settle(s)) {
		control_status_ready(s);
		metrics_gathered(s);
	}
}
