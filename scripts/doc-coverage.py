#!/usr/bin/env python3
"""Public symbols without a doc comment, as file:line: symbol, from the symbol graphs that
`make docs` extracts (.build/*/extracted-symbols). Symbols that implement a protocol requirement
inherit its documentation in DocC and are listed only with --strict. Exit status 1 when any
symbol is listed and --check is given."""
import glob, json, os, sys

strict, check = "--strict" in sys.argv, "--check" in sys.argv
missing = []
for path in glob.glob(".build/*/extracted-symbols/*/*/*.symbols.json"):
    graph = json.load(open(path))
    requirements = {r["source"] for r in graph.get("relationships", [])
                    if r["kind"] in ("requirementOf", "defaultImplementationOf")}
    implements = {r["source"] for r in graph.get("relationships", [])
                  if r["kind"] == "conformsTo" or r["kind"] == "defaultImplementationOf"}
    for s in graph["symbols"]:
        if s.get("docComment") or "location" not in s or s["kind"]["identifier"] == "swift.extension":
            continue
        if not strict and s["identifier"]["precise"] in implements:
            continue
        name = ".".join(s["pathComponents"])
        uri = s["location"]["uri"].replace("file://", "")
        line = s["location"]["position"]["line"] + 1
        missing.append((os.path.relpath(uri), line, name))
for file, line, name in sorted(set(missing)):
    print(f"{file}:{line}: {name}")
sys.exit(1 if check and missing else 0)
