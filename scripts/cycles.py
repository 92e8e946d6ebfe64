#!/usr/bin/env python3
"""cycles.py: include and call cycles among daemon/ modules.

A module is daemon/NAME.c with daemon/NAME.h (and its private headers
NAME_impl.h, NAME_internal.h).  An arrow A -> B is an
#include "daemon/B.h" in A's files, or a call in A.c of a function that
B.c defines (non-static definitions found by a line-based scan: a line
that starts with the name and "(" after a line that holds the return
type, as the house style writes them).  The strongly connected
components with more than one module are the cycles; those wholly inside
the connection core (conn, dispatch, req, workq, server) are allowed.

  scripts/cycles.py [--check] [SRCDIR]

Prints each cycle's modules and the arrows inside it, then the layers
(daemon/'s folders) and which use which.  With --check (CI) exits 1 if a
cycle reaches outside the core, or a layer uses one above it in LAYERS.
"""
import os
import re
import sys

CORE = {"conn", "dispatch", "req", "workq", "server"}
# The layers, the folders under daemon/, lowest first: a module may use
# its own layer and those before it, never one after (doc/layout.md).
LAYERS = ["stir", "base", "store", "pki", "fleet", "keys", "sign", "core", "verify", "ops",
          "daemon"]


def modules(daemon):
    """NAME -> its files, and NAME -> its layer (the folder under daemon/)."""
    mods, layer = {}, {}
    for dirpath, _, names in sorted(os.walk(daemon)):
        for f in sorted(names):
            base, ext = os.path.splitext(f)
            if ext in (".c", ".h"):
                mods.setdefault(base, []).append(os.path.join(dirpath, f))
                rel = os.path.relpath(dirpath, daemon)
                layer[base] = "daemon" if rel == "." else rel.split(os.sep)[0]
    # NAME_impl.h and NAME_internal.h are NAME's own private headers
    for base in list(mods):
        for suffix in ("_impl", "_internal"):
            owner = base[:-len(suffix)]
            if base.endswith(suffix) and owner in mods and \
                    all(f.endswith(".h") for f in mods[base]):
                mods[owner] += mods.pop(base)
    return mods, layer


def read(path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read()


def definitions(mods):
    """name -> module, for functions defined non-static in a .c file."""
    owner = {}
    for mod, files in mods.items():
        for path in files:
            if not path.endswith(".c"):
                continue
            lines = read(path).splitlines()
            for i in range(1, len(lines)):
                m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\(", lines[i])
                if m and not lines[i - 1].startswith("static") and \
                        not lines[i - 1].startswith("#") and lines[i - 1].strip():
                    owner.setdefault(m.group(1), mod)
    return owner


def arrows(mods, owner):
    edges = {m: {} for m in mods}
    for mod, files in mods.items():
        for path in files:
            text = read(path)
            for inc in re.findall(r'#include\s+"daemon/(?:[a-z]+/)?([A-Za-z0-9_]+)\.h"', text):
                if inc in mods and inc != mod:
                    edges[mod].setdefault(inc, set()).add("include")
            if not path.endswith(".c"):
                continue
            body = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
            for name in set(re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(", body)):
                dst = owner.get(name)
                if dst is not None and dst != mod:
                    edges[mod].setdefault(dst, set()).add(name)
    return edges


def sccs(edges):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    src = args[0] if args else os.path.join(os.path.dirname(__file__), "..")
    mods, layer = modules(os.path.join(src, "daemon"))
    edges = arrows(mods, definitions(mods))
    narrows = sum(len(v) for v in edges.values())
    bad = 0
    cycles = sccs(edges)
    print("%d modules, %d arrows, %d cycle(s)" % (len(mods), narrows, len(cycles)))
    for comp in cycles:
        outside = [m for m in comp if m not in CORE]
        if outside:
            bad += 1
        print("cycle%s: %s" % ("" if outside else " (connection core)", " ".join(comp)))
        for a in comp:
            for b in sorted(edges[a]):
                if b in comp:
                    why = sorted(edges[a][b])
                    print("  %s -> %s: %s" % (a, b, ", ".join(why[:4]) +
                                              (" ..." if len(why) > 4 else "")))
    # the layers: the folders under daemon/, and which use which
    ledges = {}
    for a in edges:
        for b in edges[a]:
            la, lb = layer[a], layer[b]
            if la != lb:
                ledges.setdefault(la, {}).setdefault(lb, set()).add("%s -> %s" % (a, b))
    for l in set(layer.values()):
        ledges.setdefault(l, {})
    lcycles = sccs({l: dict(v) for l, v in ledges.items()})
    print("%d layers, %d layer cycle(s)" % (len(ledges), len(lcycles)))
    for l in sorted(ledges):
        print("layer %s uses: %s" % (l, " ".join(sorted(ledges[l])) or "-"))
    for la in sorted(ledges):
        for lb in sorted(ledges[la]):
            if la not in LAYERS or lb not in LAYERS or LAYERS.index(lb) > LAYERS.index(la):
                bad += 1
                why = sorted(ledges[la][lb])
                print("upward: %s -> %s: %s" % (la, lb, ", ".join(why[:6])))
    for comp in lcycles:
        bad += 1
        print("layer cycle: %s" % " ".join(comp))
        for a in comp:
            for b in sorted(ledges[a]):
                if b in comp:
                    why = sorted(ledges[a][b])
                    print("  %s -> %s: %s" % (a, b, ", ".join(why[:6]) +
                                              (" ..." if len(why) > 6 else "")))
    return 1 if check and bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
