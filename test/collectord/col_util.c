// SPDX-License-Identifier: GPL-2.0-only
#include "col_util.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void mkdir_p(const char *path)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	}
	mkdir(buf, 0755);
}

void write_file(const char *path, const char *content, mode_t mode)
{
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir_p(dir);
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ck_assert_msg(fd >= 0, "create %s: %s", path, strerror(errno));
	size_t len = strlen(content);
	ck_assert_int_eq(write(fd, content, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

void rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;
		while (d && (de = readdir(d)) != NULL) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			char sub[1024];
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			rm_rf(sub);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static void h_on_done(void *arg, const struct collection *col)
{
	struct harness *h = arg;
	ck_assert_uint_lt(h->ndone, 32);
	struct done_rec *r = &h->done[h->ndone++];
	snprintf(r->name, sizeof(r->name), "%s", col->name);
	r->status = col->status;
	r->n = col->n;
	for (unsigned i = 0; i < col->n && i < 16; i++) {
		r->states[i] = col->res[i].state;
		snprintf(r->errors[i], sizeof(r->errors[i]), "%s", col->res[i].error);
	}
}

static char **strv_from_csv(const char *csv, unsigned *n)
{
	char **v = calloc(32, sizeof(char *));
	char *copy = strdup(csv), *save = NULL;
	*n = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		v[(*n)++] = strdup(tok);
	free(copy);
	return v;
}

void h_init(struct harness *h, const char *actions)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->top, sizeof(h->top), "/tmp/aod-col-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(h->top));
	snprintf(h->bin, sizeof(h->bin), "%s/bin", h->top);
	snprintf(h->root, sizeof(h->root), "%s/root", h->top);
	snprintf(h->out, sizeof(h->out), "%s/out", h->top);
	mkdir_p(h->bin);
	mkdir_p(h->root);

	struct aod_config *cfg = calloc(1, sizeof(*cfg));
	cfg->output_dir = strdup(h->out);
	cfg->n_anomalies = 1;
	cfg->anomalies = calloc(1, sizeof(*cfg->anomalies));
	cfg->anomalies[0].name = strdup("latency");
	cfg->anomalies[0].type = AOD_TYPE_LATENCY;
	cfg->anomalies[0].actions = strv_from_csv(actions, &cfg->anomalies[0].n_actions);
	cfg->actions = strv_from_csv("dmesg,journalctl,debugdata,stats,mounts,smbinfo,syslogs,tcpdump",
				     &cfg->n_actions);
	cfg->max_concurrent_tasks = 2;
	cfg->action_timeout_sec = 10;
	cfg->compression_level = 3;
	cfg->journal_minutes = 5;
	cfg->tcpdump_duration_sec = 5;
	cfg->tcpdump_max_mb = 50;
	cfg->shutdown_timeout_sec = 10;
	h->cfg = cfg;
}

void h_start(struct harness *h)
{
	struct qa_env env = { .bin_path = h->bin, .root = h->root };
	struct collector_hooks hooks = { .done = h_on_done, .arg = h };
	ck_assert_int_eq(loop_open(&h->loop, 1), 0);
	ck_assert_int_eq(collector_init(&h->c, h->loop, &env, &hooks), 0);
	collector_set_config(&h->c, h->cfg);
}

void h_fini(struct harness *h)
{
	collector_fini(&h->c);
	loop_close(h->loop);
	config_free(h->cfg);
	rm_rf(h->top);
}

unsigned h_run_until(struct harness *h, unsigned n, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;
	while (h->ndone < n && now_ms() < end)
		ck_assert_int_ge(loop_run_once(h->loop, 50), 0);
	return h->ndone;
}

struct proto_anomaly h_anomaly(const char *name, uint32_t type, uint64_t ts)
{
	struct proto_anomaly a;
	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name);
	a.type = type;
	a.timestamp_ns = ts;
	return a;
}

void h_program(struct harness *h, const char *name, const char *body)
{
	char path[512], *text;
	snprintf(path, sizeof(path), "%s/%s", h->bin, name);
	size_t len = strlen(body) + 16;
	text = malloc(len);
	snprintf(text, len, "#!/bin/sh\n%s", body);
	write_file(path, text, 0755);
	free(text);
}

void h_file(struct harness *h, const char *path, const char *content)
{
	char full[1024];
	snprintf(full, sizeof(full), "%s%s", h->root, path);
	write_file(full, content, 0644);
}

char *h_read(struct harness *h, const char *dir, const char *file, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s/%s", h->out, dir, file);
	return read_file(path, len);
}

char *h_unzstd(struct harness *h, const char *dir, const char *file, size_t *len)
{
	size_t zlen;
	char *z = h_read(h, dir, file, &zlen);
	if (!z)
		return NULL;
	ZSTD_DStream *ds = ZSTD_createDStream();
	size_t cap = 1 << 20, n = 0;
	char *out = malloc(cap + 1);
	ZSTD_inBuffer in = { z, zlen, 0 };
	size_t rc = 1;
	while (in.pos < in.size) {
		if (n == cap) {
			cap *= 2;
			out = realloc(out, cap + 1);
		}
		ZSTD_outBuffer ob = { out + n, cap - n, 0 };
		rc = ZSTD_decompressStream(ds, &ob, &in);
		n += ob.pos;
		if (ZSTD_isError(rc))
			break;
	}
	/* Flush what is still buffered. */
	while (!ZSTD_isError(rc) && rc != 0) {
		if (n == cap) {
			cap *= 2;
			out = realloc(out, cap + 1);
		}
		ZSTD_outBuffer ob = { out + n, cap - n, 0 };
		size_t before = n;
		rc = ZSTD_decompressStream(ds, &ob, &in);
		n += ob.pos;
		if (n == before && !ZSTD_isError(rc) && rc != 0) {
			rc = (size_t)-1; /* truncated frame */
			break;
		}
	}
	ZSTD_freeDStream(ds);
	free(z);
	if (ZSTD_isError(rc) || rc != 0) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	if (len)
		*len = n;
	return out;
}

bool pid_dead(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	char *stat = read_file(path, NULL);
	if (!stat)
		return true;
	char *paren = strrchr(stat, ')');
	bool dead = paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
	free(stat);
	return dead;
}

void mask_number(char *json, const char *key)
{
	char pat[128];
	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	for (char *p = strstr(json, pat); p; p = strstr(p, pat)) {
		p += strlen(pat);
		char *end = p + strspn(p, "0123456789.");
		if (end == p)
			continue;
		*p = '#';
		memmove(p + 1, end, strlen(end) + 1);
	}
}

char *subst(const char *tmpl, ...)
{
	char *cur = strdup(tmpl);
	va_list ap;
	va_start(ap, tmpl);
	for (const char *name; (name = va_arg(ap, const char *)) != NULL;) {
		const char *value = va_arg(ap, const char *);
		char pat[64];
		snprintf(pat, sizeof(pat), "@%s@", name);
		char *hit;
		while ((hit = strstr(cur, pat)) != NULL) {
			size_t len = strlen(cur) - strlen(pat) + strlen(value) + 1;
			char *next = malloc(len);
			snprintf(next, len, "%.*s%s%s", (int)(hit - cur), cur, value, hit + strlen(pat));
			free(cur);
			cur = next;
		}
	}
	va_end(ap);
	return cur;
}
