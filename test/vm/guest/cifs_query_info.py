# SPDX-License-Identifier: GPL-2.0-only
# cifs_query_info.py FILE COUNT INFO_TYPE INFO_CLASS: COUNT passthrough
# QUERY_INFO requests on a cifs FILE through the CIFS_QUERY_INFO ioctl (what
# smbinfo uses), one process; prints "errno-name count" per outcome.
# With an information class the server does not know (Samba answers
# INVALID_INFO_CLASS or INVALID_LEVEL, which cifs maps to EIO) each is an
# SMB2_QUERY_INFO failing with EIO: the error storm 7.x traces as smb3_eio.
import collections
import errno
import fcntl
import os
import struct
import sys

# _IOWR(0xCF, 7, struct smb_query_info): six __u32, 24 bytes
CIFS_QUERY_INFO = (3 << 30) | (24 << 16) | (0xCF << 8) | 7
OUT_LEN = 1024


def main():
    path, count, info_type, info_class = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    seen = collections.Counter()
    fd = os.open(path, os.O_RDONLY)
    for _ in range(count):
        # info_type, file_info_class, additional_information, flags
        # (PASSTHRU_QUERY_INFO 0), input_buffer_length, output_buffer_length
        buf = bytearray(struct.pack("<6I", info_type, info_class, 0, 0, 0, OUT_LEN) + bytes(OUT_LEN))
        try:
            fcntl.ioctl(fd, CIFS_QUERY_INFO, buf)
            seen["OK"] += 1
        except OSError as e:
            seen[errno.errorcode.get(e.errno, str(e.errno))] += 1
    os.close(fd)
    for k, v in sorted(seen.items()):
        print(k, v)


main()
