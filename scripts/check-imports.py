#!/usr/bin/env python3
"""Fails when a target imports one of this package's modules it does not declare in Package.swift.

The module boundaries are the architecture (the doors — OverdueServer and the `overdue`
executable — reach the database only through OverdueUseCases): SwiftPM would let a target import
a module it links only transitively, so this check keeps the declared graph the real one.
Usage: scripts/check-imports.py (from the repository root; reads `swift package dump-package`).
"""
import json
import os
import re
import subprocess
import sys

package = json.loads(subprocess.run(["swift", "package", "dump-package"], check=True, capture_output=True, text=True).stdout)
local = {t["name"] for t in package["targets"]}
problems = []
for target in package["targets"]:
    declared = set()
    for dep in target["dependencies"]:
        for kind in ("byName", "target"):
            if kind in dep:
                declared.add(dep[kind][0])
    root = target.get("path") or os.path.join("Tests" if target["type"] == "test" else "Sources", target["name"])
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".swift"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    m = re.match(r"\s*(?:@testable\s+|@_\w+\s+)*import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?(\w+)", line)
                    if m and m.group(1) in local and m.group(1) != target["name"] and m.group(1) not in declared:
                        problems.append(f"{path}:{number}: {target['name']} imports {m.group(1)}, which Package.swift does not list among its dependencies")
for p in problems:
    print(p, file=sys.stderr)
if problems:
    print(f"{len(problems)} undeclared import(s) of this package's modules; declare them in Package.swift or go through the layer that owns them", file=sys.stderr)
    sys.exit(1)
print(f"imports match Package.swift ({len(local)} targets)")
