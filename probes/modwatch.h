/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Notices a kernel module appearing and going without polling: a
 * NETLINK_KOBJECT_UEVENT socket receives the kernel's "add@/module/<name>"
 * (sent once the module's init has run) and "remove@/module/<name>". sysfs
 * does not support inotify, so this is the way. A message is only a hint:
 * the caller re-reads the module's state (modwatch_module_state) and acts on
 * that, so a lost, forged or reordered message cannot mislead it.
 */
#ifndef AOD_MODWATCH_H
#define AOD_MODWATCH_H

#include <stdbool.h>
#include <stddef.h>

enum module_state {
	MODULE_ABSENT = 0,
	MODULE_LIVE,       /* loaded and initialised (or built in) */
	MODULE_TRANSIENT,  /* coming or going */
};

/* Non-blocking, close-on-exec uevent socket; fd or -errno. */
int modwatch_open(void);
/* Reads every pending message. Returns 1 when one concerned `module` (or
 * messages were lost, so anything may have changed), 0 when none did,
 * -errno on a socket error. */
int modwatch_drain(int fd, const char *module);
/* Whether a kernel uevent (NUL-separated "ACTION@DEVPATH\0KEY=VALUE\0...")
 * is an add or remove of module. */
bool modwatch_concerns(const char *msg, size_t len, const char *module);
/* /sys/module/<module> state, read from sysfs_module_dir (normally
 * "/sys/module"). */
enum module_state modwatch_module_state(const char *sysfs_module_dir, const char *module);

#endif
