// SPDX-License-Identifier: GPL-2.0-only
#include "manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "aod_build.h"
#include "clock.h"
#include "smb_tables.h"

static void manifest_ms(struct json *j, const char *key, uint64_t ns)
{
	json_key(j, key);
	json_fixed(j, ns / 1000, 3);
}

static void manifest_time(struct json *j, uint64_t ts_ns)
{
	time_t secs = (time_t)(ts_ns / 1000000000u);
	struct tm tm;
	char buf[64];
	if (!gmtime_r(&secs, &tm)) {
		json_null(j);
		return;
	}
	size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%09" PRIu64 "Z", ts_ns % 1000000000u);
	json_str(j, buf);
}

static void manifest_command_name(struct json *j, unsigned cmd)
{
	const char *name = smb2_command_name((int)cmd);
	char buf[16];
	if (!name) {
		snprintf(buf, sizeof(buf), "0x%02x", cmd);
		name = buf;
	}
	json_str(j, name);
}

static void manifest_errno(struct json *j, int err)
{
	const char *name = errno_name(err);
	if (name)
		json_str(j, name);
	else
		json_i64(j, err);
}

static void manifest_hex(struct json *j, uint64_t v, int width)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "0x%0*" PRIx64, width, v);
	json_str(j, buf);
}

/* Per command: the count, and for Latency windows the latency figures (the
 * Error handler measures none, so none are written rather than zeros). */
static void manifest_commands(struct json *j, const struct proto_anomaly *a)
{
	bool latency = a->type == PROTO_ANOMALY_LATENCY;

	json_key(j, "commands");
	json_arr_begin(j);
	for (unsigned c = 0; c < PROTO_SUMMARY_CMDS; c++) {
		const struct proto_cmd_stat *s = &a->cmds[c];
		if (s->count == 0)
			continue;
		json_obj_begin(j);
		json_key(j, "command");
		manifest_command_name(j, c);
		json_kv_u64(j, "count", s->count);
		if (latency) {
			manifest_ms(j, "p50_ms", s->p50_ns);
			manifest_ms(j, "p99_ms", s->p99_ns);
			manifest_ms(j, "max_ms", s->max_ns);
		}
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void manifest_errnos(struct json *j, const struct proto_anomaly *a)
{
	json_key(j, "errors");
	json_arr_begin(j);
	for (unsigned i = 0; i < a->n_errnos; i++) {
		json_obj_begin(j);
		json_key(j, "errno");
		manifest_errno(j, a->errnos[i].err);
		json_kv_i64(j, "value", a->errnos[i].err);
		json_kv_u64(j, "count", a->errnos[i].count);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void manifest_worst(struct json *j, const struct proto_anomaly *a)
{
	json_key(j, "worst");
	json_arr_begin(j);
	for (unsigned i = 0; i < a->n_worst; i++) {
		const struct proto_worst *w = &a->worst[i];
		json_obj_begin(j);
		json_key(j, "command");
		manifest_command_name(j, w->command);
		if (w->in_flight) {
			/* still waiting: no latency yet, only how long so far */
			json_kv_bool(j, "in_flight", true);
			manifest_ms(j, "waited_ms", w->latency_ns);
		} else {
			manifest_ms(j, "latency_ms", w->latency_ns);
		}
		json_key(j, "errno");
		if (w->err)
			manifest_errno(j, w->err);
		else
			json_null(j);
		json_key(j, "nt_status");
		manifest_hex(j, w->nt_status, 8);
		json_key(j, "session_id");
		manifest_hex(j, w->session_id, 16);
		json_kv_u64(j, "tree_id", w->tree_id);
		json_kv_u64(j, "pid", w->pid);
		json_key(j, "comm");
		json_strn(j, w->comm, strnlen(w->comm, sizeof(w->comm)));
		json_key(j, "server");
		json_strn(j, w->server, strnlen(w->server, sizeof(w->server)));
		json_key(j, "address");
		json_strn(j, w->address, strnlen(w->address, sizeof(w->address)));
		json_key(j, "share");
		json_strn(j, w->share, strnlen(w->share, sizeof(w->share)));
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* What the anomaly judged together; a server or share scope names it ("" when
 * the requests' share was not known; other: past the tracked ones). */
static void manifest_scope(struct json *j, const struct proto_anomaly *a)
{
	const char *scope = a->scope == PROTO_SCOPE_SERVER ? "server"
			    : a->scope == PROTO_SCOPE_SHARE ? "share" : "host";

	json_kv_str(j, "scope", scope);
	if (a->scope != PROTO_SCOPE_SERVER && a->scope != PROTO_SCOPE_SHARE)
		return;
	json_key(j, "server");
	json_strn(j, a->server, strnlen(a->server, sizeof(a->server)));
	json_key(j, "share");
	json_strn(j, a->share, strnlen(a->share, sizeof(a->share)));
	json_kv_bool(j, "scope_other", a->scope_other != 0);
}

static void manifest_anomaly(struct json *j, const struct proto_anomaly *a)
{
	json_key(j, "anomaly");
	json_obj_begin(j);
	json_kv_str(j, "name", a->name);
	json_kv_str(j, "type", proto_anomaly_type_name(a->type));
	json_kv_bool(j, "emergency", a->emergency != 0);
	manifest_scope(j, a);
	json_kv_u64(j, "timestamp_ns", a->timestamp_ns);
	json_key(j, "time");
	manifest_time(j, a->timestamp_ns);
	json_key(j, "summary");
	json_obj_begin(j);
	json_kv_u64(j, "interval_start_ns", a->interval_start_ns);
	json_kv_u64(j, "interval_end_ns", a->interval_end_ns);
	json_kv_u64(j, "events_judged", a->events_judged);
	json_kv_u64(j, "violations", a->violations);
	json_kv_u64(j, "acceptable_count", a->acceptable_count);
	if (a->type == PROTO_ANOMALY_LATENCY)
		json_kv_u64(j, "in_flight", a->in_flight);
	manifest_commands(j, a);
	manifest_errnos(j, a);
	manifest_worst(j, a);
	json_obj_end(j);
	json_obj_end(j);
}

static void manifest_command(struct json *j, const struct qa_plan *p)
{
	json_kv_str(j, "kind", p->kind == QA_PROGRAM ? "program" : "builtin");
	json_key(j, "command");
	json_arr_begin(j);
	if (p->kind == QA_PROGRAM)
		json_str(j, p->path);
	for (unsigned i = p->kind == QA_PROGRAM ? 1 : 0; i < p->argc; i++)
		json_str(j, p->argv[i]);
	json_arr_end(j);
	if (p->note)
		json_kv_str(j, "note", p->note);
}

static void manifest_run(struct json *j, const struct collection *col,
			 const struct action_result *r)
{
	if (r->output[0])
		json_kv_str(j, "output", r->output);
	if (r->exit_code >= 0)
		json_kv_i64(j, "exit_status", r->exit_code);
	if (r->term_signal > 0) {
		const char *abbrev = sigabbrev_np(r->term_signal);
		char name[32];
		snprintf(name, sizeof(name), "SIG%s", abbrev ? abbrev : "?");
		json_kv_str(j, "signal", name);
	}
	manifest_ms(j, "started_after_ms", r->start_ns - col->received_ns);
	manifest_ms(j, "duration_ms", r->end_ns - r->start_ns);
	json_kv_u64(j, "bytes", r->raw_bytes);
	json_kv_u64(j, "bytes_compressed", r->zst_bytes);
	if (r->stopped)
		json_kv_bool(j, "stopped_at_duration", true);
	if (r->truncated)
		json_kv_bool(j, "truncated", true);
}

/* A flight recorder part: the wall-clock span its output covers (what the
 * part reported, else when it ran). */
static void manifest_covers(struct json *j, const struct action_result *r)
{
	uint64_t from = r->span_from_ns, to = r->span_to_ns;
	if (!from && r->start_ns && r->end_ns) {
		uint64_t off = clock_wall_ns() - clock_mono_ns();
		from = r->start_ns + off;
		to = r->end_ns + off;
	}
	if (!from)
		return;
	json_key(j, "covers");
	json_obj_begin(j);
	json_key(j, "from");
	manifest_time(j, from);
	json_key(j, "to");
	manifest_time(j, to);
	json_kv_u64(j, "from_ns", from);
	json_kv_u64(j, "to_ns", to);
	json_obj_end(j);
}

static void manifest_action(struct json *j, const struct collection *col,
			    const struct action_result *r)
{
	json_obj_begin(j);
	json_kv_str(j, "name", r->name);
	json_kv_str(j, "status", result_state_name(r->state));
	if (r->state == RES_NOT_AVAILABLE || r->state == RES_NOT_RUN) {
		json_kv_str(j, "reason", r->error);
		json_obj_end(j);
		return;
	}
	if (r->plan && !r->plan->err)
		manifest_command(j, r->plan);
	if (r->start_ns && r->end_ns)
		manifest_run(j, col, r);
	if (r->qa && r->qa->recorder && r->state == RES_OK)
		manifest_covers(j, r);
	if (r->error[0])
		json_kv_str(j, "error", r->error);
	if (r->stderr_len) {
		json_key(j, "stderr");
		json_strn(j, r->stderr_tail, r->stderr_len);
	}
	json_obj_end(j);
}

static void manifest_head(struct json *j, const struct collection *col, const char *status,
			  const char *error)
{
	char host[256] = "";
	struct utsname uts;
	if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "unknown");
	if (uname(&uts) != 0)
		snprintf(uts.release, sizeof(uts.release), "unknown");

	json_obj_begin(j);
	json_kv_str(j, "aodv2_version", AOD_VERSION);
	json_kv_str(j, "hostname", host);
	json_kv_str(j, "kernel_release", uts.release);
	json_kv_str(j, "collection", col->name);
	json_kv_str(j, "status", status);
	if (error)
		json_kv_str(j, "error", error);
	manifest_ms(j, "duration_ms", col->finished_ns - col->received_ns);
	manifest_anomaly(j, &col->anomaly);
}

void manifest_build(struct json *j, const struct collection *col)
{
	manifest_head(j, col, col->status ? "failed" : "complete", col->status ? col->error : NULL);
	json_key(j, "actions");
	json_arr_begin(j);
	for (unsigned i = 0; i < col->n; i++)
		manifest_action(j, col, &col->res[i]);
	json_arr_end(j);
	json_obj_end(j);
}

/* What is left when the disk has no room for the whole manifest: the head
 * (within MANIFEST_RESERVE_BASE: the anomaly's worst list is bounded). */
static void manifest_build_short(struct json *j, const struct collection *col, int err)
{
	char why[400];
	if (col->status)
		snprintf(why, sizeof(why), "%s; no room for the manifest's action list (%s)",
			 col->error, strerror(-err));
	else
		snprintf(why, sizeof(why), "no room for the manifest's action list (%s)",
			 strerror(-err));
	manifest_head(j, col, "failed", why);
	json_obj_end(j);
}

/* Room reserved per collection: the summary, plus per action its argv,
 * error and escaped stderr tail with room to spare. */
#define MANIFEST_RESERVE_BASE (16u * 1024u)
#define MANIFEST_RESERVE_ACTION (8u * 1024u)

int manifest_reserve(const struct collection *col, int dirfd)
{
	int fd = openat(dirfd, MANIFEST_TMP, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
			0640);
	if (fd < 0)
		return -errno;
	off_t room = MANIFEST_RESERVE_BASE + (off_t)col->n * MANIFEST_RESERVE_ACTION;
	int rc = posix_fallocate(fd, 0, room);
	if (rc == ENOSPC || rc == EDQUOT) {
		/* not all of it: the summary alone still makes a manifest */
		rc = posix_fallocate(fd, 0, MANIFEST_RESERVE_BASE);
	}
	if (rc != 0 && rc != EOPNOTSUPP && rc != EINVAL) {
		close(fd);
		unlinkat(dirfd, MANIFEST_TMP, 0);
		return -rc;
	}
	return fd;
}

/* Replaces fd's content with text: written from 0, cut to len, synced. */
static int manifest_put(int fd, const char *text, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = pwrite(fd, text + off, len - off, (off_t)off);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			off += (size_t)n;
	}
	if (ftruncate(fd, (off_t)len) != 0 || fsync(fd) != 0)
		return -errno;
	return 0;
}

static int manifest_put_json(int fd, const struct collection *col, int short_err)
{
	struct json j;
	const char *text;
	size_t len;

	json_init(&j, true);
	if (short_err)
		manifest_build_short(&j, col, short_err);
	else
		manifest_build(&j, col);
	int rc = json_finish(&j, &text, &len);
	if (rc == 0)
		rc = manifest_put(fd, text, len);
	json_free(&j);
	return rc;
}

int manifest_write(const struct collection *col, int dirfd, int fd)
{
	bool own = fd < 0;
	if (own) {
		fd = openat(dirfd, MANIFEST_TMP, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
			    0640);
		if (fd < 0)
			return -errno;
	}
	int rc = manifest_put_json(fd, col, 0), result = 0;
	if (rc == -ENOSPC || rc == -EDQUOT) {
		result = MANIFEST_SHORT;
		rc = manifest_put_json(fd, col, rc);
	}
	if (own)
		close(fd);
	if (rc == 0 && renameat(dirfd, MANIFEST_TMP, dirfd, "manifest.json") != 0)
		rc = -errno;
	if (rc < 0) {
		unlinkat(dirfd, MANIFEST_TMP, 0);
		return rc;
	}
	return result;
}
