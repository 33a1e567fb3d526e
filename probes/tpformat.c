// SPDX-License-Identifier: GPL-2.0-only
#include "tpformat.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Largest format file we accept; the kernel's are a few hundred bytes. */
#define TPFMT_MAX_TEXT 16384

static int parse_uint(const char *s, const char *key, unsigned *out)
{
	const char *p = strstr(s, key);
	char *end;
	unsigned long v;

	if (!p)
		return -EBADMSG;
	p += strlen(key);
	errno = 0;
	v = strtoul(p, &end, 10);
	if (errno || end == p || *end != ';' || v > 0xffffu)
		return -EBADMSG;
	*out = (unsigned)v;
	return 0;
}

/* "field:<type> <name>[N];" -> name: the last identifier before ';' or '['. */
static int parse_field_name(const char *decl, size_t len, char *name)
{
	size_t end = len, start;

	while (end > 0 && decl[end - 1] == ' ')
		end--;
	if (end > 0 && decl[end - 1] == ']') { /* "char comm[16]": drop the bound */
		while (end > 0 && decl[end - 1] != '[')
			end--;
		if (end == 0)
			return -EBADMSG;
		end--;
	}
	start = end;
	while (start > 0 && (decl[start - 1] == '_' || (decl[start - 1] >= '0' && decl[start - 1] <= '9') ||
			     (decl[start - 1] >= 'a' && decl[start - 1] <= 'z') ||
			     (decl[start - 1] >= 'A' && decl[start - 1] <= 'Z')))
		start--;
	if (start == end || end - start >= TPFMT_NAME_LEN || start == 0)
		return -EBADMSG;
	memcpy(name, decl + start, end - start);
	name[end - start] = '\0';
	return 0;
}

static int parse_field_line(const char *line, struct tpfmt_field *f)
{
	const char *decl = strstr(line, "field:");
	const char *semi;
	unsigned sign;
	int err;

	if (!decl)
		return -EBADMSG;
	decl += strlen("field:");
	semi = strchr(decl, ';');
	if (!semi)
		return -EBADMSG;
	err = parse_field_name(decl, (size_t)(semi - decl), f->name);
	if (!err)
		err = parse_uint(semi, "offset:", &f->offset);
	if (!err)
		err = parse_uint(semi, "size:", &f->size);
	if (!err)
		err = parse_uint(semi, "signed:", &sign);
	if (err)
		return err;
	if (sign > 1 || f->size == 0)
		return -EBADMSG;
	f->is_signed = sign == 1;
	f->is_common = strncmp(f->name, "common_", 7) == 0;
	return 0;
}

static int parse_line(const char *line, struct tpfmt *out, bool *in_format)
{
	if (strncmp(line, "name: ", 6) == 0) {
		if (strlen(line + 6) >= sizeof(out->name) || !line[6])
			return -EBADMSG;
		strcpy(out->name, line + 6);
		return 0;
	}
	if (strncmp(line, "ID: ", 4) == 0) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(line + 4, &end, 10);
		if (errno || end == line + 4 || *end || v == 0 || v > UINT32_MAX)
			return -EBADMSG;
		out->id = (unsigned)v;
		return 0;
	}
	if (strcmp(line, "format:") == 0) {
		*in_format = true;
		return 0;
	}
	if (strncmp(line, "print fmt:", 10) == 0) {
		*in_format = false;
		return 0;
	}
	if (*in_format && strstr(line, "field:")) {
		if (out->nfields >= TPFMT_MAX_FIELDS)
			return -EBADMSG;
		return parse_field_line(line, &out->fields[out->nfields++]);
	}
	return 0; /* blank separator lines */
}

int tpfmt_parse(const char *text, struct tpfmt *out)
{
	bool in_format = false;
	const char *p = text;

	memset(out, 0, sizeof(*out));
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512];
		int err;

		if (len >= sizeof(line)) {
			/* only "print fmt:" lines get this long; nothing we read */
			if (strncmp(p, "print fmt:", 10) != 0)
				return -EBADMSG;
			in_format = false;
		} else {
			memcpy(line, p, len);
			line[len] = '\0';
			err = parse_line(line, out, &in_format);
			if (err)
				return err;
		}
		p += len + (nl ? 1 : 0);
	}
	if (!out->name[0] || !out->id || !out->nfields)
		return -EBADMSG;
	return 0;
}

int tpfmt_read(const char *path, struct tpfmt *out)
{
	char *buf;
	ssize_t n;
	size_t used = 0;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(TPFMT_MAX_TEXT + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	/* tracefs files report size 0: read to EOF */
	while ((n = read(fd, buf + used, TPFMT_MAX_TEXT - used)) > 0)
		used += (size_t)n;
	err = n < 0 ? -errno : 0;
	close(fd);
	if (!err && used == TPFMT_MAX_TEXT)
		err = -EFBIG;
	if (!err) {
		buf[used] = '\0';
		err = tpfmt_parse(buf, out);
	}
	free(buf);
	return err;
}

const struct tpfmt_field *tpfmt_find(const struct tpfmt *f, const char *name)
{
	for (unsigned i = 0; i < f->nfields; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return &f->fields[i];
	return NULL;
}
