/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The supervisor's metrics: the exposition `aodctl metrics` prints, and the
 * text file for node_exporter's textfile collector, rewritten every
 * metrics.interval_sec (off when metrics.textfile is "none"). Each round
 * first gathers the workers' stats (status.h) without blocking the loop.
 * The file is replaced atomically (textfile.h).
 */
#ifndef SUP_METRICS_H
#define SUP_METRICS_H

#include <stdbool.h>
#include <stddef.h>

struct sup;

int metrics_init(struct sup *s);
/* (Re)arms the text file timer from s->cfg (at start and after a reload). */
void metrics_configure(struct sup *s);
/* The exposition of what the supervisor knows now, in *text (malloc'd, the
 * caller frees it, also after an error) of *len bytes; 0 or -errno. */
int metrics_exposition(struct sup *s, char **text, size_t *len);
/* A stats gather finished: writes the text file if a round asked for it. */
void metrics_gathered(struct sup *s);
void metrics_close(struct sup *s);

#endif
