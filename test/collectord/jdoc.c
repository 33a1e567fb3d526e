// SPDX-License-Identifier: GPL-2.0-only
#include "jdoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool jdoc_load(struct jdoc *j, const char *path)
{
	yaml_parser_t p;
	FILE *f = fopen(path, "rb");

	memset(j, 0, sizeof(*j));
	if (!f) {
		perror(path);
		return false;
	}
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, f);
	j->loaded = yaml_parser_load(&p, &j->doc) == 1;
	if (!j->loaded)
		fprintf(stderr, "%s: not a JSON document: %s at line %zu\n", path,
			p.problem ? p.problem : "?", p.problem_mark.line + 1);
	yaml_parser_delete(&p);
	fclose(f);
	if (j->loaded && !yaml_document_get_root_node(&j->doc)) {
		fprintf(stderr, "%s: empty\n", path);
		jdoc_free(j);
		return false;
	}
	return j->loaded;
}

void jdoc_free(struct jdoc *j)
{
	if (j->loaded)
		yaml_document_delete(&j->doc);
	j->loaded = false;
}

yaml_node_t *jdoc_root(struct jdoc *j)
{
	return yaml_document_get_root_node(&j->doc);
}

yaml_node_t *jdoc_get(struct jdoc *j, yaml_node_t *m, const char *key)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k = jdoc_str(yaml_document_get_node(&j->doc, p->key));
		if (k && strcmp(k, key) == 0)
			return yaml_document_get_node(&j->doc, p->value);
	}
	return NULL;
}

size_t jdoc_len(yaml_node_t *s)
{
	if (!s || s->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(s->data.sequence.items.top - s->data.sequence.items.start);
}

yaml_node_t *jdoc_at(struct jdoc *j, yaml_node_t *s, size_t i)
{
	if (i >= jdoc_len(s))
		return NULL;
	return yaml_document_get_node(&j->doc, s->data.sequence.items.start[i]);
}

const char *jdoc_str(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

yaml_node_t *jdoc_path(struct jdoc *j, yaml_node_t *from, const char *path)
{
	char part[128];
	yaml_node_t *n = from ? from : jdoc_root(j);

	while (n && *path) {
		size_t len = strcspn(path, ".");
		if (len >= sizeof(part))
			return NULL;
		memcpy(part, path, len);
		part[len] = '\0';
		path += len + (path[len] == '.');
		if (n->type == YAML_SEQUENCE_NODE) {
			char *end;
			unsigned long i = strtoul(part, &end, 10);
			n = *end ? NULL : jdoc_at(j, n, i);
		} else {
			n = jdoc_get(j, n, part);
		}
	}
	return n;
}

const char *jdoc_pstr(struct jdoc *j, yaml_node_t *from, const char *path)
{
	return jdoc_str(jdoc_path(j, from, path));
}
