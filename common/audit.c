// SPDX-License-Identifier: GPL-2.0-only
#include "audit.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "clock.h"

#define NS 1000000000ull

static const char *const audit_ids[AUDIT_KINDS] = {
	[AUDIT_WINDOW] = "e1b6ac7ecdc5425b9f6eb53c85ac6cf3",
	[AUDIT_ANOMALY] = "8742b183dbb04852b113d52a3b3a455a",
	[AUDIT_ACTION] = "ec2d55cd6ee8476eb011ca19d753d0cd",
	[AUDIT_CONTROL] = "48c35e80c4ce48f68d14e940ab994125",
	[AUDIT_RELOAD] = "2c16e4c37bfc49f7a00bc5716d73f55b",
	[AUDIT_SWEEP] = "2b40e9ae84a5478181b6d2e0b97ec154",
};
static const char *const audit_names[AUDIT_KINDS] = {
	"window", "anomaly", "action", "control", "reload", "sweep",
};

/* The module's state (see audit.h). */
static struct {
	bool on;
	struct {
		uint64_t tokens_ns; /* a token is NS / AUDIT_RATE of credit */
		uint64_t last_ns;
		uint64_t suppressed;
	} bucket[AUDIT_KINDS];
} audit_state;

void audit_enable(bool on)
{
	audit_state.on = on;
}

bool audit_enabled(void)
{
	return audit_state.on;
}

const char *audit_msgid(enum audit_kind kind)
{
	return kind < AUDIT_KINDS ? audit_ids[kind] : NULL;
}

/* Token bucket: true when a record of kind may go out now. */
static bool audit_take(enum audit_kind kind)
{
	const uint64_t cost = NS / AUDIT_RATE, cap = cost * AUDIT_BURST;
	uint64_t now = clock_mono_ns();
	typeof(audit_state.bucket[0]) *b = &audit_state.bucket[kind];

	if (!b->last_ns)
		b->tokens_ns = cap;
	else
		b->tokens_ns += now - b->last_ns;
	if (b->tokens_ns > cap)
		b->tokens_ns = cap;
	b->last_ns = now;
	if (b->tokens_ns < cost) {
		b->suppressed++;
		return false;
	}
	b->tokens_ns -= cost;
	return true;
}

void audit_record(enum audit_kind kind, const struct journal_field *f, unsigned n,
		  const char *fmt, ...)
{
	struct journal_field all[JOURNAL_MAX_FIELDS];
	char text[900], dropped[24];
	va_list ap;

	if (!audit_state.on || kind >= AUDIT_KINDS || !audit_take(kind))
		return;
	if (n > JOURNAL_MAX_FIELDS - 2)
		n = JOURNAL_MAX_FIELDS - 2;
	all[0] = (struct journal_field){ "AOD_AUDIT", audit_names[kind] };
	memcpy(all + 1, f, n * sizeof(*f));
	n++;
	uint64_t lost = audit_state.bucket[kind].suppressed;
	audit_state.bucket[kind].suppressed = 0;
	if (lost) {
		snprintf(dropped, sizeof(dropped), "%llu", (unsigned long long)lost);
		all[n++] = (struct journal_field){ "AOD_AUDIT_SUPPRESSED", dropped };
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (lost)
		journal_log(LOG_NOTICE, audit_ids[kind], all, n, "audit %s: %s (%llu earlier %s records "
			    "suppressed by the rate limit)", audit_names[kind], text,
			    (unsigned long long)lost, audit_names[kind]);
	else
		journal_log(LOG_NOTICE, audit_ids[kind], all, n, "audit %s: %s", audit_names[kind], text);
}
