/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Dropping privileges in a freshly exec'd worker, before it does any work:
 * switch to the service user (falling back to "nobody" with a loud warning
 * when it does not exist), clear supplementary groups and the bounding set,
 * keep exactly the listed capabilities (also as ambient ones, so helper
 * programs the worker execs inherit them), set PR_SET_NO_NEW_PRIVS, and close
 * every fd above the ones it was given.
 */
#ifndef AOD_PRIVDROP_H
#define AOD_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

#define AOD_SERVICE_USER "aodv2"
#define AOD_FALLBACK_USER "nobody"

/* Resolves user; returns 0 or -errno (-ENOENT for a user that does not
 * exist). Only the default AOD_SERVICE_USER falls back to AOD_FALLBACK_USER
 * when missing (*fell_back set, a warning logged); any other name must exist. */
int privdrop_resolve(const char *user, uid_t *uid, gid_t *gid, int *fell_back);
/* caps: CAP_* numbers to keep (permitted, effective, inheritable, ambient).
 * Returns 0 or -errno; on failure the caller must exit. */
int privdrop_apply(uid_t uid, gid_t gid, const int *caps, size_t ncaps);
/* Closes every fd >= lowfd (close_range where available); the syslog
 * connection (log.h) is reopened afterwards, below or above lowfd. */
void privdrop_close_fds_from(int lowfd);
/* The same without touching the syslog connection: for a forked child
 * about to exec (glibc's syslog socket is close-on-exec anyway). Falls back
 * to /proc/self/fd where close_range(2) is missing (before Linux 5.9). */
void privdrop_close_fds_raw(int lowfd);
/* Parses "cap_syslog,cap_net_raw" into CAP_* numbers; returns count or -EINVAL. */
int privdrop_parse_caps(const char *list, int *caps, size_t max);

#endif
