/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Parser for a tracepoint's tracefs "format" file
 * (/sys/kernel/tracing/events/<system>/<event>/format): the event id and
 * each field's name, offset, size and signedness. Text that does not have
 * the shape the kernel writes is refused with -EBADMSG, never guessed at.
 */
#ifndef AOD_TPFORMAT_H
#define AOD_TPFORMAT_H

#include <stdbool.h>
#include <stddef.h>

#define TPFMT_MAX_FIELDS 48
#define TPFMT_NAME_LEN 64

struct tpfmt_field {
	char name[TPFMT_NAME_LEN];
	unsigned offset;
	unsigned size;
	bool is_signed;
	bool is_common; /* common_* header field */
};

struct tpfmt {
	char name[TPFMT_NAME_LEN];
	unsigned id;
	unsigned nfields;
	struct tpfmt_field fields[TPFMT_MAX_FIELDS];
};

/* Parses a whole format file's text. 0 or -EBADMSG. */
int tpfmt_parse(const char *text, struct tpfmt *out);
/* Reads and parses path. 0, -errno from reading, or -EBADMSG. */
int tpfmt_read(const char *path, struct tpfmt *out);
/* The field called name, or NULL. */
const struct tpfmt_field *tpfmt_find(const struct tpfmt *f, const char *name);

#endif
