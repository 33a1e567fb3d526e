/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aodv2 configuration: the base YAML file, then every *.yaml in the drop-in
 * directory in lexical order merged on top (scalars override, an anomaly is
 * merged by its name, a list given in a fragment replaces the list), then
 * defaults, then validation.
 *
 * Promise: config_load either returns a complete, validated, defaulted
 * struct aod_config or collects every problem it found as "file:line: reason"
 * lines in struct config_errors and returns -EINVAL. config_dump prints the
 * effective config as YAML that config_load_text reads back to an equal
 * config (the supervisor ships config to workers this way).
 */
#ifndef AOD_CONFIG_H
#define AOD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AOD_DEFAULT_CONFIG "/etc/aodv2/aodv2.yaml"
#define AOD_DEFAULT_DROPIN_DIR "/etc/aodv2.d"
#define AOD_EX_CONFIG 78 /* sysexits EX_CONFIG: bad configuration */

enum aod_anomaly_type { AOD_TYPE_LATENCY = 1, AOD_TYPE_ERROR = 2 };
enum aod_tool { AOD_TOOL_SMBSLOWER = 1, AOD_TOOL_SMBIOSNOOP = 2 };
enum aod_mode { AOD_MODE_ALL = 1, AOD_MODE_TRACKONLY = 2, AOD_MODE_EXCLUDEONLY = 3 };

struct aod_track_command {
	int command;            /* SMB2 command code */
	uint32_t threshold_ms;  /* 0 = use default_threshold_ms */
};

struct aod_anomaly_cfg {
	char *name;                       /* key under guardian.anomalies */
	enum aod_anomaly_type type;
	enum aod_tool tool;
	enum aod_mode mode;               /* default all */
	uint32_t acceptable_count;        /* default 10 */
	uint32_t default_threshold_ms;    /* Latency; default 20 */
	uint32_t emergency_threshold_ms;  /* Latency; default 1000; 0 disables */
	struct aod_track_command *track_commands; /* Latency */
	unsigned n_track_commands;
	int *track_codes;                 /* Error: positive errno values */
	unsigned n_track_codes;
	char **actions;                   /* each in watcher.actions */
	unsigned n_actions;
	uint32_t cooldown_sec;            /* default 60 */
};

struct aod_config {
	double watch_interval_sec;        /* default 1, range [0.05, 3600] */
	char *output_dir;                 /* aod_output_dir, default /var/log/aodv2 */
	uint32_t ring_capacity_events;    /* default 65536 */
	uint32_t shutdown_timeout_sec;    /* default 10 */
	char *control_socket;             /* default /run/aodv2/aodv2.sock */
	char *service_user;               /* default aodv2 */

	struct aod_anomaly_cfg *anomalies; /* guardian.anomalies, in file order */
	unsigned n_anomalies;

	/* watcher */
	char **actions;                   /* the master list of QuickActions */
	unsigned n_actions;
	uint32_t max_concurrent_tasks;    /* default 4, range [1, 64] */
	uint32_t action_timeout_sec;      /* default 30 */
	uint32_t compression_level;       /* zstd level, default 3, range [1, 19] */
	uint32_t journal_minutes;         /* journalctl window, default 5 */
	uint32_t tcpdump_duration_sec;    /* default 5 */
	uint32_t tcpdump_max_mb;          /* capture size cap, default 50 */

	/* cleanup */
	uint32_t cleanup_interval_sec;    /* default 60 */
	double max_log_age_days;          /* default 2 */
	double max_total_log_size_mb;     /* default 512 */

	bool audit_enabled;               /* audit.enabled, default false */

	char **files;                     /* files merged, in order (base first) */
	unsigned n_files;
};

struct config_errors {
	char **lines; /* "file:line: reason" (line omitted when unknown) */
	unsigned n;
};

/* Loads base (required) and every *.yaml in dropin_dir (a missing dir is
 * fine; NULL skips drop-ins). Returns 0 or -EINVAL (errs filled) or -errno. */
int config_load(const char *base, const char *dropin_dir, struct aod_config **out,
		struct config_errors *errs);
/* Loads one YAML document from memory; name is used in error lines. */
int config_load_text(const char *text, size_t len, const char *name, struct aod_config **out,
		     struct config_errors *errs);
/* The effective config as YAML (malloc'd, NUL-terminated) or NULL on ENOMEM. */
char *config_dump(const struct aod_config *cfg);
void config_free(struct aod_config *cfg);
void config_errors_free(struct config_errors *errs);

/* Lookups. */
const struct aod_anomaly_cfg *config_anomaly(const struct aod_config *cfg, const char *name);
bool config_has_action(const struct aod_config *cfg, const char *action);

#endif
