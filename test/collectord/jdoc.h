/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading a JSON document (a manifest.json) in tests, with libyaml: JSON as
 * collectord writes it is valid YAML flow syntax. Lookups return NULL when
 * the path is absent, so a test can assert both presence and absence.
 */
#ifndef AOD_TEST_JDOC_H
#define AOD_TEST_JDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

struct jdoc {
	yaml_document_t doc;
	bool loaded;
};

/* Parses path; false (with a message on stderr) when it is not a document. */
bool jdoc_load(struct jdoc *j, const char *path);
void jdoc_free(struct jdoc *j);

yaml_node_t *jdoc_root(struct jdoc *j);
/* The value of key in mapping node m, or NULL. */
yaml_node_t *jdoc_get(struct jdoc *j, yaml_node_t *m, const char *key);
/* Element i of sequence node s, or NULL; jdoc_len: its length (0 if not one). */
yaml_node_t *jdoc_at(struct jdoc *j, yaml_node_t *s, size_t i);
size_t jdoc_len(yaml_node_t *s);
/* A scalar's text (NUL-terminated by libyaml), or NULL for other nodes. */
const char *jdoc_str(yaml_node_t *n);
/* Follows a path of keys and indexes: "anomaly.summary.worst.0.comm". */
yaml_node_t *jdoc_path(struct jdoc *j, yaml_node_t *from, const char *path);
/* jdoc_str(jdoc_path(...)), or NULL. */
const char *jdoc_pstr(struct jdoc *j, yaml_node_t *from, const char *path);

#endif
