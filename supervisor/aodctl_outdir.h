/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aodctl list and aodctl show: the collections in the output directory,
 * read by aodctl itself with the invoking user's rights (see outdir.h for
 * why and what is trusted). Both return an aodctl exit status.
 */
#ifndef AODCTL_OUTDIR_H
#define AODCTL_OUTDIR_H

/* Newest first: local time, anomaly, type, status, size, name. */
int aodctl_list(const char *dir);
/* Prints NAME's summary.txt. */
int aodctl_show(const char *dir, const char *name);

#endif
