#!/usr/bin/env python3
"""The layering check: every #include between folders of src/ is one that
docs/architecture.md allows.

The module table in docs/architecture.md is the one statement of the
allowed dependencies: its last column ("depends on") names, for each folder,
the folders it may include (other words there, such as SQLite or libre, are
libraries and are not checked; "all" means every other folder). This script
reads that table and fails on

  - a folder of src/ that has no row in the table,
  - an `#include "x/..."` in src/m/ whose folder x is neither m nor named
    in m's row,
  - a cycle among the rows themselves (the allowed dependencies must form
    layers: no folder may reach itself through them).

Usage: tests/check_layers.py [ROOT]   (prints one line per problem, then
"layers: N passed, N failed"; exits non-zero on any problem). tests/run.py
runs it as part of `make test`.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/[^"]+"', re.M)
ROW = re.compile(r"^\|\s*`([a-z_]+)/`\s*\|.*\|\s*([^|]*?)\s*\|\s*$")


def read_table(doc):
    """{module: set of allowed folders, or None for "all"} from the module table."""
    allowed = {}
    with open(doc, encoding="utf-8") as f:
        for line in f:
            m = ROW.match(line)
            if not m:
                continue
            cell = m.group(2)
            if cell.strip() == "all":
                allowed[m.group(1)] = None
                continue
            names = set()
            for word in cell.split(","):
                w = re.match(r"\s*`?([a-z_]+)", word)
                if w:
                    names.add(w.group(1))
            allowed[m.group(1)] = names
    return allowed


def includes(folder):
    """{included folder: first file that includes it} for the .c and .h files of folder."""
    found = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith((".c", ".h")):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            for inc in INCLUDE.findall(f.read()):
                found.setdefault(inc, name)
    return found


def cycle(allowed, modules):
    """One cycle among the allowed dependencies, as a list, or None."""
    state = {}

    def visit(m, path):
        state[m] = 1
        for d in sorted(allowed.get(m) or ()):
            if d not in modules or d == m:
                continue
            if state.get(d) == 1:
                return path[path.index(d):] + [d] if d in path else [m, d]
            if not state.get(d):
                c = visit(d, path + [d])
                if c:
                    return c
        state[m] = 2
        return None

    for m in sorted(modules):
        if not state.get(m) and allowed.get(m) is not None:
            c = visit(m, [m])
            if c:
                return c
    return None


def check(root):
    src = os.path.join(root, "src")
    modules = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
    allowed = read_table(os.path.join(root, "docs", "architecture.md"))
    problems = []
    passed = 0
    for m in modules:
        if m not in allowed:
            problems.append(f"src/{m}/ has no row in docs/architecture.md's module table")
            continue
        ok = True
        for inc, where in sorted(includes(os.path.join(src, m)).items()):
            if inc == m or inc not in modules:
                continue
            if allowed[m] is not None and inc not in allowed[m]:
                problems.append(f"src/{m}/{where} includes {inc}/, which src/{m}/ may not "
                                f"(docs/architecture.md allows: {', '.join(sorted(allowed[m] & set(modules))) or 'nothing'})")
                ok = False
        passed += ok
    c = cycle(allowed, set(modules))
    if c:
        problems.append("the allowed dependencies form a cycle: " + " -> ".join(c))
    else:
        passed += 1
    return passed, problems


def self_test():
    """The check must catch what it is for: a tree with a forbidden include,
    a folder without a row and a cycle in the table gives those three
    problems, and the same tree made right gives none."""
    import tempfile

    def tree(d, table, files):
        os.makedirs(os.path.join(d, "docs"), exist_ok=True)
        with open(os.path.join(d, "docs", "architecture.md"), "w", encoding="utf-8") as f:
            f.write("| module | what | depends on |\n|---|---|---|\n")
            for m, deps in table.items():
                f.write(f"| `{m}/` | x | {deps} |\n")
        for path, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(d, "src", path)), exist_ok=True)
            with open(os.path.join(d, "src", path), "w", encoding="utf-8") as f:
                f.write(text)

    files = {"core/a.c": '#include "core/a.h"\n', "store/s.c": '#include "core/a.h"\n',
             "wo/w.c": '#include "store/s.h"\n#include "http/h.h"\n', "http/h.c": "",
             "cli/c.c": '#include "wo/w.h"\n'}
    with tempfile.TemporaryDirectory() as d:
        tree(d, {"core": "libc", "store": "core, SQLite", "wo": "store, http", "http": "wo",
                 "cli": "all"}, files)
        _, problems = check(d)
        assert any("cycle" in p for p in problems), problems
        tree(d, {"core": "libc", "store": "core, SQLite", "wo": "store", "http": "store",
                 "cli": "all"}, dict(files, **{"report/r.c": ""}))
        _, problems = check(d)
        assert any("src/wo/w.c includes http/" in p for p in problems), problems
        assert any("src/report/ has no row" in p for p in problems), problems
        assert len(problems) == 2, problems
    with tempfile.TemporaryDirectory() as d:
        tree(d, {"core": "libc", "store": "`core`, SQLite", "http": "store", "wo": "store, http",
                 "cli": "all"}, files)
        _, problems = check(d)
        assert problems == [], problems


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(HERE)
    self_test()
    passed, problems = check(root)
    for p in problems:
        print("layers: " + p)
    print(f"layers: {passed} passed, {len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
