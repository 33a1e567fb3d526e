/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Config reload (SIGHUP, aodctl reload): load and validate the base file and
 * drop-ins again; a valid config replaces the running one and is pushed to
 * every worker (PROTO_CONFIG, acknowledged) without restarting any, so no
 * ring event is lost; an invalid one is logged error by error and the old
 * config stays.
 */
#ifndef SUP_RELOAD_H
#define SUP_RELOAD_H

#include <stdio.h>

struct sup;
struct aod_config;

/* Loads config from the supervisor's -c/-d paths. On success replaces
 * *cfg-related state; errors are appended to errs_out (if not NULL) and
 * logged. Returns 0, -EINVAL for an invalid config, or -errno. */
int reload_config(struct sup *s, FILE *errs_out);
/* Makes cfg the running config: caches its YAML for the workers. */
int reload_adopt(struct sup *s, struct aod_config *cfg);

#endif
