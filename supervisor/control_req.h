/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The requests aodctl sends: status [json], reload, collect [ANOMALY],
 * check-config. Each is checked against the client's rights and its body
 * validated before anything happens.
 */
#ifndef SUP_CONTROL_REQ_H
#define SUP_CONTROL_REQ_H

#include "control.h"
#include "msg.h"

struct sup;

/* The control socket's request handler (control.h); its owner is the sup. */
void control_request(struct ctl_client *c, const struct msg *m);
/* A status gather completed (status.h): answers every waiting client. */
void control_status_ready(struct sup *s);

#endif
