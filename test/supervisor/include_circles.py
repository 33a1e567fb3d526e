#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# include_circles.py DIR: the module-level include graph of DIR, where x.c
# and x.h are one node "x" and x -> y when x.c or x.h includes "y.h" of the
# same folder. Prints every circle (strongly connected component of more
# than one module) and exits 1 if there is one: control flows down, so no
# module may reach itself through the modules it includes.
import os, re, sys
d = sys.argv[1]
files = [f for f in os.listdir(d) if f.endswith(('.c', '.h'))]
mods = {f[:-2] for f in files}
edges = {m: set() for m in mods}
for f in files:
    for line in open(os.path.join(d, f), errors='replace'):
        m = re.match(r'\s*#\s*include\s+"([^"]+)\.h"', line)
        if m and m.group(1) in mods and m.group(1) != f[:-2]:
            edges[f[:-2]].add(m.group(1))
idx, low, on, st, out, n = {}, {}, set(), [], [], [0]
def sc(v):
    idx[v] = low[v] = n[0]; n[0] += 1; st.append(v); on.add(v)
    for w in edges[v]:
        if w not in idx: sc(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], idx[w])
    if low[v] == idx[v]:
        c = []
        while True:
            w = st.pop(); on.discard(w); c.append(w)
            if w == v: break
        if len(c) > 1: out.append(sorted(c))
sys.setrecursionlimit(10000)
for v in sorted(mods):
    if v not in idx: sc(v)
for c in out: print('circle:', ' '.join(c))
print(f'{len(out)} circle(s) among {len(mods)} modules')
sys.exit(1 if out else 0)
