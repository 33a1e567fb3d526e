/* SPDX-License-Identifier: GPL-2.0-only */
/* The supervisor's audit records (audit.h): control requests and reloads. */
#ifndef SUP_AUDIT_H
#define SUP_AUDIT_H

#include "config.h"
#include "control.h"

struct sup;

/* A control request answered with status (CTL_*), from c's peer. */
void sup_audit_control(const struct ctl_client *c, int status);
/* A reload: cfg the new config when accepted (its files), NULL when refused
 * (then the files it would have read); rc 0 or -errno; who asked. */
void sup_audit_reload(const struct sup *s, const struct aod_config *cfg, int rc, const char *who);

#endif
