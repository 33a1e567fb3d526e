#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Every metric a query of the Grafana dashboard names is a series aodv2
exports: the names are taken from the exposition metrics_sample prints
(every family aodv2 writes), histogram suffixes included.
usage: check_dashboard.py DASHBOARD.json METRICS_SAMPLE"""
import json
import re
import subprocess
import sys

IDENT = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*')
# PromQL words that are not metrics; strings and label matchers are removed first
PROMQL = {'sum', 'by', 'without', 'rate', 'increase', 'irate', 'histogram_quantile', 'label_values',
          'avg', 'max', 'min', 'count', 'topk', 'bottomk', 'on', 'ignoring', 'group_left', 'group_right',
          'and', 'or', 'unless', 'offset', 'le', 'server', 'share', 'command', 'errno', 'status',
          'instance', 'anomaly', 'type', 'where', 'worker', 'version', 'job'}


def exported(sample):
    text = subprocess.run([sample], check=True, capture_output=True, text=True).stdout
    names = set()
    for line in text.splitlines():
        m = re.match(r'# TYPE (\S+) (\S+)', line)
        if m:
            names.add(m.group(1))
            if m.group(2) == 'histogram':
                names.update(m.group(1) + s for s in ('_bucket', '_sum', '_count'))
    return names


def queries(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ('expr', 'definition') and isinstance(v, str):
                yield v
            elif k == 'query' and isinstance(v, str) and 'label_values' in v:
                yield v
            else:
                yield from queries(v)
    elif isinstance(node, list):
        for v in node:
            yield from queries(v)


def metric_names(expr):
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)      # strings
    expr = re.sub(r'\{[^}]*\}', '', expr)                  # label matchers
    expr = re.sub(r'\[[^\]]*\]', '', expr)                 # ranges
    expr = re.sub(r'\$\{?\w+\}?', '', expr)                # dashboard variables
    expr = re.sub(r'\b(by|without|on|ignoring)\s*\([^)]*\)', '', expr)  # grouping labels
    return {n for n in IDENT.findall(expr) if n not in PROMQL and not re.fullmatch(r'[0-9.e]+', n)}


def main():
    dash = json.load(open(sys.argv[1]))
    names = exported(sys.argv[2])
    seen, bad = set(), []
    for q in queries(dash):
        for n in metric_names(q):
            seen.add(n)
            if n not in names:
                bad.append((n, q))
    for n, q in bad:
        print(f'dashboard query names {n}, which aodv2 does not export: {q}')
    # the dashboard shows what the issue asks for
    want = {'aodv2_smb_request_duration_seconds_bucket', 'aodv2_smb_errors_total', 'aodv2_anomalies_total',
            'aodv2_collections_total', 'aodv2_events_dropped_total'}
    for n in sorted(want - seen):
        print(f'dashboard has no query on {n}')
        bad.append((n, ''))
    if not seen:
        print('no queries found')
        return 1
    if bad:
        return 1
    print(f'{len(seen)} series named by the dashboard, all exported')
    return 0


if __name__ == '__main__':
    sys.exit(main())
