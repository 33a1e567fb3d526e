/* SPDX-License-Identifier: GPL-2.0-only */
/* The supervisor's reload audit record (audit.h); control requests are
 * audited by the control socket itself. */
#ifndef SUP_AUDIT_H
#define SUP_AUDIT_H

#include "config.h"

struct sup;

/* A reload: cfg the new config when accepted (its files), NULL when refused
 * (then the files it would have read); rc 0 or -errno; who asked. */
void sup_audit_reload(const struct sup *s, const struct aod_config *cfg, int rc, const char *who);

#endif
