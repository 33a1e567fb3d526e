// SPDX-License-Identifier: GPL-2.0-only
#include "privdrop.h"

#include <cap-ng.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

static int privdrop_lookup(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int rc = getpwnam_r(user, &pw, buf, sizeof(buf), &res);

	if (rc != 0)
		return -rc;
	if (!res)
		return -ENOENT;
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	return 0;
}

int privdrop_resolve(const char *user, uid_t *uid, gid_t *gid, int *fell_back)
{
	if (!user || !*user)
		user = AOD_SERVICE_USER;
	*fell_back = 0;
	int rc = privdrop_lookup(user, uid, gid);
	/* Only the default user may be missing (installed without the package's
	 * user): a name someone wrote and got wrong must not quietly become
	 * nobody. Who wants nobody writes service_user: nobody. */
	if (rc != -ENOENT || strcmp(user, AOD_SERVICE_USER) != 0)
		return rc;
	rc = privdrop_lookup(AOD_FALLBACK_USER, uid, gid);
	if (rc == 0) {
		*fell_back = 1;
		log_warn("service user '%s' does not exist: running as '%s' instead; create it "
			 "(useradd --system %s) so aodv2 files are not shared with other daemons",
			 user, AOD_FALLBACK_USER, user);
	}
	return rc;
}

/* Ambient capabilities need the capability in both permitted and
 * inheritable, which capng_change_id has applied by the time we get here. */
static int privdrop_raise_ambient(const int *caps, size_t ncaps)
{
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
		return -errno;
	for (size_t i = 0; i < ncaps; i++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)caps[i], 0, 0) != 0)
			return -errno;
	return 0;
}

/* After dropping, root must be out of reach: a later setuid(0) that works
 * means the drop did not happen, and the worker must not run. */
static int privdrop_verify(uid_t uid, gid_t gid)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0)
		return -errno;
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid)
		return -EPERM;
	if (uid != 0 && setuid(0) == 0)
		return -EPERM;
	if (getgroups(0, NULL) > 0 && uid != 0)
		return -EPERM;
	return 0;
}

static int privdrop_stage_caps(const int *caps, size_t ncaps)
{
	capng_clear(CAPNG_SELECT_BOTH);
	for (size_t i = 0; i < ncaps; i++) {
		if (caps[i] < 0 || caps[i] > CAP_LAST_CAP)
			return -EINVAL;
		if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE,
				 (unsigned)caps[i]) != 0)
			return -EINVAL;
	}
	return 0;
}

int privdrop_apply(uid_t uid, gid_t gid, const int *caps, size_t ncaps)
{
	int rc = privdrop_stage_caps(caps, ncaps);
	if (rc < 0)
		return rc;

	if (geteuid() == 0) {
		/* Staged caps then change_id, without capng_apply first (KERNEL.md). */
		rc = capng_change_id((int)uid, (int)gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
		if (rc != 0) {
			log_error("privdrop: capng_change_id(%u, %u) failed (%d)", (unsigned)uid,
				  (unsigned)gid, rc);
			return -EPERM;
		}
	} else if (getuid() == uid) {
		/* Already the target user (a developer run): just shed what we hold. */
		if (capng_apply(CAPNG_SELECT_CAPS) != 0)
			return -EPERM;
	} else {
		return -EPERM;
	}

	rc = privdrop_raise_ambient(caps, ncaps);
	if (rc < 0) {
		log_error("privdrop: cannot raise ambient capabilities: %s", strerror(-rc));
		return rc;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		rc = -errno;
		log_error("privdrop: PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return rc;
	}
	rc = privdrop_verify(uid, gid);
	if (rc < 0)
		log_error("privdrop: still privileged after dropping to uid %u", (unsigned)uid);
	return rc;
}

static void privdrop_close_fds_slow(int lowfd)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		for (int fd = lowfd; fd < 65536; fd++)
			close(fd);
		return;
	}
	int own = dirfd(d);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		if (*end || end == de->d_name || fd < lowfd || fd == own)
			continue;
		close((int)fd);
	}
	closedir(d);
}

void privdrop_close_fds_raw(int lowfd)
{
	if (lowfd < 0)
		lowfd = 0;
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0u, 0u) != 0)
		privdrop_close_fds_slow(lowfd);
}

void privdrop_close_fds_from(int lowfd)
{
	/* syslog's socket is among the fds closed: glibc must forget it, or
	 * it would later write to (and close) whatever reuses the number. */
	log_disconnect();
	privdrop_close_fds_raw(lowfd);
	log_reconnect();
}

int privdrop_parse_caps(const char *list, int *caps, size_t max)
{
	if (!list)
		return -EINVAL;
	char *copy = strdup(list);
	if (!copy)
		return -ENOMEM;
	int n = 0, rc = 0;
	char *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const char *name = tok;
		if (strncasecmp(name, "cap_", 4) == 0)
			name += 4;
		int cap = capng_name_to_capability(name);
		if (cap < 0 || (size_t)n >= max) {
			rc = -EINVAL;
			break;
		}
		caps[n++] = cap;
	}
	free(copy);
	return rc < 0 ? rc : n;
}
