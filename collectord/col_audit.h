/* SPDX-License-Identifier: GPL-2.0-only */
/* collectord's audit records (audit.h): every action of a finished
 * collection with its command, exit, bytes and duration. */
#ifndef AOD_COL_AUDIT_H
#define AOD_COL_AUDIT_H

#include "collection.h"

void col_audit(const struct collection *col);

#endif
