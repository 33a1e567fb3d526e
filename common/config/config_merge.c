// SPDX-License-Identifier: GPL-2.0-only
/*
 * Merging one layer onto the accumulated result: a scalar a file sets
 * overrides, an anomaly is merged by its name (new names keep file order),
 * and a list a file gives, even an empty one, replaces the list. Values are
 * moved, not copied: the source layer is left with what it did not set.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

static void take_str(char **dst, char **src)
{
	if (!*src)
		return;
	free(*dst);
	*dst = *src;
	*src = NULL;
}

static void take_strv(char ***dst, unsigned *n_dst, char ***src, unsigned *n_src)
{
	cfg_strv_free(*dst, *n_dst);
	*dst = *src;
	*n_dst = *n_src;
	*src = NULL;
	*n_src = 0;
}

static void take_rules(bool anomaly, struct ov_top *dt, struct ov_anomaly *da,
		       struct ov_top *st, struct ov_anomaly *sa)
{
	for (unsigned i = 0; i < cfg_n_rules; i++) {
		const struct cfg_rule *r = &cfg_rules[i];
		char **s, **d;

		if ((r->sec == SEC_ANOMALY) != anomaly)
			continue;
		s = cfg_rule_slot(r, st, sa);
		d = cfg_rule_slot(r, dt, da);
		if (s && d)
			take_str(d, s);
	}
}

static int ensure(void **dst, const void *src, size_t size)
{
	if (src && !*dst) {
		*dst = calloc(1, size);
		if (!*dst)
			return -ENOMEM;
	}
	return 0;
}

static int merge_top(struct cfg_layer *dst, struct cfg_layer *src)
{
	struct ov_top *s = src->top, *d;

	if (!s)
		return 0;
	if (!dst->top) { /* nothing to merge with: the whole overlay moves */
		dst->top = s;
		src->top = NULL;
		return 0;
	}
	d = dst->top;
	if (ensure((void **)&d->watcher, s->watcher, sizeof(*d->watcher)) < 0 ||
	    ensure((void **)&d->cleanup, s->cleanup, sizeof(*d->cleanup)) < 0 ||
	    ensure((void **)&d->audit, s->audit, sizeof(*d->audit)) < 0 ||
	    ensure((void **)&d->metrics, s->metrics, sizeof(*d->metrics)) < 0)
		return -ENOMEM;
	if (s->watcher && ensure((void **)&d->watcher->flight_recorder, s->watcher->flight_recorder,
				 sizeof(*d->watcher->flight_recorder)) < 0)
		return -ENOMEM;
	take_rules(false, d, NULL, s, NULL);
	if (s->watcher && s->watcher->actions_set) {
		take_strv(&d->watcher->actions, &d->watcher->actions_count, &s->watcher->actions,
			  &s->watcher->actions_count);
		d->watcher->actions_set = true;
	}
	if (s->watcher && s->watcher->flight_recorder)
		cfg_recorder_merge(d->watcher->flight_recorder, s->watcher->flight_recorder);
	return 0;
}

static void merge_anomaly(struct ov_anomaly *d, struct ov_anomaly *s)
{
	take_rules(true, NULL, d, NULL, s);
	if (s->track_commands_set) {
		struct ov_anomaly old = { .track_commands = d->track_commands,
					  .track_commands_count = d->track_commands_count };

		cfg_ov_anomaly_clear(&old);
		d->track_commands = s->track_commands;
		d->track_commands_count = s->track_commands_count;
		d->track_commands_set = true;
		s->track_commands = NULL;
		s->track_commands_count = 0;
	}
	if (s->track_codes_set) {
		take_strv(&d->track_codes, &d->track_codes_count, &s->track_codes,
			  &s->track_codes_count);
		d->track_codes_set = true;
	}
	if (s->actions_set) {
		take_strv(&d->actions, &d->actions_count, &s->actions, &s->actions_count);
		d->actions_set = true;
	}
}

static int merge_anomalies(struct cfg_layer *dst, struct cfg_layer *src)
{
	for (unsigned i = 0; i < src->n_anomalies; i++) {
		struct ov_named_anomaly *s = &src->anomalies[i], *v;
		unsigned j;

		for (j = 0; j < dst->n_anomalies; j++)
			if (strcmp(dst->anomalies[j].name, s->name) == 0)
				break;
		if (j < dst->n_anomalies) {
			merge_anomaly(&dst->anomalies[j].a, &s->a);
			continue;
		}
		v = realloc(dst->anomalies, (dst->n_anomalies + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		dst->anomalies = v;
		v[dst->n_anomalies++] = *s;
		*s = (struct ov_named_anomaly){ 0 };
	}
	return 0;
}

int cfg_merge(struct cfg_layer *dst, struct cfg_layer *src)
{
	if (merge_top(dst, src) < 0 || merge_anomalies(dst, src) < 0)
		return -ENOMEM;
	return 0;
}
