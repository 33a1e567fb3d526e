/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sd_notify(3) by hand: one datagram to $NOTIFY_SOCKET (a path, or an
 * abstract name written with a leading '@'). Without NOTIFY_SOCKET it does
 * nothing; failures are logged once and never fatal.
 */
#ifndef SUP_NOTIFY_H
#define SUP_NOTIFY_H

/* state: "READY=1", "STOPPING=1", "RELOADING=1", ... Returns 0 or -errno. */
int notify_send(const char *state);

#endif
