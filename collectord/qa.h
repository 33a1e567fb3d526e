/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QuickActions: the diagnostics collectord gathers for an anomaly, one per
 * config name (dmesg, journalctl, debugdata, stats, mounts, smbinfo, syslogs,
 * tcpdump), each in its own qa_<name>.c.
 *
 * An action is planned right before it starts: qa->plan() looks at this
 * machine now and either says why the action is not available here (a
 * missing program or file, recorded in the manifest, not a failure) or fills
 * a struct qa_plan. A plan is one of:
 *  - QA_PROGRAM: a helper program, exec'd directly from its absolute path
 *    with argv (never a shell);
 *  - QA_BUILTIN: a function that runs in a forked child and writes to its
 *    stdout (copying /proc and /var/log files, or running a helper per mount),
 *    so a slow file never blocks collectord's event loop.
 * Either way the output goes through a pipe into <name>.<ext>.zst.
 *
 * Where programs and files are looked up is a struct qa_env the caller
 * passes: aodv2-collectord always uses qa_env_default() (fixed system
 * directories, the real root); only the test programs, which link this code
 * as a library, point it at fake programs and files. Nothing in the
 * environment or on the command line can steer the installed binary.
 */
#ifndef AOD_QA_H
#define AOD_QA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "writeall.h"

#define QA_SYSTEM_PATH "/usr/sbin:/usr/bin:/sbin:/bin"
#define QA_MAX_ARGS 40
#define QA_MAX_INPUTS 32
#define QA_STR_SPACE 8192
/* How much of a syslog file the syslogs action (and journalctl without
 * journald) keeps: its last bytes, from a line start. */
#define QA_SYSLOG_TAIL_BYTES (4u << 20)
/* tcpdump's snapshot length: Ethernet/SLL + IP + TCP + NetBIOS + the SMB2
 * header and the start of the command body. */
#define QA_TCPDUMP_SNAPLEN 512

struct qa_env {
	const char *bin_path; /* ':'-separated directories searched for helpers */
	const char *root;     /* prefix of the files builtins read; "" = / */
};

/* What the config says, copied when the anomaly arrives. */
struct qa_params {
	uint32_t journal_minutes;
	uint32_t tcpdump_duration_sec;
	uint32_t tcpdump_max_mb;
	/* the flight recorder (watcher.flight_recorder) */
	uint64_t trigger_wall_ns;   /* the anomaly's timestamp_ns */
	uint64_t grid_mono_ns;      /* a start of the anomaly's windows, CLOCK_MONOTONIC (0: none) */
	uint32_t pre_sec, post_sec;
	int64_t mono_to_wall_ns;    /* the supervisor's, sent with the events */
	uint64_t events_from_ns, events_to_ns; /* the events window asked for */
	struct {                    /* the cifs trace's window (wall clock), sent with its fd */
		uint64_t from_ns, to_ns;
		int64_t mono_to_wall_ns;
	} trace;
	uint32_t inputs;            /* bit per PROTO_REC_* input received */
	const char *blocked_text;   /* blocked_tasks: the supervisor's snapshot (NULL: none) */
	size_t blocked_len;
};

enum qa_kind { QA_PROGRAM = 1, QA_BUILTIN = 2 };

struct qa_plan;
typedef int (*qa_builtin_fn)(const struct qa_plan *plan, int out);

struct qa_plan {
	const char *unavailable; /* set: why the action cannot run on this machine */
	enum qa_kind kind;
	/* QA_PROGRAM: the argv exec'd (argv[0] the program's name) and its
	 * absolute path. QA_BUILTIN: what it does, one line each, for the
	 * manifest's "command". */
	char *argv[QA_MAX_ARGS + 1];
	unsigned argc;
	char *path;
	/* QA_BUILTIN: the function and its inputs (file or mount paths). */
	qa_builtin_fn run;
	char *inputs[QA_MAX_INPUTS + 1];
	unsigned ninputs;
	char *note;              /* said in the manifest when set (a fallback taken) */
	uint32_t soft_stop_sec;  /* SIGTERM the program after this long (0: never) */
	/* Set: the soft stop waits until the program wrote this on stderr (it
	 * then handles SIGTERM; earlier the signal would kill it outright and
	 * leave nothing). action_timeout_sec still bounds the wait. */
	const char *ready_marker;
	uint64_t max_bytes;      /* keep at most this much output (0: no cap) */
	/* Flight recorder inputs: the fd the child gets as stdin (-1: /dev/null),
	 * the window a builtin keeps (wall-clock ns) and the clock offset. */
	int stdin_fd;
	uint64_t from_ns, to_ns;
	int64_t mono_to_wall_ns;
	uint64_t grid_mono_ns;   /* events: qa_params' */
	const char *blob;        /* QA_BUILTIN output given in memory (blocked_tasks) */
	size_t blob_len;
	int err;                 /* first error while filling (e.g. -E2BIG) */
	size_t used;
	char space[QA_STR_SPACE];
};

struct quickaction {
	const char *name;
	const char *ext; /* "txt" or "pcap": output is <name>.<ext>.zst */
	/* The flight recorder's parts (flightrec.h) also say: */
	const char *file; /* output <file>.<ext>.zst instead of <name>'s */
	bool append;      /* add a zstd frame to that file (made by an earlier part) */
	bool last;        /* starts once every other part of the collection ended */
	int input;        /* PROTO_REC_* whose fd is its stdin (0: none) */
	bool recorder;    /* a part of the flight recorder: its manifest entry says what it covers */
	void (*plan)(const struct qa_env *env, const struct qa_params *params,
		     struct qa_plan *plan);
};

/* The action called name, or NULL. */
const struct quickaction *qa_find(const char *name);
/* Index-based iteration for tests and listings; NULL past the end. */
const struct quickaction *qa_at(unsigned idx);
/* The environment of the installed daemon. */
struct qa_env qa_env_default(void);
/* Plans action qa into plan (which is reset first). plan->err != 0 when
 * planning itself failed (argument space exhausted). */
void qa_make_plan(const struct quickaction *qa, const struct qa_env *env,
		  const struct qa_params *params, struct qa_plan *plan);

/* Helpers for the qa_*.c files. */
/* Copies a formatted string into the plan and returns it (NULL on overflow,
 * recorded in plan->err). */
char *qa_str(struct qa_plan *plan, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void qa_arg(struct qa_plan *plan, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void qa_input(struct qa_plan *plan, const char *path);
/* Finds program name in env->bin_path; sets plan->path and argv[0], or
 * plan->unavailable. Returns true when found. */
bool qa_program(struct qa_plan *plan, const struct qa_env *env, const char *name);
/* env->root + path, stored in the plan (NULL on overflow). */
char *qa_rooted(struct qa_plan *plan, const struct qa_env *env, const char *path);
bool qa_file_exists(const char *path);
void qa_unavailable(struct qa_plan *plan, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Builtin bodies shared by several actions (qa_files.c). They run in the
 * forked child and return 0 or -errno; whole buffers go out through
 * writeall_fd (writeall.h). */
int qa_copy_file(const char *path, int out);   /* whole file */
int qa_copy_tail(const char *path, uint64_t max_bytes, int out);
int qa_write_str(int fd, const char *s);
/* Writes "==> path <==\n" headers between files, like tail(1). */
int qa_copy_inputs(const struct qa_plan *plan, int out);
/* The first of candidates (rooted) that exists, or NULL. */
char *qa_first_existing(struct qa_plan *plan, const struct qa_env *env, const char *const *candidates);
/* Mount table filters (qa_mounts.c): true for cifs and smb3 lines. */
bool qa_mounts_line_is_smb(const char *line);
bool qa_mountinfo_line_is_smb(const char *line);
/* Calls fn with each cifs/smb3 mount point of a /proc/mounts file (unescaped);
 * returns how many, or -errno. */
int qa_smb_mount_points(const char *proc_mounts, void (*fn)(void *arg, const char *mnt),
			void *arg);
/* The environment every helper program gets: PATH=QA_SYSTEM_PATH, LANG=C. */
extern char *const qa_clean_env[];
/* Plans the syslog tail (shared by syslogs and journalctl without journald). */
void qa_plan_syslog_tail(const struct qa_env *env, struct qa_plan *plan);

#endif
