/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rate limit for the "event ring full" warning: the first drop is reported
 * at once, later ones at most once per interval, and a count left over when
 * the drops stop is still reported once the interval has passed (the caller
 * arms a timer for droplog_due()), so the log's figures always add up to the
 * ring's dropped counter. Pure bookkeeping: the caller passes the time.
 */
#ifndef SUP_DROPLOG_H
#define SUP_DROPLOG_H

#include <stdbool.h>
#include <stdint.h>

struct droplog {
	uint64_t interval_ns;
	uint64_t last_report_ns; /* 0: never reported */
	uint64_t pending;        /* drops not yet reported */
};

void droplog_init(struct droplog *d, uint64_t interval_ns);
/* Counts n drops at now; returns how many to report now (0: report later,
 * at droplog_due()). */
uint64_t droplog_add(struct droplog *d, uint64_t n, uint64_t now);
/* When the pending drops may be reported (CLOCK_MONOTONIC ns); 0 when
 * nothing is pending. */
uint64_t droplog_due(const struct droplog *d);
/* The pending drops to report now: when their time has come, or at once
 * with force (shutdown). 0 when there is nothing to report yet. */
uint64_t droplog_take(struct droplog *d, uint64_t now, bool force);

#endif
