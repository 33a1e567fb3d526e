// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel-supplied text is hostile input: a task's comm with invalid UTF-8
 * and control bytes (an escape sequence, a newline) travels from a binary
 * recording (--source replay:) through detectord into an anomaly, its
 * collection's manifest.json and `aodctl status --json` (the recording's
 * own file name carries the same bytes there), and into the log. Every JSON
 * document must parse with a strict parser (strict_json.py: Python's json
 * over a strict UTF-8 decode) and hold the text with invalid bytes replaced
 * and control bytes escaped; no log line may carry the raw bytes. And a
 * recording from another build is refused naming both ABI versions.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aod_build.h"
#include "recording.h"
#include "suptest.h"
#include "utf8.h"

/* Invalid UTF-8 (0xc3 without its continuation, 0xff), an ANSI escape,
 * a newline, DEL, a C1-looking byte: 15 bytes and the NUL. */
static const char hostile[] = "b\xc3(\x01\x1b[31m\n\x7f\xff\x9bz";

static char json[65536];

static void hex(const char *s, char *out)
{
	for (; *s; s++, out += 2)
		sprintf(out, "%02x", (unsigned char)*s);
	*out = '\0';
}

/* 2000 reads 100 us apart from a task named hostile, every tenth 50 ms:
 * one latency anomaly, as in the CSV-driven tests. */
static void write_binary_recording(const char *path)
{
	struct recording_writer *w;
	ck_assert_int_eq(recording_create(path, &w), 0);
	for (unsigned i = 0; i < 2000; i++) {
		struct aod_event ev = {
			.ts_ns = 1000000000ull + i * 100000ull,
			.latency_ns = i % 10 == 9 ? 50000000ull : 1000000ull,
			.session_id = 7, .tree_id = 1, .message_id = i + 1, .pid = 4242,
			.command = 8 /* SMB2_READ */, .kind = AOD_EV_LATENCY,
		};
		memcpy(ev.comm, hostile, sizeof(hostile));
		ck_assert_int_eq(recording_write(w, &ev, 1), 0);
	}
	ck_assert_int_eq(recording_finish(w), 0);
}

static void assert_strict_json(const char *file, const char *text)
{
	char h[128], cmd[1024];
	hex(text, h);
	snprintf(cmd, sizeof(cmd), "%s %s/test/supervisor/strict_json.py '%s' %s", STRICT_PYTHON,
		 AOD_SOURCE_ROOT, file, h);
	int st = system(cmd);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: not strict JSON holding the text", file);
}

static bool find_manifest(const char *out, char *path, size_t len)
{
	DIR *d = opendir(out);
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "aod_", 4) == 0 && !strchr(de->d_name, '.')) {
			snprintf(path, len, "%s/%s/manifest.json", out, de->d_name);
			found = access(path, R_OK) == 0;
		}
	closedir(d);
	return found;
}

/* No raw control byte but newlines between lines, no invalid UTF-8 (a
 * log line shows such bytes as \xNN); and the comm is there, escaped. */
static void assert_log_escaped(const char *log)
{
	static char buf[1 << 20];
	FILE *f = fopen(log, "rb");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (size_t i = 0; i < n;) {
		const unsigned char *c = (const unsigned char *)buf + i;
		size_t len = utf8_seq_len(c, n - i);
		ck_assert_msg(*c == '\n' || (len && *c >= 0x20 && *c != 0x7f),
			      "raw byte 0x%02x in the log at %zu", *c, i);
		i += len ? len : 1;
	}
	ck_assert_msg(strstr(buf, "by b\\xc3(\\x01\\x1b[31m\\x0a\\x7f\\xff\\x9bz (pid 4242)"),
		      "detectord's anomaly line does not show the comm escaped");
	ck_assert_msg(strstr(buf, "/rec-b\\xc3(\\x01"), "the recording's name is not escaped in the log");
}

START_TEST(hostile_comm_is_escaped_in_json_and_logs)
{
	struct suptest t;
	char manifest[600], status_file[256];

	suptest_init(&t, false, NULL);
	/* the recording's name carries the same bytes into status (no '/') */
	snprintf(t.replay, sizeof(t.replay), "%s/rec-%s.bin", t.dir, hostile);
	write_binary_recording(t.replay);
	suptest_start(&t, NULL, "--replay-speed", "max", NULL);
	ck_assert_msg(suptest_wait_obj_num(&t, "collections", "completed_seen", 1, 60000),
		      "no complete collection");

	ck_assert(find_manifest(t.out, manifest, sizeof(manifest)));
	assert_strict_json(manifest, hostile);

	ck_assert(suptest_status(&t, json, sizeof(json)));
	snprintf(status_file, sizeof(status_file), "%s/status.json", t.dir);
	FILE *f = fopen(status_file, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(json, 1, strlen(json), f), strlen(json));
	ck_assert_int_eq(fclose(f), 0);
	char file[256];
	snprintf(file, sizeof(file), "%s/rec-%s.bin", t.dir, hostile);
	assert_strict_json(status_file, file);

	ck_assert_int_eq(kill(t.pid, SIGTERM), 0);
	int status = suptest_wait_exit(&t, 10000);
	ck_assert(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_log_escaped(t.log);
	suptest_cleanup(&t);
}
END_TEST

/* A binary recording from another build: refused at start with both ABI
 * versions named, not as "not an aodv2 recording". */
START_TEST(recording_of_another_abi_version_is_named)
{
	struct suptest t;
	struct recording_file_header h;
	char want[96];

	suptest_init(&t, false, NULL);
	write_binary_recording(t.replay);
	FILE *f = fopen(t.replay, "r+b");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(&h, sizeof(h), 1, f), 1);
	h.abi_version = AOD_EVENT_ABI_VERSION + 7;
	rewind(f);
	ck_assert_uint_eq(fwrite(&h, sizeof(h), 1, f), 1);
	ck_assert_int_eq(fclose(f), 0);
	suptest_start(&t, NULL, NULL);
	int status = suptest_wait_exit(&t, 20000);
	ck_assert(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) != 0);
	snprintf(want, sizeof(want), "recording ABI version %u, this build reads %u",
		 (unsigned)AOD_EVENT_ABI_VERSION + 7, (unsigned)AOD_EVENT_ABI_VERSION);
	ck_assert_msg(suptest_log_has(&t, want), "the log does not say: %s", want);
	suptest_cleanup(&t);
}
END_TEST

int main(void)
{
	suptest_require_root();
	Suite *s = suite_create("hostile_text");
	TCase *tc = tcase_create("hostile_text");
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, hostile_comm_is_escaped_in_json_and_logs);
	tcase_add_test(tc, recording_of_another_abi_version_is_named);
	suite_add_tcase(s, tc);
	return suptest_run(s);
}
