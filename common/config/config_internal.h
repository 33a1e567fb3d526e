/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside the config module. A file is loaded into a "layer": an overlay whose
 * every field is an optional pointer (NULL = this file does not set it), with
 * scalars kept as text so the strict parsers see exactly what was written.
 * libcyaml loads the fixed part of the schema; a libyaml pass walks the same
 * schema to report every structural problem with its line (libcyaml stops at
 * the first and rarely knows the line), records where each value was written
 * (its "origin"), and reads guardian.anomalies, whose keys are user chosen.
 * A file with structural errors keeps the walk's partial overlay so that its
 * bad values are reported too; only clean files are merged.
 * Layers are merged in order, converted to struct aod_config, defaulted and
 * cross-checked; the origins let every error name the file and line that set
 * the value.
 */
#ifndef AOD_CONFIG_INTERNAL_H
#define AOD_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cyaml/cyaml.h>
#include <yaml.h>

#include "config.h"

#define CFG_MAX_FILE_SIZE (1u << 20) /* a config file larger than this is refused */
#define CFG_MAX_ERRORS 100           /* then "too many errors" */
/* Bounds that keep loading linear and short (see aodv2.yaml(5), LIMITS). */
#define CFG_MAX_DEPTH 16             /* nesting of mappings and lists in one file */
#define CFG_MAX_NODES 20000          /* values (scalars, lists, mappings) in one file */
#define CFG_MAX_LIST_ITEMS 256       /* items in one list */
#define CFG_MAX_DROPINS 256          /* *.yaml files in the drop-in directory */
#define CFG_MAX_TOTAL_SIZE (1u << 20) /* bytes of all files together */
#define CFG_ERRNO_MAX 1024           /* above every errno value smb_tables names */
#define CFG_ANOMALY_NAME_MAX 63      /* PROTO_NAME_LEN - 1 */

/* ---- overlay (libcyaml layout; members after the schema ones are ours) ---- */

struct ov_track_command {
	char *command;
	char *threshold;
};

struct ov_anomaly {
	char *type, *tool, *mode;
	char *acceptable_count, *default_threshold_ms, *emergency_threshold_ms, *cooldown_sec;
	char *scope;
	struct ov_track_command *track_commands;
	unsigned track_commands_count;
	char **track_codes;
	unsigned track_codes_count;
	char **actions;
	unsigned actions_count;
	/* not in the schema: a list given (even empty) replaces the list */
	bool track_commands_set, track_codes_set, actions_set;
};

struct ov_recorder {
	char *pre_sec, *post_sec, *events, *snapshots, *cifs_trace, *cifs_trace_buffer_kb;
	char **cifs_trace_events;
	unsigned cifs_trace_events_count;
	char *packets, *packet_filter, *packet_snaplen, *packet_file_mb, *packet_files;
	bool cifs_trace_events_set; /* not in the schema */
};

struct ov_watcher {
	char **actions;
	unsigned actions_count;
	char *max_concurrent_tasks, *action_timeout_sec, *compression_level;
	char *journal_minutes, *tcpdump_duration_sec, *tcpdump_max_mb;
	struct ov_recorder *flight_recorder;
	bool actions_set; /* not in the schema */
};

struct ov_cleanup {
	char *cleanup_interval_sec, *max_log_age_days, *max_total_log_size_mb;
};

struct ov_audit {
	char *enabled;
};

struct ov_metrics {
	char *textfile, *interval_sec, *in_kernel;
};

struct ov_top {
	char *watch_interval_sec, *aod_output_dir, *ring_capacity_events;
	char *shutdown_timeout_sec, *control_socket, *service_user;
	char *collect_on_shutdown;
	struct ov_watcher *watcher;
	struct ov_cleanup *cleanup;
	struct ov_audit *audit;
	struct ov_metrics *metrics;
};

struct ov_named_anomaly {
	char *name;
	struct ov_anomaly a;
};

/* One file, or the merge of all of them. */
struct cfg_layer {
	struct ov_top *top; /* NULL when nothing outside guardian is set */
	struct ov_named_anomaly *anomalies;
	unsigned n_anomalies;
	bool ok;            /* no structural error: may be merged */
};

/* config_schema.c */
extern const cyaml_schema_value_t cfg_top_schema;     /* libcyaml; guardian ignored */
extern const cyaml_schema_field_t cfg_top_fields[];
extern const cyaml_schema_field_t cfg_guardian_fields[]; /* walk only */
extern const cyaml_schema_field_t cfg_anomaly_fields[];  /* walk + fill */
void cfg_cyaml_config(cyaml_config_t *c, cyaml_log_fn_t log_fn, void *log_ctx);
void cfg_layer_clear(struct cfg_layer *l);
void cfg_layer_clear_top(struct cfg_layer *l);
void cfg_ov_anomaly_clear(struct ov_anomaly *a);
void cfg_strv_free(char **v, unsigned n);

/* ---- errors and origins: config_errors.c ---- */

struct cfg_origin {
	char *path;     /* "watcher.actions[2]", "guardian.anomalies.latency.type" */
	unsigned layer;
	unsigned line;  /* 1-based */
	unsigned older; /* 1 + index of the previous origin in its hash bucket; 0: none */
};

struct cfg_ctx {
	struct config_errors *errs;
	char **files;   /* layer index -> name used in messages */
	unsigned n_files;
	struct cfg_origin *origins;
	unsigned n_origins, cap_origins;
	unsigned *origin_heads; /* hash bucket -> 1 + index of its newest origin */
	unsigned n_heads;       /* a power of two, >= 2 * n_origins */
	size_t total_size;      /* bytes of the files read so far */
	unsigned errs_base; /* errs->n on entry: the caller's lines are not ours */
	uint64_t *err_keys; /* per line of ours: (file, line), for sorting */
	bool oom;       /* an allocation failed: the result is -ENOMEM */
};

#define CFG_ALL_LAYERS (~0u)

void cfg_ctx_free(struct cfg_ctx *ctx);
int cfg_ctx_add_file(struct cfg_ctx *ctx, const char *name); /* returns its layer index */
unsigned cfg_nerrors(const struct cfg_ctx *ctx);
/* Orders our error lines by file (load order), then line. */
void cfg_errors_sort(struct cfg_ctx *ctx);
void cfg_err_at(struct cfg_ctx *ctx, unsigned layer, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* An error about something that is not a loaded file (the drop-in dir). */
void cfg_err_name(struct cfg_ctx *ctx, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The error names the origin of path: the last layer <= upto that set it. */
void cfg_err_path(struct cfg_ctx *ctx, unsigned upto, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Same, but the first layer that set path (where an anomaly was declared). */
void cfg_err_first(struct cfg_ctx *ctx, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cfg_origin_add(struct cfg_ctx *ctx, unsigned layer, const char *path, unsigned line);
bool cfg_origin_in_layer(const struct cfg_ctx *ctx, unsigned layer, const char *path);
/* The last layer <= upto that set path, or NULL. */
const struct cfg_origin *cfg_origin_find(const struct cfg_ctx *ctx, unsigned upto,
				       const char *path);
/* snprintf for paths (a wrapper: GCC cannot see that paths are bounded). */
void cfg_pathf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Printable, bounded copy of user text for messages. */
const char *cfg_quote(const char *text, char *buf, size_t size);

/* ---- the libyaml pass: config_yaml.c ---- */

/* Parses text, checks it against the schema, records origins and fills
 * layer with what is valid. Returns 1 when the file is clean and sets
 * something (libcyaml should load it), 0 when it is empty, -EINVAL on errors
 * (reported), -ENOMEM. */
int cfg_yaml_pass(struct cfg_ctx *ctx, unsigned layer_idx, const char *text, size_t len,
		  struct cfg_layer *layer);

/* ---- scalars: config_scalar.c ---- */

/* Each returns 0, or -EINVAL with *why set to a static reason. */
int cfg_parse_u32(const char *text, uint32_t min, uint32_t max, uint32_t *out, const char **why);
int cfg_parse_double(const char *text, double min, double max, double *out, const char **why);
int cfg_parse_bool(const char *text, bool *out, const char **why);
int cfg_parse_abspath(const char *text, size_t max_len, const char **why);
int cfg_parse_user(const char *text, const char **why);
bool cfg_anomaly_name_valid(const char *name);
int cfg_type_from_name(const char *name);
int cfg_tool_from_name(const char *name);
int cfg_mode_from_name(const char *name);
int cfg_scope_from_name(const char *name);

/* ---- the scalar table: config_rules.c ---- */

enum cfg_kind {
	CFG_U32, CFG_DOUBLE, CFG_BOOL, CFG_ABSPATH, CFG_SOCKPATH, CFG_USER, CFG_TEXTFILE,
	CFG_TYPE, CFG_TOOL, CFG_MODE, CFG_SCOPE, CFG_FILTER,
};
enum cfg_section { SEC_TOP, SEC_WATCHER, SEC_CLEANUP, SEC_AUDIT, SEC_METRICS, SEC_ANOMALY, SEC_RECORDER };

struct cfg_rule {
	const char *key;          /* path below the section */
	enum cfg_section sec;
	size_t ov_off;            /* char * in the overlay struct of sec */
	size_t cfg_off;           /* field in aod_config / aod_anomaly_cfg */
	enum cfg_kind kind;
	double min, max;
	double def;               /* numbers and booleans */
	const char *def_str;      /* strings */
	bool latency_only;        /* anomaly: defaulted only for Latency */
	bool no_default;          /* anomaly: type and tool are defaulted elsewhere */
};

extern const struct cfg_rule cfg_rules[];
extern const unsigned cfg_n_rules;
/* The overlay text a rule reads (NULL when not set). */
const char *cfg_rule_text(const struct cfg_rule *r, const struct ov_top *top,
			  const struct ov_anomaly *a);
/* Where that text pointer lives (NULL when its section is absent). */
char **cfg_rule_slot(const struct cfg_rule *r, struct ov_top *top, struct ov_anomaly *a);
/* "watcher." etc. for building paths. */
const char *cfg_section_prefix(enum cfg_section sec);

/* ---- watcher.flight_recorder: config_recorder.c ---- */

extern const cyaml_schema_field_t cfg_recorder_fields[];
int cfg_parse_filter(const char *text, const char **why);
/* Marks the trace event list given in layer idx (a list replaces). */
int cfg_recorder_mark_lists(struct cfg_ctx *ctx, unsigned idx, struct cfg_layer *layer);
/* Moves the list src gives onto dst (merge). */
void cfg_recorder_merge(struct ov_recorder *dst, struct ov_recorder *src);
int cfg_recorder_convert(struct cfg_ctx *ctx, unsigned upto, const struct ov_top *top,
			 struct aod_config *cfg);
int cfg_recorder_defaults(struct aod_config *cfg, const struct ov_top *merged);
void cfg_recorder_validate(struct cfg_ctx *ctx, const struct aod_config *cfg);
void cfg_recorder_dump(FILE *f, const struct aod_recorder_cfg *r);
/* A double-quoted YAML scalar (config_dump.c). */
void cfg_put_str(FILE *f, const char *s);
bool cfg_recorder_equal(const struct aod_recorder_cfg *a, const struct aod_recorder_cfg *b);
void cfg_recorder_free(struct aod_recorder_cfg *r);

/* ---- conversion, merge, defaults, validation ---- */

/* Overlay -> config values; reports bad values at their origins (layers up
 * to upto). Absent values are left as they are in cfg. */
int cfg_convert(struct cfg_ctx *ctx, unsigned upto, const struct cfg_layer *l,
		struct aod_config *cfg);
/* Moves what src sets onto dst (dst owns it afterwards). */
int cfg_merge(struct cfg_layer *dst, struct cfg_layer *src);
int cfg_defaults_apply(struct aod_config *cfg, const struct cfg_layer *merged);
void cfg_validate(struct cfg_ctx *ctx, const struct aod_config *cfg,
		  const struct cfg_layer *merged);
/* Builds the config from loaded layers: per-file checks, merge, convert,
 * defaults, cross-checks. Consumes layers. */
int cfg_build(struct cfg_ctx *ctx, struct cfg_layer *layers, unsigned n,
	      struct aod_config **out);
/* Texts merged in order as if they were files (config_load_text is n = 1;
 * the fuzz target merges several). */
int cfg_load_texts(const char *const *texts, const size_t *lens, const char *const *names,
		   unsigned n, struct aod_config **out, struct config_errors *errs);
/* One text into layer (both passes). Returns 0 or -EINVAL/-ENOMEM. */
int cfg_layer_load(struct cfg_ctx *ctx, unsigned layer_idx, const char *text, size_t len,
		   struct cfg_layer *layer);

#endif
