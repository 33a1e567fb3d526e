// SPDX-License-Identifier: GPL-2.0-only
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfgtest.h"

char *cfgtest_mkdtemp(void)
{
	const char *tmp = getenv("TMPDIR");
	char *path;

	ck_assert_int_ge(asprintf(&path, "%s/aodcfg.XXXXXX", tmp && *tmp ? tmp : "/tmp"), 0);
	ck_assert_ptr_nonnull(mkdtemp(path));
	return path;
}

char *cfgtest_write(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *f;

	ck_assert_int_ge(asprintf(&path, "%s/%s", dir, name), 0);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot create %s", path);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static void rm_entries(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *p;
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (asprintf(&p, "%s/%s", dir, e->d_name) < 0)
			continue;
		if (depth > 0 && lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			rm_entries(p, depth - 1);
			rmdir(p);
		} else {
			unlink(p);
		}
		free(p);
	}
	closedir(d);
}

void cfgtest_rmtree(const char *dir)
{
	rm_entries(dir, 1);
	rmdir(dir);
}

int cfgtest_load(const char *yaml, struct aod_config **out, struct config_errors *errs)
{
	return config_load_text(yaml, strlen(yaml), "t.yaml", out, errs);
}

bool cfgtest_has_error(const struct config_errors *errs, const char *prefix, const char *text)
{
	for (unsigned i = 0; i < errs->n; i++)
		if (strncmp(errs->lines[i], prefix, strlen(prefix)) == 0 &&
		    strstr(errs->lines[i], text))
			return true;
	return false;
}

const char *cfgtest_errors_str(const struct config_errors *errs)
{
	static char buf[8192];
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < errs->n && off < sizeof(buf) - 1; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, " | %s", errs->lines[i]);
	return errs->n ? buf : " (no errors)";
}

int cfgtest_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
