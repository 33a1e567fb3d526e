#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# strict_json.py FILE HEX: FILE must be one JSON document in strict UTF-8
# (no invalid byte, no raw control character in a string), and one of its
# string values must be the bytes HEX as a reader sees them: invalid UTF-8
# replaced by U+FFFD, control characters themselves (escaped in the text).
# Exit 0 when both hold; 1 with the reason otherwise.
import json
import sys


def strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)


def main():
    raw = open(sys.argv[1], 'rb').read()
    try:
        doc = json.loads(raw.decode('utf-8', 'strict'), strict=True)
    except (UnicodeDecodeError, ValueError) as e:
        print(f'{sys.argv[1]}: not strict JSON: {e}')
        return 1
    want = bytes.fromhex(sys.argv[2]).decode('utf-8', 'replace')
    if want not in set(strings(doc)):
        print(f'{sys.argv[1]}: no string value {want!r}')
        return 1
    return 0


sys.exit(main())
