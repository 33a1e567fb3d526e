// SPDX-License-Identifier: GPL-2.0-only
#include "droplog.h"

void droplog_init(struct droplog *d, uint64_t interval_ns)
{
	d->interval_ns = interval_ns;
	d->last_report_ns = 0;
	d->pending = 0;
}

static bool droplog_may_report(const struct droplog *d, uint64_t now)
{
	return !d->last_report_ns || now - d->last_report_ns >= d->interval_ns;
}

uint64_t droplog_add(struct droplog *d, uint64_t n, uint64_t now)
{
	d->pending += n;
	return droplog_take(d, now, false);
}

uint64_t droplog_due(const struct droplog *d)
{
	if (!d->pending)
		return 0;
	return d->last_report_ns ? d->last_report_ns + d->interval_ns : 1;
}

uint64_t droplog_take(struct droplog *d, uint64_t now, bool force)
{
	uint64_t n = d->pending;

	if (!n || (!force && !droplog_may_report(d, now)))
		return 0;
	d->pending = 0;
	d->last_report_ns = now ? now : 1;
	return n;
}
