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
 *
 * Rules a user relies on:
 *  - A key with an empty value (`key:`) counts as not set. A file that sets
 *    nothing (empty, all comments) is a no-op. Only *.yaml names not starting
 *    with '.' are read from the drop-in directory, in strcmp order.
 *  - Every file is checked on its own first (YAML syntax, unknown keys, wrong
 *    kinds, duplicate keys, aliases, bad numbers/booleans/names): every such
 *    problem in every file is reported. Checks that need the merged result
 *    (an anomaly action not in watcher.actions, type/tool/mode mismatches, a
 *    missing type, too many anomalies) run once all files are individually
 *    valid, and each names the file and line that set the offending value.
 *  - Whole numbers are plain decimal: "10abc", "0x10", "-1" and "080" (a
 *    leading zero means octal in YAML 1.1) are refused. Fractions are decimal
 *    with an optional exponent. Booleans: true/false/yes/no/on/off (any case).
 *  - Ranges (inclusive): watch_interval_sec 0.05..3600, ring_capacity_events
 *    64..16777216, shutdown_timeout_sec 1..600, max_concurrent_tasks 1..64,
 *    action_timeout_sec 1..3600, compression_level 1..19, journal_minutes
 *    1..1440, tcpdump_duration_sec 1..3600 and below action_timeout_sec,
 *    tcpdump_max_mb 1..10240, cleanup_interval_sec 1..86400, max_log_age_days
 *    0.01..3650, max_total_log_size_mb 0.01..1048576, metrics.interval_sec
 *    1..3600; metrics.textfile is an absolute file path or "none"; per anomaly
 *    acceptable_count 0..1000000, default_threshold_ms 1..600000,
 *    emergency_threshold_ms 0..600000 (above default_threshold_ms unless 0),
 *    track_commands[].threshold 1..600000, cooldown_sec 0..86400; scope
 *    host, server or share (default host).
 *  - aod_output_dir and control_socket are absolute paths without control
 *    characters (control_socket shorter than sun_path); service_user is a
 *    POSIX user name. Anomaly names are 1..63 of [A-Za-z0-9_.-], at most
 *    PROTO_MAX_ANOMALIES of them.
 *  - Anomalies: type is required. tool defaults from type (Latency ->
 *    smbslower, Error -> smbiosnoop) and must match it when given.
 *    default_threshold_ms, emergency_threshold_ms and track_commands belong
 *    to Latency; track_codes to Error. mode trackonly/excludeonly needs a
 *    non-empty track list; an Error anomaly in mode all takes no track_codes
 *    (they would be ignored); thresholds in track_commands have no meaning
 *    with mode excludeonly and are refused there. actions default to none and
 *    must each be in watcher.actions; watcher.actions defaults to every known
 *    QuickAction and may only name known ones (config_action_known).
 *    Duplicates in any list are refused.
 */
#ifndef AOD_CONFIG_H
#define AOD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AOD_DEFAULT_CONFIG "/etc/aodv2/aodv2.yaml"
#define AOD_DEFAULT_DROPIN_DIR "/etc/aodv2.d"
#define CONFIG_METRICS_TEXTFILE_DEFAULT "/var/lib/prometheus/node-exporter/aodv2.prom"
#define AOD_EX_CONFIG 78 /* sysexits EX_CONFIG: bad configuration */
/* A confined worker that applied a config moving its file rules' paths
 * exits with this (sysexits EX_TEMPFAIL) to be restarted with new rules. */
#define AOD_EX_NEW_RULES 75

enum aod_anomaly_type { AOD_TYPE_LATENCY = 1, AOD_TYPE_ERROR = 2 };
enum aod_tool { AOD_TOOL_SMBSLOWER = 1, AOD_TOOL_SMBIOSNOOP = 2 };
enum aod_mode { AOD_MODE_ALL = 1, AOD_MODE_TRACKONLY = 2, AOD_MODE_EXCLUDEONLY = 3 };
/* What one anomaly judges together: the whole host, each server, each share. */
enum aod_scope { AOD_SCOPE_HOST = 1, AOD_SCOPE_SERVER = 2, AOD_SCOPE_SHARE = 3 };

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
	enum aod_scope scope;             /* default host */
};

/* watcher.flight_recorder: what a collection holds from before its trigger
 * (the recorder's rings) and the snapshots taken at the trigger and the end.
 * Ranges: pre_sec 1..300, post_sec 0..300 (below action_timeout_sec),
 * cifs_trace_buffer_kb 64..262144, packet_snaplen 64..65535, packet_file_mb
 * 1..256, packet_files 2..64.
 * cifs_trace_events are globs of cifs event names (1..63 of A-Z a-z 0-9 _
 * and the glob characters * ? [ ] -), packet_filter a pcap filter of 1..255
 * printable characters not starting with '-'. */
struct aod_recorder_cfg {
	uint32_t pre_sec;                 /* default 10 */
	uint32_t post_sec;                /* default 2 */
	bool events;                      /* events.csv.zst; default true */
	bool snapshots;                   /* stats.txt.zst, tcp.txt.zst; default true */
	bool cifs_trace;                  /* the tracefs ring; default true */
	uint32_t cifs_trace_buffer_kb;    /* per CPU; default 1024 */
	char **cifs_trace_events;         /* default ["*"] */
	unsigned n_cifs_trace_events;
	bool packets;                     /* the capture ring; default true */
	char *packet_filter;              /* default "port 445" */
	uint32_t packet_snaplen;          /* default 512 */
	uint32_t packet_file_mb;          /* default 4 (MB of 10^6 bytes) */
	uint32_t packet_files;            /* default 4 */
};

struct aod_config {
	double watch_interval_sec;        /* default 1, range [0.05, 3600] */
	char *output_dir;                 /* aod_output_dir, default /var/log/aodv2 */
	uint32_t ring_capacity_events;    /* default 65536 */
	uint32_t shutdown_timeout_sec;    /* default 10 */
	char *control_socket;             /* default /run/aodv2/aodv2.sock */
	char *service_user;               /* default aodv2 */
	bool collect_on_shutdown;         /* one Manual collection at stop, default false */

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
	struct aod_recorder_cfg recorder; /* watcher.flight_recorder */

	/* cleanup */
	uint32_t cleanup_interval_sec;    /* default 60 */
	double max_log_age_days;          /* default 2 */
	double max_total_log_size_mb;     /* default 512 */

	bool audit_enabled;               /* audit.enabled, default false */

	/* metrics: the Prometheus text file the supervisor rewrites */
	char *metrics_textfile;           /* default CONFIG_METRICS_TEXTFILE_DEFAULT; "" (written
					   * "none" in YAML): off */
	uint32_t metrics_interval_sec;    /* default 15, range [1, 3600] */
	bool metrics_in_kernel;           /* default true: the probes count every request */

	char **files;                     /* files merged, in order (base first) */
	unsigned n_files;
};

struct config_errors {
	char **lines; /* "file:line: reason" (line omitted when unknown) */
	unsigned n;
};

/* Loads base (required) and every *.yaml in dropin_dir (a missing dir is
 * fine; NULL skips drop-ins). Returns 0, -EINVAL (bad config), -ENOMEM, or
 * -errno when a file or the directory cannot be read; on every failure errs
 * has at least one line saying why. */
int config_load(const char *base, const char *dropin_dir, struct aod_config **out,
		struct config_errors *errs);
/* Loads one YAML document from memory; name is used in error lines. */
int config_load_text(const char *text, size_t len, const char *name, struct aod_config **out,
		     struct config_errors *errs);
/* The effective config as YAML (malloc'd, NUL-terminated) or NULL on ENOMEM. */
char *config_dump(const struct aod_config *cfg);
void config_free(struct aod_config *cfg);
void config_errors_free(struct config_errors *errs);

/* True when any part of the flight recorder is on. */
bool config_recorder_armed(const struct aod_config *cfg);
/* The packet ring's bound on disk, in bytes (0 when it is off). */
uint64_t config_recorder_ring_bytes(const struct aod_config *cfg);

/* Lookups. */
const struct aod_anomaly_cfg *config_anomaly(const struct aod_config *cfg, const char *name);
bool config_has_action(const struct aod_config *cfg, const char *action);

/* True when every setting is the same (files, the provenance, is ignored):
 * a reload with an equal config changes nothing. */
bool config_equal(const struct aod_config *a, const struct aod_config *b);
/* The QuickActions watcher.actions may name (tcpdump dmesg journalctl
 * debugdata stats mounts smbinfo syslogs). */
bool config_action_known(const char *name);
/* Iteration over those names: index 0.. until NULL. */
const char *config_action_name_at(unsigned idx);
/* "Latency"/"Error", "smbslower"/"smbiosnoop", "all"/"trackonly"/"excludeonly";
 * NULL for a value outside the enum. */
const char *config_type_name(enum aod_anomaly_type type);
const char *config_tool_name(enum aod_tool tool);
const char *config_mode_name(enum aod_mode mode);
/* "host"/"server"/"share"; NULL outside the enum. */
const char *config_scope_name(enum aod_scope scope);

#endif
