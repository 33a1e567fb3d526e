/* SPDX-License-Identifier: GPL-2.0-only */
/* SHA-256 (FIPS 180-4) of a file, for the audit trail's reload records. */
#ifndef AOD_SHA256_H
#define AOD_SHA256_H

/* hex (65 bytes) gets the digest of the file at path, read without
 * following a symlink in its last component. 0 or -errno. */
int sha256_file(const char *path, char hex[65]);

#endif
