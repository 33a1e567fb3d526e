// SPDX-License-Identifier: GPL-2.0-only
/*
 * The collection engine with fake QuickAction programs: concurrency limit,
 * timeouts that kill whole process groups, planned stops and size caps,
 * zstd round trips of large output, actions that are not available, the
 * builtins' file handling, an unwritable output dir, unknown anomalies,
 * MANUAL collections, shutdown, and the exact manifest.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "aod_build.h"
#include "col_util.h"

static struct harness H;

static void setup(void)
{
	/* Orphaned grandchildren come back to us to be reaped, so a test can
	 * tell "killed" from "still running". */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

static void submit(uint64_t ts)
{
	struct proto_anomaly a = h_anomaly("latency", PROTO_ANOMALY_LATENCY, ts);
	collector_submit(&H.c, &a);
}

static pid_t read_pid(const char *file)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", H.top, file);
	char *s = read_file(path, NULL);
	ck_assert_msg(s != NULL, "%s was not written", path);
	pid_t pid = (pid_t)atoi(s);
	free(s);
	return pid;
}

/* Waits for the collector to reap what it killed. */
static void settle(int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;
	while (now_ms() < end)
		loop_run_once(H.loop, 20);
}

START_TEST(concurrency_limit_held)
{
	h_init(&H, "dmesg,journalctl,tcpdump");
	char body[1024];
	snprintf(body, sizeof(body),
		 "echo + >> %s/log\nsleep 0.4\necho - >> %s/log\necho done\n", H.top, H.top);
	h_program(&H, "dmesg", body);
	h_program(&H, "journalctl", body);
	h_program(&H, "tcpdump", body);
	h_file(&H, "/run/systemd/journal/socket", ""); /* journald "runs" */
	h_start(&H);

	uint64_t t0 = now_ms();
	submit(1000);
	submit(2000);
	ck_assert_uint_eq(h_run_until(&H, 2, 10000), 2);
	uint64_t elapsed = now_ms() - t0;

	char path[512];
	snprintf(path, sizeof(path), "%s/log", H.top);
	char *log = read_file(path, NULL);
	int running = 0, peak = 0, starts = 0;
	for (char *p = log; *p; p++) {
		if (*p == '+')
			running++, starts++;
		else if (*p == '-')
			running--;
		if (running > peak)
			peak = running;
	}
	free(log);
	ck_assert_int_eq(starts, 6);
	ck_assert_int_eq(peak, 2); /* never more, and the slots were used */
	ck_assert_uint_ge(elapsed, 1100); /* 6 x 0.4 s over 2 slots */
	ck_assert_uint_lt(elapsed, 10000);
	for (unsigned c = 0; c < 2; c++) {
		ck_assert_int_eq(H.done[c].status, 0);
		for (unsigned i = 0; i < 3; i++)
			ck_assert_int_eq(H.done[c].states[i], RES_OK);
	}
	/* First come, first served: the first anomaly's collection ends first. */
	ck_assert_str_eq(H.done[0].name, "aod_1000");
	h_fini(&H);
}
END_TEST

START_TEST(timeout_kills_process_group)
{
	h_init(&H, "dmesg");
	H.cfg->action_timeout_sec = 2;
	char body[512];
	snprintf(body, sizeof(body), "echo started\nsleep 1000 &\necho $! > %s/gpid\nwait\n", H.top);
	h_program(&H, "dmesg", body);
	h_start(&H);

	uint64_t t0 = now_ms();
	submit(42);
	ck_assert_uint_eq(h_run_until(&H, 1, 8000), 1);
	uint64_t elapsed = now_ms() - t0;
	ck_assert_uint_ge(elapsed, 2000);
	ck_assert_uint_lt(elapsed, 7000); /* not the 10 s default */
	ck_assert_int_eq(H.done[0].states[0], RES_TIMED_OUT);
	ck_assert_ptr_nonnull(strstr(H.done[0].errors[0], "timed out after 2 s"));
	ck_assert_uint_eq(H.c.stats.actions_timed_out, 1);

	settle(300);
	ck_assert_msg(pid_dead(read_pid("gpid")), "the grandchild survived the timeout");

	/* What it printed before the kill is kept, in a valid frame. */
	size_t len;
	char *out = h_unzstd(&H, "aod_42", "dmesg.txt.zst", &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, "started\n");
	free(out);
	char *manifest = h_read(&H, "aod_42", "manifest.json", NULL);
	ck_assert_ptr_nonnull(strstr(manifest, "\"status\": \"timed out\""));
	ck_assert_ptr_nonnull(strstr(manifest, "\"signal\": \"SIGKILL\""));
	free(manifest);
	h_fini(&H);
}
END_TEST

START_TEST(leader_exit_ends_action_and_stragglers)
{
	h_init(&H, "dmesg");
	char body[512];
	/* The background sleep keeps stdout open after the leader exits. */
	snprintf(body, sizeof(body), "echo hello\nsleep 1000 &\necho $! > %s/gpid\nexit 0\n", H.top);
	h_program(&H, "dmesg", body);
	h_start(&H);

	uint64_t t0 = now_ms();
	submit(7);
	ck_assert_uint_eq(h_run_until(&H, 1, 8000), 1);
	ck_assert_uint_lt(now_ms() - t0, 5000); /* not the 10 s timeout */
	ck_assert_int_eq(H.done[0].states[0], RES_OK);
	settle(200);
	ck_assert(pid_dead(read_pid("gpid")));
	char *out = h_unzstd(&H, "aod_7", "dmesg.txt.zst", NULL);
	ck_assert_str_eq(out, "hello\n");
	free(out);
	h_fini(&H);
}
END_TEST

/* Runs a fake tcpdump with a 1 s duration as collection aod_<ts>; it must
 * end as planned (RES_OK, stopped_at_duration, exit 0), at least min_ms and
 * well before the 10 s timeout, having printed want. */
static void planned_stop(const char *script, uint64_t ts, uint64_t min_ms, const char *want)
{
	char dir[32];
	h_init(&H, "tcpdump");
	H.cfg->tcpdump_duration_sec = 1;
	h_program(&H, "tcpdump", script);
	h_start(&H);

	uint64_t t0 = now_ms();
	submit(ts);
	ck_assert_uint_eq(h_run_until(&H, 1, 8000), 1);
	uint64_t elapsed = now_ms() - t0;
	ck_assert_uint_ge(elapsed, min_ms);
	ck_assert_uint_lt(elapsed, 6000); /* not the 10 s timeout */
	ck_assert_int_eq(H.done[0].states[0], RES_OK);
	snprintf(dir, sizeof(dir), "aod_%llu", (unsigned long long)ts);
	char *out = h_unzstd(&H, dir, "tcpdump.pcap.zst", NULL);
	ck_assert_str_eq(out, want);
	free(out);
	char *manifest = h_read(&H, dir, "manifest.json", NULL);
	ck_assert_ptr_nonnull(strstr(manifest, "\"exit_status\": 0"));
	ck_assert_ptr_nonnull(strstr(manifest, "\"stopped_at_duration\": true"));
	free(manifest);
	h_fini(&H);
}

START_TEST(planned_stop_is_success)
{
	planned_stop("trap 'echo stopped; exit 0' TERM\necho capturing\necho listening on any >&2\n"
		     "while :; do sleep 0.1; done\n",
		     11, 1000, "capturing\nstopped\n");
}
END_TEST

/* A tcpdump slower to start than its duration is not killed by the planned
 * SIGTERM before it can handle it: the stop waits for "listening on". */
START_TEST(planned_stop_waits_until_listening)
{
	planned_stop("sleep 1.5\ntrap 'echo header; exit 0' TERM\necho listening on any >&2\n"
		     "while :; do sleep 0.05; done\n",
		     13, 1500, "header\n");
}
END_TEST

START_TEST(sigterm_ignored_then_killed)
{
	h_init(&H, "tcpdump");
	H.cfg->tcpdump_duration_sec = 1;
	H.cfg->action_timeout_sec = 2;
	h_program(&H, "tcpdump", "trap '' TERM\necho x\necho listening on any >&2\nsleep 1000\n");
	h_start(&H);
	submit(12);
	ck_assert_uint_eq(h_run_until(&H, 1, 8000), 1);
	ck_assert_int_eq(H.done[0].states[0], RES_TIMED_OUT);
	h_fini(&H);
}
END_TEST

START_TEST(size_cap_truncates)
{
	h_init(&H, "tcpdump");
	H.cfg->tcpdump_max_mb = 1;
	h_program(&H, "tcpdump", "exec cat /dev/zero\n");
	h_start(&H);
	submit(13);
	ck_assert_uint_eq(h_run_until(&H, 1, 8000), 1);
	ck_assert_int_eq(H.done[0].states[0], RES_OK);
	size_t len;
	char *out = h_unzstd(&H, "aod_13", "tcpdump.pcap.zst", &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(len, 1u << 20);
	size_t nonzero = 0;
	for (size_t i = 0; i < len; i++) /* (ck_assert per byte is slow) */
		nonzero += out[i] != 0;
	ck_assert_uint_eq(nonzero, 0);
	free(out);
	char *manifest = h_read(&H, "aod_13", "manifest.json", NULL);
	ck_assert_ptr_nonnull(strstr(manifest, "\"bytes\": 1048576,"));
	ck_assert_ptr_nonnull(strstr(manifest, "\"truncated\": true"));
	free(manifest);
	h_fini(&H);
}
END_TEST

START_TEST(zstd_round_trip_of_large_output)
{
	h_init(&H, "dmesg");
	h_program(&H, "dmesg", "exec seq 1 2000000\n");
	h_start(&H);
	submit(14);
	ck_assert_uint_eq(h_run_until(&H, 1, 30000), 1);
	ck_assert_int_eq(H.done[0].states[0], RES_OK);

	size_t len;
	char *out = h_unzstd(&H, "aod_14", "dmesg.txt.zst", &len);
	ck_assert_ptr_nonnull(out);
	char *p = out;
	unsigned bad = 0;
	for (unsigned i = 1; i <= 2000000 && !bad; i++) {
		char line[16];
		int n = snprintf(line, sizeof(line), "%u\n", i);
		if ((size_t)(p - out) + (size_t)n > len || memcmp(p, line, (size_t)n) != 0)
			bad = i;
		p += n;
	}
	ck_assert_msg(bad == 0, "line %u differs", bad);
	ck_assert_uint_eq((size_t)(p - out), len);
	free(out);

	struct stat st;
	char path[512];
	snprintf(path, sizeof(path), "%s/aod_14/dmesg.txt.zst", H.out);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_lt(st.st_size, (off_t)(len / 3));
	char *manifest = h_read(&H, "aod_14", "manifest.json", NULL);
	char want[64];
	snprintf(want, sizeof(want), "\"bytes\": %zu,", len);
	ck_assert_ptr_nonnull(strstr(manifest, want));
	snprintf(want, sizeof(want), "\"bytes_compressed\": %lld", (long long)st.st_size);
	ck_assert_ptr_nonnull(strstr(manifest, want));
	free(manifest);
	h_fini(&H);
}
END_TEST

static unsigned long status_kib(const char *key)
{
	char *st = read_file("/proc/self/status", NULL);
	ck_assert_ptr_nonnull(st);
	const char *p = strstr(st, key);
	ck_assert_ptr_nonnull(p);
	unsigned long kib = strtoul(p + strlen(key), NULL, 10);
	free(st);
	return kib;
}

/* Output streams through the compressor: 256 MiB of it moves the
 * collector's peak resident memory by a few MiB at most. */
START_TEST(memory_stays_bounded)
{
	h_init(&H, "dmesg");
	h_program(&H, "dmesg", "exec head -c 268435456 /dev/zero\n");
	h_start(&H);
	/* the peak so far is the test's; count from now (Linux >= 4.0) */
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "5", 1), 1);
	close(fd);
	unsigned long before = status_kib("VmHWM:");
	submit(19);
	ck_assert_uint_eq(h_run_until(&H, 1, 60000), 1);
	ck_assert_int_eq(H.done[0].states[0], RES_OK);
	unsigned long peak = status_kib("VmHWM:");
	fprintf(stderr, "# 256 MiB collected: peak RSS %lu KiB -> %lu KiB\n", before, peak);
	ck_assert_msg(peak < before + 16 * 1024, "peak RSS grew by %lu KiB", peak - before);
	char *manifest = h_read(&H, "aod_19", "manifest.json", NULL);
	ck_assert_ptr_nonnull(strstr(manifest, "\"bytes\": 268435456,"));
	free(manifest);
	h_fini(&H);
}
END_TEST

START_TEST(missing_program_or_file_is_not_available)
{
	h_init(&H, "smbinfo,debugdata,dmesg");
	h_program(&H, "dmesg", "echo ok\n");
	h_start(&H);
	submit(15);
	ck_assert_uint_eq(h_run_until(&H, 1, 5000), 1);
	ck_assert_int_eq(H.done[0].status, 0);
	ck_assert_int_eq(H.done[0].states[0], RES_NOT_AVAILABLE);
	ck_assert_ptr_nonnull(strstr(H.done[0].errors[0], "smbinfo not found"));
	ck_assert_int_eq(H.done[0].states[1], RES_NOT_AVAILABLE);
	ck_assert_ptr_nonnull(strstr(H.done[0].errors[1], "DebugData does not exist"));
	ck_assert_int_eq(H.done[0].states[2], RES_OK);
	char path[512];
	snprintf(path, sizeof(path), "%s/aod_15/smbinfo.txt.zst", H.out);
	ck_assert_int_ne(access(path, F_OK), 0); /* no empty file for it */
	h_fini(&H);
}
END_TEST

START_TEST(builtins_copy_and_filter)
{
	h_init(&H, "debugdata,stats,mounts,syslogs,journalctl,smbinfo");
	H.cfg->max_concurrent_tasks = 4;
	h_file(&H, "/proc/fs/cifs/DebugData", "Display Internal CIFS Data Structures\n");
	h_file(&H, "/proc/fs/cifs/Stats", "Resources in use\nCIFS Session: 1\n");
	h_file(&H, "/proc/fs/cifs/open_files", "# Version:1\n");
	h_file(&H, "/proc/mounts",
	       "/dev/sda1 / ext4 rw 0 0\n"
	       "//srv/share /mnt/a cifs rw,vers=3.1.1 0 0\n"
	       "srv:/x /mnt/nfs nfs rw 0 0\n"
	       "//srv/other /mnt/with\\040space smb3 rw 0 0\n");
	h_file(&H, "/proc/self/mountinfo",
	       "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
	       "40 22 0:50 / /mnt/a rw,relatime shared:1 - cifs //srv/share rw,vers=3.1.1\n"
	       "41 22 0:51 / /mnt/nfs rw - nfs srv:/x rw\n");
	h_program(&H, "smbinfo", "echo \"smbinfo $1 [$2]\"\n");
	/* A 5 MiB syslog: the tail keeps its last 4 MiB from a line start. */
	size_t line_len = strlen("Nov 22 01:02:03 host kernel: line 0000000\n");
	size_t lines = (5u << 20) / line_len + 1;
	char *syslog = malloc(lines * line_len + 1), *p = syslog;
	for (size_t i = 0; i < lines; i++)
		p += sprintf(p, "Nov 22 01:02:03 host kernel: line %07zu\n", i);
	h_file(&H, "/var/log/syslog", syslog);
	h_start(&H);
	submit(16);
	ck_assert_uint_eq(h_run_until(&H, 1, 10000), 1);
	for (unsigned i = 0; i < 6; i++)
		ck_assert_msg(H.done[0].states[i] == RES_OK, "action %u: %s", i, H.done[0].errors[i]);

	char want[1024];
	char *out = h_unzstd(&H, "aod_16", "debugdata.txt.zst", NULL);
	snprintf(want, sizeof(want), "==> %s/proc/fs/cifs/DebugData <==\n"
		 "Display Internal CIFS Data Structures\n", H.root);
	ck_assert_str_eq(out, want);
	free(out);
	out = h_unzstd(&H, "aod_16", "stats.txt.zst", NULL);
	snprintf(want, sizeof(want), "==> %s/proc/fs/cifs/Stats <==\nResources in use\nCIFS Session: 1\n"
		 "\n==> %s/proc/fs/cifs/open_files <==\n# Version:1\n", H.root, H.root);
	ck_assert_str_eq(out, want);
	free(out);
	out = h_unzstd(&H, "aod_16", "mounts.txt.zst", NULL);
	ck_assert_str_eq(out, "==> /proc/mounts (cifs, smb3) <==\n"
			      "//srv/share /mnt/a cifs rw,vers=3.1.1 0 0\n"
			      "//srv/other /mnt/with\\040space smb3 rw 0 0\n"
			      "\n==> /proc/self/mountinfo (cifs, smb3) <==\n"
			      "40 22 0:50 / /mnt/a rw,relatime shared:1 - cifs //srv/share rw,vers=3.1.1\n");
	free(out);
	out = h_unzstd(&H, "aod_16", "smbinfo.txt.zst", NULL);
	ck_assert_str_eq(out, "==> smbinfo fileallinfo /mnt/a <==\nsmbinfo fileallinfo [/mnt/a]\n"
			      "\n==> smbinfo filefsfullsizeinfo /mnt/a <==\nsmbinfo filefsfullsizeinfo [/mnt/a]\n"
			      "\n==> smbinfo fileallinfo /mnt/with space <==\nsmbinfo fileallinfo [/mnt/with space]\n"
			      "\n==> smbinfo filefsfullsizeinfo /mnt/with space <==\n"
			      "smbinfo filefsfullsizeinfo [/mnt/with space]\n");
	free(out);

	size_t len;
	out = h_unzstd(&H, "aod_16", "syslogs.txt.zst", &len);
	size_t total = lines * line_len;
	size_t cut = total - (4u << 20);
	size_t start = (cut / line_len + 1) * line_len; /* the first whole line */
	if (cut % line_len == 0)
		start = cut + line_len;
	ck_assert_uint_eq(len, total - start);
	ck_assert(memcmp(out, syslog + start, len) == 0);
	free(out);
	/* No journald here: journalctl falls back to the same tail, and says so. */
	out = h_unzstd(&H, "aod_16", "journalctl.txt.zst", &len);
	ck_assert_uint_eq(len, total - start);
	free(out);
	char *manifest = h_read(&H, "aod_16", "manifest.json", NULL);
	ck_assert_ptr_nonnull(strstr(manifest, "\"note\": \"journald is not running: the syslog tail instead\""));
	free(manifest);
	free(syslog);
	h_fini(&H);
}
END_TEST

/* Reads the CapEff mask of the process whose status text is given. */
static unsigned long long cap_eff(const char *status)
{
	const char *p = strstr(status, "CapEff:");
	ck_assert_ptr_nonnull(p);
	return strtoull(p + 7, NULL, 16);
}

START_TEST(builtin_child_keeps_only_its_caps)
{
	h_init(&H, "debugdata,stats");
	/* The builtins copy "their" file: here their own /proc/self/status. */
	char path[512];
	snprintf(path, sizeof(path), "%s/proc/fs/cifs", H.root);
	mkdir_p(path);
	snprintf(path, sizeof(path), "%s/proc/fs/cifs/DebugData", H.root);
	ck_assert_int_eq(symlink("/proc/self/status", path), 0);
	snprintf(path, sizeof(path), "%s/proc/fs/cifs/Stats", H.root);
	ck_assert_int_eq(symlink("/proc/self/status", path), 0);
	h_start(&H);
	submit(17);
	ck_assert_uint_eq(h_run_until(&H, 1, 5000), 1);

	char *mine = read_file("/proc/self/status", NULL);
	unsigned long long have = cap_eff(mine);
	free(mine);
	char *out = h_unzstd(&H, "aod_17", "debugdata.txt.zst", NULL);
	ck_assert_uint_eq(cap_eff(out), 0); /* debugdata needs nothing */
	free(out);
	out = h_unzstd(&H, "aod_17", "stats.txt.zst", NULL);
	/* stats needs CAP_DAC_READ_SEARCH (2) for open_files, and only that. */
	ck_assert_uint_eq(cap_eff(out), have & (1ull << 2));
	free(out);
	h_fini(&H);
}
END_TEST

/* A helper program starts clean: argv as planned, only PATH and LANG, stdin
 * on /dev/null, no descriptor but 0-2 (not even one this process leaked
 * without O_CLOEXEC), its own process group, nothing blocked, no inherited
 * SIG_IGN, and of the capabilities only its action's, ambient too. */
START_TEST(program_starts_clean)
{
	h_init(&H, "dmesg");
	char path[512];
	snprintf(path, sizeof(path), "%s/dmesg", H.bin);
	ck_assert_int_eq(symlink(AOD_BUILD_ROOT "/test/collectord/qa_probe", path), 0);
	ck_assert_int_eq(setenv("AOD_TEST_SECRET", "leaked", 1), 0);
	int leak = open("/dev/zero", O_RDONLY); /* no O_CLOEXEC on purpose */
	ck_assert_int_ge(leak, 3);
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	h_start(&H);
	submit(18);
	ck_assert_uint_eq(h_run_until(&H, 1, 5000), 1);
	ck_assert_int_eq(H.done[0].states[0], RES_OK);
	close(leak);
	unsetenv("AOD_TEST_SECRET");

	char *out = h_unzstd(&H, "aod_18", "dmesg.txt.zst", NULL);
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(strstr(out, "argv: dmesg --time-format iso\n"
				  "env: PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"
				  "env: LANG=C\n"
				  "stdin: /dev/null\n"
				  "fds: 0 1 2\n"
				  "leader: yes\n"
				  "SigBlk:\t0000000000000000\n") == out,
		      "helper started unclean:\n%s", out);
	unsigned long long ign = strtoull(strstr(out, "SigIgn:") + 7, NULL, 16);
	ck_assert_uint_eq(ign & ((1ull << (SIGPIPE - 1)) | (1ull << (SIGUSR2 - 1))), 0);
	/* Only its action's capabilities, as ambient ones: what a non-root
	 * program keeps across exec (root gets every one back from execve;
	 * test_binary checks the daemon as nobody). */
	char *mine = read_file("/proc/self/status", NULL);
	unsigned long long want = cap_eff(mine) & (1ull << 34); /* CAP_SYSLOG, dmesg's one */
	free(mine);
	ck_assert_uint_eq(strtoull(strstr(out, "CapAmb:") + 7, NULL, 16), want);
	if (getuid() != 0)
		ck_assert_uint_eq(cap_eff(out), want);
	free(out);
	h_fini(&H);
}
END_TEST

/* A reader or the sweeper never sees a half-written collection as complete:
 * it is .aod_<ts>.partial while its actions run, and aod_<ts> - manifest
 * included - only once done. */
START_TEST(partial_name_until_complete)
{
	h_init(&H, "dmesg");
	char flag[512], body[1024];
	snprintf(flag, sizeof(flag), "%s/go", H.top);
	snprintf(body, sizeof(body), "echo begun\nwhile [ ! -e %s ]; do sleep 0.05; done\necho end\n",
		 flag);
	h_program(&H, "dmesg", body);
	h_start(&H);
	submit(21);
	char partial[512], complete[512], manifest[600];
	snprintf(partial, sizeof(partial), "%s/.aod_21.partial", H.out);
	snprintf(complete, sizeof(complete), "%s/aod_21", H.out);
	snprintf(manifest, sizeof(manifest), "%s/manifest.json", complete);
	ck_assert_uint_eq(h_run_until(&H, 1, 500), 0); /* the action waits for the flag */
	ck_assert_int_eq(access(partial, F_OK), 0);
	ck_assert_int_ne(access(complete, F_OK), 0);
	write_file(flag, "", 0644);
	ck_assert_uint_eq(h_run_until(&H, 1, 5000), 1);
	ck_assert_int_eq(H.done[0].states[0], RES_OK);
	ck_assert_int_ne(access(partial, F_OK), 0);
	ck_assert_int_eq(access(manifest, F_OK), 0);
	char *out = h_unzstd(&H, "aod_21", "dmesg.txt.zst", NULL);
	ck_assert_str_eq(out, "begun\nend\n");
	free(out);
	h_fini(&H);
}
END_TEST

START_TEST(unwritable_output_dir_is_survived)
{
	h_init(&H, "dmesg");
	h_program(&H, "dmesg", "echo ok\n");
	char file[512];
	snprintf(file, sizeof(file), "%s/file", H.top);
	write_file(file, "not a directory\n", 0644);
	free(H.cfg->output_dir);
	H.cfg->output_dir = malloc(600);
	snprintf(H.cfg->output_dir, 600, "%s/out", file);
	h_start(&H);
	submit(18);
	ck_assert_uint_eq(h_run_until(&H, 1, 5000), 1);
	ck_assert_int_eq(H.done[0].status, -ENOTDIR);
	ck_assert_int_eq(H.done[0].states[0], RES_NOT_RUN);
	ck_assert_ptr_nonnull(strstr(H.done[0].errors[0], "no collection folder"));
	ck_assert_uint_eq(H.c.stats.write_errors, 1);
	ck_assert_uint_eq(H.c.stats.failed, 1);

	/* Still working once the directory is usable. */
	snprintf(H.cfg->output_dir, 600, "%s", H.out);
	submit(19);
	ck_assert_uint_eq(h_run_until(&H, 2, 5000), 2);
	ck_assert_int_eq(H.done[1].status, 0);
	ck_assert_int_eq(H.done[1].states[0], RES_OK);
	ck_assert_uint_eq(H.c.stats.done, 1);
	h_fini(&H);
}
END_TEST

START_TEST(unknown_anomaly_refused_and_manual_runs_all)
{
	h_init(&H, "dmesg");
	h_program(&H, "dmesg", "echo ok\n");
	h_start(&H);
	struct proto_anomaly a = h_anomaly("nope", PROTO_ANOMALY_LATENCY, 20);
	collector_submit(&H.c, &a);
	ck_assert_uint_eq(H.ndone, 1); /* refused at once */
	ck_assert_int_eq(H.done[0].status, -ENOENT);
	ck_assert_uint_eq(H.done[0].n, 0);
	char path[512];
	snprintf(path, sizeof(path), "%s/aod_20", H.out);
	ck_assert_int_ne(access(path, F_OK), 0);

	a = h_anomaly("", PROTO_ANOMALY_MANUAL, 21);
	collector_submit(&H.c, &a);
	ck_assert_uint_eq(h_run_until(&H, 2, 5000), 2);
	ck_assert_uint_eq(H.done[1].n, 8); /* every watcher.actions entry */
	ck_assert_int_eq(H.done[1].states[0], RES_OK); /* dmesg */
	for (unsigned i = 1; i < 8; i++)
		ck_assert_int_eq(H.done[1].states[i], RES_NOT_AVAILABLE);

	a = h_anomaly("latency", PROTO_ANOMALY_MANUAL, 22);
	collector_submit(&H.c, &a);
	ck_assert_uint_eq(h_run_until(&H, 3, 5000), 3);
	ck_assert_uint_eq(H.done[2].n, 1); /* that anomaly's actions */

	a = h_anomaly("manual", PROTO_ANOMALY_MANUAL, 23); /* a label, not a config name */
	collector_submit(&H.c, &a);
	ck_assert_uint_eq(h_run_until(&H, 4, 5000), 4);
	ck_assert_uint_eq(H.done[3].n, 8);
	char *manifest = h_read(&H, "aod_23", "manifest.json", NULL);
	ck_assert_ptr_nonnull(strstr(manifest, "\"name\": \"manual\",\n    \"type\": \"Manual\""));
	free(manifest);
	h_fini(&H);
}
END_TEST

START_TEST(shutdown_kills_running_and_skips_pending)
{
	h_init(&H, "dmesg,journalctl,tcpdump");
	H.cfg->max_concurrent_tasks = 1;
	char body[512];
	snprintf(body, sizeof(body), "echo $$ > %s/gpid\nexec sleep 1000\n", H.top);
	h_program(&H, "dmesg", body);
	h_program(&H, "tcpdump", "echo never\n");
	h_start(&H);
	submit(30);
	settle(300);
	ck_assert_uint_eq(H.ndone, 0);
	uint64_t t0 = now_ms();
	collector_stop(&H.c);
	collector_kill_all(&H.c);
	ck_assert_uint_eq(h_run_until(&H, 1, 4000), 1);
	ck_assert_uint_lt(now_ms() - t0, 2500);
	ck_assert_int_eq(H.done[0].states[0], RES_FAILED);
	ck_assert_str_eq(H.done[0].errors[0], "killed at the shutdown deadline");
	ck_assert_int_eq(H.done[0].states[1], RES_NOT_RUN);
	ck_assert_int_eq(H.done[0].states[2], RES_NOT_RUN);
	ck_assert(collector_idle(&H.c));
	settle(100);
	ck_assert(pid_dead(read_pid("gpid")));
	/* The folder is complete, with the manifest saying all that. */
	char *manifest = h_read(&H, "aod_30", "manifest.json", NULL);
	ck_assert_ptr_nonnull(manifest);
	ck_assert_ptr_nonnull(strstr(manifest, "collectord is shutting down"));
	free(manifest);
	h_fini(&H);
}
END_TEST

START_TEST(same_timestamp_gets_next_name)
{
	h_init(&H, "dmesg");
	h_program(&H, "dmesg", "echo ok\n");
	h_start(&H);
	submit(500);
	submit(500);
	ck_assert_uint_eq(h_run_until(&H, 2, 5000), 2);
	char path[512];
	snprintf(path, sizeof(path), "%s/aod_500/manifest.json", H.out);
	ck_assert_int_eq(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/aod_501/manifest.json", H.out);
	ck_assert_int_eq(access(path, F_OK), 0);
	h_fini(&H);
}
END_TEST

static const char manifest_tmpl[] =
	"{\n"
	"  \"aodv2_version\": \"@VERSION@\",\n"
	"  \"hostname\": \"@HOST@\",\n"
	"  \"kernel_release\": \"@KERNEL@\",\n"
	"  \"collection\": \"aod_1700000000123456789\",\n"
	"  \"status\": \"complete\",\n"
	"  \"duration_ms\": #,\n"
	"  \"anomaly\": {\n"
	"    \"name\": \"latency\",\n"
	"    \"type\": \"Latency\",\n"
	"    \"emergency\": true,\n"
	"    \"scope\": \"share\",\n"
	"    \"server\": \"srv1\",\n"
	"    \"share\": \"\\\\\\\\srv1\\\\data\",\n"
	"    \"scope_other\": false,\n"
	"    \"timestamp_ns\": 1700000000123456789,\n"
	"    \"time\": \"2023-11-14T22:13:20.123456789Z\",\n"
	"    \"summary\": {\n"
	"      \"interval_start_ns\": 1699999999000000000,\n"
	"      \"interval_end_ns\": 1700000000000000000,\n"
	"      \"events_judged\": 1234,\n"
	"      \"violations\": 17,\n"
	"      \"acceptable_count\": 10,\n"
	"      \"in_flight\": 1,\n"
	"      \"commands\": [\n"
	"        {\n"
	"          \"command\": \"SMB2_READ\",\n"
	"          \"count\": 12,\n"
	"          \"p50_ms\": 25.500,\n"
	"          \"p99_ms\": 80.001,\n"
	"          \"max_ms\": 1200.000\n"
	"        },\n"
	"        {\n"
	"          \"command\": \"SMB2_WRITE\",\n"
	"          \"count\": 5,\n"
	"          \"p50_ms\": 60.000,\n"
	"          \"p99_ms\": 70.000,\n"
	"          \"max_ms\": 71.000\n"
	"        }\n"
	"      ],\n"
	"      \"errors\": [\n"
	"        {\n"
	"          \"errno\": \"EIO\",\n"
	"          \"value\": 5,\n"
	"          \"count\": 2\n"
	"        }\n"
	"      ],\n"
	"      \"worst\": [\n"
	"        {\n"
	"          \"command\": \"SMB2_READ\",\n"
	"          \"latency_ms\": 1200.000,\n"
	"          \"errno\": \"EIO\",\n"
	"          \"nt_status\": \"0xc0000185\",\n"
	"          \"session_id\": \"0x0000000012345678\",\n"
	"          \"tree_id\": 7,\n"
	"          \"pid\": 4242,\n"
	"          \"comm\": \"dd \\\"x\\\"\\n\\ufffd\",\n"
	"          \"server\": \"srv1\",\n"
	"          \"address\": \"10.0.0.7\",\n"
	"          \"share\": \"\\\\\\\\srv1\\\\data\"\n"
	"        }\n"
	"      ]\n"
	"    }\n"
	"  },\n"
	"  \"actions\": [\n"
	"    {\n"
	"      \"name\": \"dmesg\",\n"
	"      \"status\": \"ok\",\n"
	"      \"kind\": \"program\",\n"
	"      \"command\": [\n"
	"        \"@BIN@/dmesg\",\n"
	"        \"--time-format\",\n"
	"        \"iso\"\n"
	"      ],\n"
	"      \"output\": \"dmesg.txt.zst\",\n"
	"      \"exit_status\": 0,\n"
	"      \"started_after_ms\": #,\n"
	"      \"duration_ms\": #,\n"
	"      \"bytes\": 6,\n"
	"      \"bytes_compressed\": #\n"
	"    },\n"
	"    {\n"
	"      \"name\": \"tcpdump\",\n"
	"      \"status\": \"failed\",\n"
	"      \"kind\": \"program\",\n"
	"      \"command\": [\n"
	"        \"@BIN@/tcpdump\",\n"
	"        \"-i\",\n"
	"        \"any\",\n"
	"        \"-p\",\n"
	"        \"-n\",\n"
	"        \"-s\",\n"
	"        \"512\",\n"
	"        \"-U\",\n"
	"        \"-w\",\n"
	"        \"-\",\n"
	"        \"port\",\n"
	"        \"445\"\n"
	"      ],\n"
	"      \"output\": \"tcpdump.pcap.zst\",\n"
	"      \"exit_status\": 3,\n"
	"      \"started_after_ms\": #,\n"
	"      \"duration_ms\": #,\n"
	"      \"bytes\": 0,\n"
	"      \"bytes_compressed\": #,\n"
	"      \"stderr\": \"tcpdump: any: No such device\\n\"\n"
	"    },\n"
	"    {\n"
	"      \"name\": \"debugdata\",\n"
	"      \"status\": \"ok\",\n"
	"      \"kind\": \"builtin\",\n"
	"      \"command\": [\n"
	"        \"read @ROOT@/proc/fs/cifs/DebugData\"\n"
	"      ],\n"
	"      \"output\": \"debugdata.txt.zst\",\n"
	"      \"exit_status\": 0,\n"
	"      \"started_after_ms\": #,\n"
	"      \"duration_ms\": #,\n"
	"      \"bytes\": @DDLEN@,\n"
	"      \"bytes_compressed\": #\n"
	"    },\n"
	"    {\n"
	"      \"name\": \"smbinfo\",\n"
	"      \"status\": \"not available\",\n"
	"      \"reason\": \"not available: smbinfo not found in @BIN@\"\n"
	"    }\n"
	"  ]\n"
	"}\n";

START_TEST(manifest_is_exact)
{
	h_init(&H, "dmesg,tcpdump,debugdata,smbinfo");
	h_program(&H, "dmesg", "echo hello\n");
	h_program(&H, "tcpdump", "echo 'tcpdump: any: No such device' >&2\nexit 3\n");
	h_file(&H, "/proc/fs/cifs/DebugData", "data\n");
	h_start(&H);

	struct proto_anomaly a = h_anomaly("latency", PROTO_ANOMALY_LATENCY, 1700000000123456789ull);
	a.emergency = 1;
	a.interval_start_ns = 1699999999000000000ull;
	a.interval_end_ns = 1700000000000000000ull;
	a.events_judged = 1234;
	a.violations = 17;
	a.acceptable_count = 10;
	a.cmds[8] = (struct proto_cmd_stat){ 12, 25500000, 80001000, 1200000000 };
	a.cmds[9] = (struct proto_cmd_stat){ 5, 60000000, 70000000, 71000000 };
	a.n_errnos = 1;
	a.errnos[0] = (struct proto_errno_stat){ .err = 5, .count = 2 };
	a.n_worst = 1;
	a.worst[0] = (struct proto_worst){ .latency_ns = 1200000000, .session_id = 0x12345678,
					   .tree_id = 7, .pid = 4242, .nt_status = 0xc0000185,
					   .err = 5, .command = 8 };
	memcpy(a.worst[0].comm, "dd \"x\"\n\xff", 9);
	a.in_flight = 1;
	strcpy(a.worst[0].server, "srv1");
	strcpy(a.worst[0].address, "10.0.0.7");
	strcpy(a.worst[0].share, "\\\\srv1\\data");
	a.scope = PROTO_SCOPE_SHARE;
	strcpy(a.server, "srv1");
	strcpy(a.share, "\\\\srv1\\data");
	collector_submit(&H.c, &a);
	ck_assert_uint_eq(h_run_until(&H, 1, 5000), 1);

	char *manifest = h_read(&H, "aod_1700000000123456789", "manifest.json", NULL);
	ck_assert_ptr_nonnull(manifest);
	mask_number(manifest, "duration_ms");
	mask_number(manifest, "started_after_ms");
	mask_number(manifest, "bytes_compressed");

	char host[256] = "", ddlen[32];
	struct utsname uts;
	gethostname(host, sizeof(host) - 1);
	uname(&uts);
	char ddsrc[600];
	snprintf(ddsrc, sizeof(ddsrc), "==> %s/proc/fs/cifs/DebugData <==\ndata\n", H.root);
	snprintf(ddlen, sizeof(ddlen), "%zu", strlen(ddsrc));
	char *want = subst(manifest_tmpl, "VERSION", AOD_VERSION, "HOST", host, "KERNEL", uts.release,
			   "BIN", H.bin, "ROOT", H.root, "DDLEN", ddlen, NULL);
	ck_assert_str_eq(manifest, want);
	free(want);
	free(manifest);
	h_fini(&H);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("collector");
	TCase *tc = tcase_create("collector");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, concurrency_limit_held);
	tcase_add_test(tc, timeout_kills_process_group);
	tcase_add_test(tc, leader_exit_ends_action_and_stragglers);
	tcase_add_test(tc, planned_stop_is_success);
	tcase_add_test(tc, planned_stop_waits_until_listening);
	tcase_add_test(tc, sigterm_ignored_then_killed);
	tcase_add_test(tc, size_cap_truncates);
	tcase_add_test(tc, zstd_round_trip_of_large_output);
	tcase_add_test(tc, memory_stays_bounded);
	tcase_add_test(tc, missing_program_or_file_is_not_available);
	tcase_add_test(tc, builtins_copy_and_filter);
	tcase_add_test(tc, builtin_child_keeps_only_its_caps);
	tcase_add_test(tc, program_starts_clean);
	tcase_add_test(tc, partial_name_until_complete);
	tcase_add_test(tc, unwritable_output_dir_is_survived);
	tcase_add_test(tc, unknown_anomaly_refused_and_manual_runs_all);
	tcase_add_test(tc, shutdown_kills_running_and_skips_pending);
	tcase_add_test(tc, same_timestamp_gets_next_name);
	tcase_add_test(tc, manifest_is_exact);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
