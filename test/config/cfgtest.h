/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the config tests: temporary directories with config files,
 * loading text, and finding an error line by its "file:line: " prefix.
 */
#ifndef AOD_CFGTEST_H
#define AOD_CFGTEST_H

#include <check.h>
#include <stdbool.h>

#include "config.h"

/* A fresh directory under $TMPDIR (or /tmp); the path is malloc'd. */
char *cfgtest_mkdtemp(void);
/* Writes dir/name with text (fails the test on error); returns the path (malloc'd). */
char *cfgtest_write(const char *dir, const char *name, const char *text);
/* Removes dir and everything in it (one level of subdirectories). */
void cfgtest_rmtree(const char *dir);
/* config_load_text with the name "t.yaml". */
int cfgtest_load(const char *yaml, struct aod_config **out, struct config_errors *errs);
/* True when some line starts with prefix and contains text. */
bool cfgtest_has_error(const struct config_errors *errs, const char *prefix, const char *text);
/* All lines joined by " | " (TAP output is line based), for failure messages. */
const char *cfgtest_errors_str(const struct config_errors *errs);
/*
 * Runs the suite with CK_ENV, so meson's check_tap_env (TAP to stdout,
 * silent) applies; returns the exit status (0 when every test passed).
 */
int cfgtest_run(Suite *s);

#endif
