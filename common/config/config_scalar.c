// SPDX-License-Identifier: GPL-2.0-only
/*
 * Strict scalar parsers. libcyaml 1.3.1 reads "10abc" as 10 and "080" as 0
 * (strtoll base 0) and takes anything not false-ish as true; these refuse
 * what a person would not mean, with a reason for the error line.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_internal.h"

/* Digits with no leading zero (a leading zero is octal in YAML 1.1). */
static const char *scan_digits(const char *s, const char *not_number, const char **why)
{
	const char *start = s;

	while (*s >= '0' && *s <= '9')
		s++;
	if (s == start) {
		*why = not_number;
		return NULL;
	}
	if (*start == '0' && s - start > 1) {
		*why = "has a leading 0, which YAML 1.1 reads as octal; write it without";
		return NULL;
	}
	return s;
}

int cfg_parse_u32(const char *text, uint32_t min, uint32_t max, uint32_t *out, const char **why)
{
	const char *end = scan_digits(text, "is not a whole number", why);
	unsigned long long v;

	if (!end)
		return -EINVAL;
	if (*end) {
		*why = "is not a whole number";
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(text, NULL, 10);
	if (errno == ERANGE || v < min || v > max) {
		*why = "is out of range";
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

int cfg_parse_double(const char *text, double min, double max, double *out, const char **why)
{
	const char *s = text;
	char *end;
	double v;

	if (*s != '.') {
		s = scan_digits(s, "is not a number", why);
		if (!s)
			return -EINVAL;
	}
	if (*s == '.') {
		const char *frac = ++s;

		while (*s >= '0' && *s <= '9')
			s++;
		if (s == frac) {
			*why = "is not a number";
			return -EINVAL;
		}
	}
	if (*s == 'e' || *s == 'E') {
		const char *exp;

		s++;
		if (*s == '+' || *s == '-')
			s++;
		exp = s;
		while (*s >= '0' && *s <= '9')
			s++;
		if (s == exp) {
			*why = "is not a number";
			return -EINVAL;
		}
	}
	if (*s) {
		*why = "is not a number";
		return -EINVAL;
	}
	errno = 0;
	v = strtod(text, &end);
	if (*end) { /* a locale with a decimal comma: refuse rather than misread */
		*why = "is not a number";
		return -EINVAL;
	}
	if (errno == ERANGE || !isfinite(v) || v < min || v > max) {
		*why = "is out of range";
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int cfg_parse_bool(const char *text, bool *out, const char **why)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };

	for (unsigned i = 0; i < 3; i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	*why = "is not a boolean (true/false, yes/no, on/off)";
	return -EINVAL;
}

int cfg_parse_abspath(const char *text, size_t max_len, const char **why)
{
	if (text[0] != '/') {
		*why = "must be an absolute path";
		return -EINVAL;
	}
	if (strlen(text) > max_len) {
		*why = "is too long";
		return -EINVAL;
	}
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			*why = "must not contain control characters";
			return -EINVAL;
		}
	}
	return 0;
}

/* POSIX portable user names as useradd(8) accepts them by default. */
int cfg_parse_user(const char *text, const char **why)
{
	size_t len = strlen(text);

	*why = "is not a valid user name ([a-z_][a-z0-9_-]*, at most 32 characters)";
	if (len == 0 || len > 32)
		return -EINVAL;
	if (!(text[0] == '_' || (text[0] >= 'a' && text[0] <= 'z')))
		return -EINVAL;
	for (size_t i = 1; i < len; i++) {
		char c = text[i];

		if (!(c == '_' || c == '-' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return -EINVAL;
	}
	return 0;
}

bool cfg_anomaly_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > CFG_ANOMALY_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* ---- enums and names ---- */

static const char *const type_names[] = { [AOD_TYPE_LATENCY] = "Latency",
					  [AOD_TYPE_ERROR] = "Error" };
static const char *const tool_names[] = { [AOD_TOOL_SMBSLOWER] = "smbslower",
					  [AOD_TOOL_SMBIOSNOOP] = "smbiosnoop" };
static const char *const mode_names[] = { [AOD_MODE_ALL] = "all",
					  [AOD_MODE_TRACKONLY] = "trackonly",
					  [AOD_MODE_EXCLUDEONLY] = "excludeonly" };
static const char *const scope_names[] = { [AOD_SCOPE_HOST] = "host", [AOD_SCOPE_SERVER] = "server",
					   [AOD_SCOPE_SHARE] = "share" };

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static int enum_from(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 1; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

int cfg_type_from_name(const char *name)
{
	return enum_from(type_names, ARRAY_LEN(type_names), name);
}

int cfg_tool_from_name(const char *name)
{
	return enum_from(tool_names, ARRAY_LEN(tool_names), name);
}

int cfg_mode_from_name(const char *name)
{
	return enum_from(mode_names, ARRAY_LEN(mode_names), name);
}

int cfg_scope_from_name(const char *name)
{
	return enum_from(scope_names, ARRAY_LEN(scope_names), name);
}

const char *config_type_name(enum aod_anomaly_type type)
{
	return (unsigned)type - 1 < ARRAY_LEN(type_names) - 1 ? type_names[type] : NULL;
}

const char *config_tool_name(enum aod_tool tool)
{
	return (unsigned)tool - 1 < ARRAY_LEN(tool_names) - 1 ? tool_names[tool] : NULL;
}

const char *config_mode_name(enum aod_mode mode)
{
	return (unsigned)mode - 1 < ARRAY_LEN(mode_names) - 1 ? mode_names[mode] : NULL;
}

const char *config_scope_name(enum aod_scope scope)
{
	return (unsigned)scope - 1 < ARRAY_LEN(scope_names) - 1 ? scope_names[scope] : NULL;
}

/* The QuickActions collectord implements (see action_caps.h for theirs). */
static const char *const quick_actions[] = {
	"tcpdump", "dmesg", "journalctl", "debugdata", "stats", "mounts", "smbinfo", "syslogs",
	"blocked_tasks",
};

bool config_action_known(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(quick_actions); i++)
		if (strcmp(quick_actions[i], name) == 0)
			return true;
	return false;
}

const char *config_action_name_at(unsigned idx)
{
	return idx < ARRAY_LEN(quick_actions) ? quick_actions[idx] : NULL;
}
