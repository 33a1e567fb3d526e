// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sweep rules on hand-made output directories: age, then size oldest
 * first; partial collections counted but kept (unless stale on both
 * clocks); symlinks never followed, counted or deleted through; anything
 * not named like a collection left alone; sizes in allocated blocks.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "logcapture.h"
#include "sweep.h"
#include "tree.h"

#define NS_PER_SEC UINT64_C(1000000000)
#define NS_PER_HOUR (UINT64_C(3600) * NS_PER_SEC)
#define NS_PER_DAY (UINT64_C(24) * NS_PER_HOUR)
#define KIB UINT64_C(1024)

static char top[256], out[300], outside[300];
static int outfd = -1;
static uint64_t now_ns;

static void rm_rf(const char *path)
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

static void setup(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	now_ns = (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
	snprintf(top, sizeof(top), "/tmp/aod-sweep-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	snprintf(out, sizeof(out), "%s/out", top);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	ck_assert_int_eq(mkdir(out, 0755), 0);
	ck_assert_int_eq(mkdir(outside, 0755), 0);
	outfd = open(out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(outfd, 0);
}

static void teardown(void)
{
	close(outfd);
	rm_rf(top);
}

/* Writes bytes of real (non-sparse) data to dir/name. */
static void write_data(const char *dir, const char *name, size_t bytes)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	char buf[4096];
	memset(buf, 'x', sizeof(buf));
	for (size_t done = 0; done < bytes;) {
		size_t n = bytes - done < sizeof(buf) ? bytes - done : sizeof(buf);
		ck_assert_int_eq(write(fd, buf, n), (ssize_t)n);
		done += n;
	}
	ck_assert_int_eq(fsync(fd), 0);
	close(fd);
}

/* out/<name> with one data file; returns its path in buf. */
static const char *make_collection(const char *name, size_t bytes)
{
	static char path[1024];
	snprintf(path, sizeof(path), "%s/%s", out, name);
	ck_assert_int_eq(mkdir(path, 0750), 0);
	write_data(path, "dmesg.txt.zst", bytes);
	return path;
}

static const char *ts_name(uint64_t ts)
{
	static char names[8][40];
	static int next;
	char *n = names[next++ % 8];
	snprintf(n, 40, "aod_%" PRIu64, ts);
	return n;
}

static bool exists(const char *dir, const char *name)
{
	char path[1024];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

static uint64_t du(const char *name)
{
	uint64_t bytes;
	ck_assert_int_eq(tree_size(outfd, name, &bytes), 0);
	return bytes;
}

START_TEST(names_are_parsed_strictly)
{
	uint64_t ts;
	ck_assert(sweep_parse_complete("aod_1700000000123456789", &ts));
	ck_assert_uint_eq(ts, 1700000000123456789ull);
	ck_assert(sweep_parse_complete("aod_0", &ts));
	ck_assert(!sweep_parse_complete("aod_", &ts));
	ck_assert(!sweep_parse_complete("aod_12a", &ts));
	ck_assert(!sweep_parse_complete("aod_-1", &ts));
	ck_assert(!sweep_parse_complete("aod_ 1", &ts));
	ck_assert(!sweep_parse_complete("AOD_1", &ts));
	ck_assert(!sweep_parse_complete("xaod_1", &ts));
	ck_assert(!sweep_parse_complete("aod_18446744073709551616", &ts)); /* 2^64 */
	ck_assert(sweep_parse_complete("aod_18446744073709551615", &ts));
	ck_assert(!sweep_parse_complete("aod_000000000000000000001", &ts)); /* 21 digits */
	ck_assert(!sweep_parse_complete(".aod_1.partial", &ts));
	ck_assert(sweep_parse_partial(".aod_1.partial", &ts));
	ck_assert_uint_eq(ts, 1);
	ck_assert(!sweep_parse_partial(".aod_1.partialx", &ts));
	ck_assert(!sweep_parse_partial(".aod_.partial", &ts));
	ck_assert(!sweep_parse_partial("aod_1.partial", &ts));
}
END_TEST

START_TEST(age_rule_deletes_only_old_ones)
{
	const char *old = ts_name(now_ns - 3 * NS_PER_DAY);
	const char *day = ts_name(now_ns - 1 * NS_PER_DAY);
	const char *hour = ts_name(now_ns - NS_PER_HOUR);
	make_collection(old, 10 * KIB);
	make_collection(day, 10 * KIB);
	make_collection(hour, 10 * KIB);
	uint64_t keep = du(day) + du(hour);

	struct sweep_limits lim = sweep_limits_from(2, 512);
	struct sweep_result res;
	ck_assert_int_eq(sweep_run(outfd, &lim, now_ns, &res), 0);
	ck_assert(!exists(out, old));
	ck_assert(exists(out, day));
	ck_assert(exists(out, hour));
	ck_assert_uint_eq(res.deleted, 1);
	ck_assert_uint_eq(res.collections, 2);
	ck_assert_uint_eq(res.total_bytes, keep);

	/* The name decides the age: a fresh mtime does not save it. */
	struct sweep_limits tight = sweep_limits_from(0.5, 512);
	ck_assert_int_eq(sweep_run(outfd, &tight, now_ns, &res), 0);
	ck_assert(!exists(out, day));
	ck_assert(exists(out, hour));
}
END_TEST

START_TEST(size_rule_deletes_oldest_first_until_under)
{
	const char *names[5];
	uint64_t sizes[5], total = 0;
	for (int i = 0; i < 5; i++) {
		names[i] = ts_name(now_ns - (uint64_t)(5 - i) * NS_PER_HOUR);
		make_collection(names[i], 100 * KIB);
		sizes[i] = du(names[i]);
		total += sizes[i];
	}
	/* Room for two and a half collections. */
	struct sweep_limits lim = { .max_bytes = sizes[0] * 5 / 2, .max_age_ns = 0 };
	struct sweep_result res;
	ck_assert_int_eq(sweep_run(outfd, &lim, now_ns, &res), 0);
	ck_assert_uint_eq(res.deleted, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_msg(!exists(out, names[i]), "%s kept", names[i]);
	ck_assert(exists(out, names[3]));
	ck_assert(exists(out, names[4]));
	ck_assert_uint_eq(res.total_bytes, sizes[3] + sizes[4]);
	ck_assert_uint_le(res.total_bytes, lim.max_bytes);
	ck_assert_uint_eq(res.deleted_bytes, sizes[0] + sizes[1] + sizes[2]);
	ck_assert_uint_eq(res.total_bytes + res.deleted_bytes, total);

	/* Within budget: nothing more goes. */
	ck_assert_int_eq(sweep_run(outfd, &lim, now_ns, &res), 0);
	ck_assert_uint_eq(res.deleted, 0);
	ck_assert_uint_eq(res.collections, 2);
}
END_TEST

START_TEST(symlink_trap_is_not_followed)
{
	/* Precious data outside, reachable through symlinks that look like
	 * collections or sit inside one. */
	write_data(outside, "precious", 200 * KIB);
	char path[1024], target[1024];
	snprintf(path, sizeof(path), "%s/aod_123", out);
	ck_assert_int_eq(symlink(outside, path), 0);
	snprintf(path, sizeof(path), "%s/.aod_5.partial", out);
	ck_assert_int_eq(symlink(outside, path), 0);
	const char *coll = make_collection("aod_124", 4 * KIB);
	snprintf(path, sizeof(path), "%s/link", coll);
	snprintf(target, sizeof(target), "%s/precious", outside);
	ck_assert_int_eq(symlink(target, path), 0);
	snprintf(path, sizeof(path), "%s/dirlink", coll);
	ck_assert_int_eq(symlink(outside, path), 0);
	uint64_t coll_bytes = du("aod_124");
	ck_assert_uint_lt(coll_bytes, 100 * KIB); /* the link's target is not counted */

	struct sweep_limits lim = { .max_bytes = 1, .max_age_ns = 1 };
	struct sweep_result res;
	ck_assert_int_eq(sweep_run(outfd, &lim, now_ns, &res), 0);
	ck_assert_uint_eq(res.deleted, 1);
	ck_assert_uint_eq(res.deleted_bytes, coll_bytes);
	ck_assert(!exists(out, "aod_124"));
	ck_assert(exists(out, "aod_123")); /* the symlink itself is not ours either */
	ck_assert(exists(out, ".aod_5.partial"));
	ck_assert(exists(outside, "precious"));
	struct stat st;
	snprintf(path, sizeof(path), "%s/precious", outside);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 200 * KIB);
	/* the links left count as themselves, not as what they point at */
	ck_assert_uint_eq(res.total_bytes, du("aod_123") + du(".aod_5.partial"));
	ck_assert_uint_eq(res.collections, 0);
}
END_TEST

START_TEST(partial_collections_are_counted_and_kept)
{
	char name[64];
	snprintf(name, sizeof(name), ".aod_%" PRIu64 ".partial", now_ns - NS_PER_HOUR);
	make_collection(name, 300 * KIB);
	uint64_t partial = du(name);
	const char *done = ts_name(now_ns - 2 * NS_PER_HOUR);
	make_collection(done, 10 * KIB);

	/* Over budget because of the partial one: the complete one goes, the
	 * one being written stays. */
	struct sweep_limits lim = { .max_bytes = 100 * KIB, .max_age_ns = 0 };
	struct sweep_result res;
	ck_assert_int_eq(sweep_run(outfd, &lim, now_ns, &res), 0);
	ck_assert(exists(out, name));
	ck_assert(!exists(out, done));
	ck_assert_uint_eq(res.total_bytes, partial);
	ck_assert_uint_eq(res.collections, 0);
}
END_TEST

static void set_mtime(const char *name, uint64_t ns)
{
	struct timespec t[2] = {
		{ .tv_sec = (time_t)(ns / NS_PER_SEC), .tv_nsec = 0 },
		{ .tv_sec = (time_t)(ns / NS_PER_SEC), .tv_nsec = 0 },
	};
	ck_assert_int_eq(utimensat(outfd, name, t, AT_SYMLINK_NOFOLLOW), 0);
}

START_TEST(stale_partial_from_a_crash_is_removed)
{
	char stale[64], renamed_late[64];
	snprintf(stale, sizeof(stale), ".aod_%" PRIu64 ".partial", now_ns - 2 * NS_PER_DAY);
	make_collection(stale, 10 * KIB);
	set_mtime(stale, now_ns - 2 * NS_PER_DAY);
	/* Old name but written to a minute ago: still in use. */
	snprintf(renamed_late, sizeof(renamed_late), ".aod_%" PRIu64 ".partial",
		 now_ns - 3 * NS_PER_DAY);
	make_collection(renamed_late, 10 * KIB);

	struct sweep_limits lim = sweep_limits_from(365, 512);
	struct sweep_result res;
	ck_assert_int_eq(sweep_run(outfd, &lim, now_ns, &res), 0);
	ck_assert(!exists(out, stale));
	ck_assert(exists(out, renamed_late));
	ck_assert_uint_eq(res.deleted, 1);
}
END_TEST

START_TEST(other_entries_are_left_alone)
{
	static const char *const others[] = { "aod_12a", "aod_", "AOD_1", "keep",
					      "aod_000000000000000000001", ".aod_1.partialx", NULL };
	for (const char *const *o = others; *o; o++)
		make_collection(*o, 50 * KIB);
	char path[1024];
	snprintf(path, sizeof(path), "%s/aod_77", out);
	write_data(out, "aod_77", 50 * KIB); /* a file named like a collection */
	write_data(out, ".aod_78.partial", 50 * KIB); /* and one like a partial one */
	uint64_t all = du("aod_77") + du(".aod_78.partial");
	for (const char *const *o = others; *o; o++)
		all += du(*o);

	struct sweep_limits lim = { .max_bytes = 1, .max_age_ns = 1 };
	struct sweep_result res;
	ck_assert_int_eq(sweep_run(outfd, &lim, now_ns, &res), 0);
	for (const char *const *o = others; *o; o++)
		ck_assert_msg(exists(out, *o), "%s was deleted", *o);
	ck_assert(exists(out, "aod_77"));
	ck_assert(exists(out, ".aod_78.partial"));
	ck_assert_uint_eq(res.deleted, 0);
	/* never deleted, but the disk they take counts towards the limit */
	ck_assert_uint_ge(all, 8 * 50 * KIB);
	ck_assert_uint_eq(res.total_bytes, all);
	ck_assert_uint_eq(res.other_bytes, all);
}
END_TEST

/* The same odd entry on every sweep (every few seconds for months) is
 * reported within the rate limit, not once a sweep. */
static void sweep_200_times(void)
{
	struct sweep_limits lim = { 0 }; /* no limits: nothing to delete */
	struct sweep_result res;

	log_init("sweeptest", true);
	for (int i = 0; i < 200; i++)
		ck_assert_int_eq(sweep_run(outfd, &lim, now_ns, &res), 0);
}

/* A collection that failed (aod_<ts>.failed) is a finished one: counted,
 * and deleted by the same rules, so a full disk can recover. */
START_TEST(failed_collections_are_swept_too)
{
	char old[64], young[64];
	snprintf(old, sizeof(old), "%s.failed", ts_name(now_ns - 3 * NS_PER_DAY));
	snprintf(young, sizeof(young), "%s.failed", ts_name(now_ns - NS_PER_HOUR));
	make_collection(old, 10 * KIB);
	make_collection(young, 10 * KIB);
	uint64_t keep = du(young);

	struct sweep_limits lim = sweep_limits_from(2, 512);
	struct sweep_result res;
	ck_assert_int_eq(sweep_run(outfd, &lim, now_ns, &res), 0);
	ck_assert(!exists(out, old));
	ck_assert(exists(out, young));
	ck_assert_uint_eq(res.collections, 1);
	ck_assert_uint_eq(res.total_bytes, keep);
	uint64_t ts;
	ck_assert(!sweep_parse_complete("aod_1.failedx", &ts));
	ck_assert(!sweep_parse_complete("aod_.failed", &ts));
}
END_TEST

/* The same odd entry on every sweep (every few seconds for months) is
 * reported within the rate limit, not once a sweep. */
START_TEST(the_same_warning_every_sweep_is_rate_limited)
{
	write_data(out, "aod_77", 1 * KIB);
	const char *text = logcapture(sweep_200_times);
	unsigned lines = 0;
	for (const char *p = text; (p = strstr(p, "aod_77 is not a directory")); p++)
		lines++;
	ck_assert_uint_eq(lines, LOG_RL_BURST);
}
END_TEST

START_TEST(nested_trees_are_removed_whole)
{
	const char *c = make_collection("aod_9", 8 * KIB);
	char path[1024];
	snprintf(path, sizeof(path), "%s/a", c);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/a/b", c);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	write_data(path, "deep", 8 * KIB);
	for (int i = 0; i < 300; i++) {
		char name[32];
		snprintf(name, sizeof(name), "f%03d", i);
		write_data(c, name, 1);
	}
	ck_assert_int_eq(tree_remove(outfd, "aod_9"), 0);
	ck_assert(!exists(out, "aod_9"));
}
END_TEST

/* Builds under dirfd a chain of depth directories named d, each holding a
 * small file, with a 16 KiB file at the bottom and, halfway down, a
 * directory "locked" (with a file) left at mode 000. Everything belongs to
 * uid (when root builds it). */
static void make_deep(int dirfd, unsigned depth, uid_t uid)
{
	int fd = dup(dirfd), locked_parent = -1;
	ck_assert_int_ge(fd, 0);
	for (unsigned i = 0; i < depth; i++) {
		ck_assert_int_eq(mkdirat(fd, "d", 0755), 0);
		int sub = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ck_assert_int_ge(sub, 0);
		int f = openat(sub, "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		ck_assert_int_ge(f, 0);
		ck_assert_int_eq(write(f, "x", 1), 1);
		if (geteuid() == 0) {
			ck_assert_int_eq(fchown(sub, uid, uid), 0);
			ck_assert_int_eq(fchown(f, uid, uid), 0);
		}
		close(f);
		if (i == depth / 2)
			locked_parent = dup(sub);
		close(fd);
		fd = sub;
	}
	char data[16 * 1024];
	memset(data, 'y', sizeof(data));
	int f = openat(fd, "bottom", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(f, 0);
	ck_assert_int_eq(write(f, data, sizeof(data)), (ssize_t)sizeof(data));
	ck_assert_int_eq(fsync(f), 0);
	if (geteuid() == 0)
		ck_assert_int_eq(fchown(f, uid, uid), 0);
	close(f);
	close(fd);
	ck_assert_int_eq(mkdirat(locked_parent, "locked", 0755), 0);
	f = openat(locked_parent, "locked/in", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(f, 0);
	if (geteuid() == 0) {
		ck_assert_int_eq(fchown(f, uid, uid), 0);
		ck_assert_int_eq(fchownat(locked_parent, "locked", uid, uid, 0), 0);
	}
	close(f);
	ck_assert_int_eq(fchmodat(locked_parent, "locked", 0, 0), 0);
	close(locked_parent);
}

/* Runs one sweep as the sweeper does: as an unprivileged owner of the tree
 * (a root test drops to uid 65534, so mode 000 really locks it out).
 * Returns the sweep's result. */
static struct sweep_result sweep_as_owner(uid_t uid, const struct sweep_limits *lim)
{
	struct sweep_result res = { 0 };
	int pfd[2];
	ck_assert_int_eq(pipe(pfd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(pfd[0]);
		if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(uid) != 0 || setuid(uid) != 0))
			_exit(2);
		int rc = sweep_run(outfd, lim, now_ns, &res);
		_exit(rc == 0 && write(pfd[1], &res, sizeof(res)) == (ssize_t)sizeof(res) ? 0 : 1);
	}
	close(pfd[1]);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "sweep child: status %#x", status);
	ck_assert_int_eq(read(pfd[0], &res, sizeof(res)), (ssize_t)sizeof(res));
	close(pfd[0]);
	return res;
}

/* Collections deeper than any fixed limit, and ones with a mode 000
 * directory (or a mode 000 top), are counted whole and deleted whole by
 * their unprivileged owner. */
START_TEST(deep_and_locked_collections_are_deleted)
{
	uid_t uid = geteuid() == 0 ? 65534 : geteuid();
	const char *deep = ts_name(now_ns - 3 * NS_PER_DAY);
	const char *locked = ts_name(now_ns - 4 * NS_PER_DAY);
	const char *young = ts_name(now_ns - NS_PER_HOUR);
	make_collection(deep, 4 * KIB);
	make_collection(locked, 4 * KIB);
	make_collection(young, 4 * KIB);
	int dfd = openat(outfd, deep, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);
	make_deep(dfd, 600, uid);
	close(dfd);
	if (geteuid() == 0) {
		ck_assert_int_eq(fchown(outfd, uid, uid), 0);
		for (const char *const *c = (const char *const[]){ deep, locked, young, NULL }; *c; c++) {
			char f[64];
			snprintf(f, sizeof(f), "%s/dmesg.txt.zst", *c);
			ck_assert_int_eq(fchownat(outfd, *c, uid, uid, 0), 0);
			ck_assert_int_eq(fchownat(outfd, f, uid, uid, 0), 0);
		}
	}
	ck_assert_int_eq(fchmodat(outfd, locked, 0, 0), 0);

	/* counted whole: the 16 KiB at the bottom, 600 levels down, included */
	struct sweep_limits none = { 0 };
	struct sweep_result res = sweep_as_owner(uid, &none);
	ck_assert_uint_eq(res.errors, 0);
	ck_assert_uint_eq(res.collections, 3);
	ck_assert_uint_ge(res.total_bytes, 3 * 4 * KIB + 16 * KIB + 600 * 1);

	struct sweep_limits lim = sweep_limits_from(2, 512);
	res = sweep_as_owner(uid, &lim);
	ck_assert_uint_eq(res.errors, 0);
	ck_assert_uint_eq(res.deleted, 2);
	ck_assert(!exists(out, deep));
	ck_assert(!exists(out, locked));
	ck_assert(exists(out, young));
}
END_TEST

START_TEST(size_counts_blocks_not_length)
{
	const char *c = make_collection("aod_10", 0);
	char path[1024];
	snprintf(path, sizeof(path), "%s/sparse", c);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 64 << 20), 0); /* 64 MiB long, nothing allocated */
	close(fd);
	ck_assert_uint_lt(du("aod_10"), 1 << 20);
}
END_TEST

START_TEST(missing_dir_contents_are_an_empty_sweep)
{
	struct sweep_limits lim = sweep_limits_from(2, 512);
	struct sweep_result res;
	ck_assert_int_eq(sweep_run(outfd, &lim, now_ns, &res), 0);
	ck_assert_uint_eq(res.total_bytes, 0);
	ck_assert_uint_eq(res.collections, 0);
	ck_assert_uint_eq(lim.max_bytes, 512ull << 20);
	ck_assert_uint_eq(lim.max_age_ns, 2 * NS_PER_DAY);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("sweep");
	tcase_set_timeout(tc, 30); /* a watchdog, not a figure: a loaded host took 9 s */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, names_are_parsed_strictly);
	tcase_add_test(tc, age_rule_deletes_only_old_ones);
	tcase_add_test(tc, size_rule_deletes_oldest_first_until_under);
	tcase_add_test(tc, symlink_trap_is_not_followed);
	tcase_add_test(tc, partial_collections_are_counted_and_kept);
	tcase_add_test(tc, stale_partial_from_a_crash_is_removed);
	tcase_add_test(tc, other_entries_are_left_alone);
	tcase_add_test(tc, failed_collections_are_swept_too);
	tcase_add_test(tc, the_same_warning_every_sweep_is_rate_limited);
	tcase_add_test(tc, nested_trees_are_removed_whole);
	tcase_add_test(tc, deep_and_locked_collections_are_deleted);
	tcase_add_test(tc, size_counts_blocks_not_length);
	tcase_add_test(tc, missing_dir_contents_are_an_empty_sweep);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
