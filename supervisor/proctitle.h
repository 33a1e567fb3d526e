/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The process name ps and top show: PR_SET_NAME (comm, 15 characters) and
 * the argv area rewritten to start with the given name. The original argv
 * strings are moved before that, so pointers into them stay valid.
 */
#ifndef SUP_PROCTITLE_H
#define SUP_PROCTITLE_H

/* Returns a heap copy of argv (argc entries + NULL) for the caller to parse,
 * or NULL on ENOMEM; the original argv area then shows name + arguments. */
char **proctitle_set(int argc, char **argv, const char *name);
void proctitle_free(int argc, char **copy);

#endif
