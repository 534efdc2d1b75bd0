#!/usr/bin/env bash
# Fails when a multi-line string literal in Sources holds markup, a stylesheet or a script: HTML, CSS,
# JavaScript, Mustache, SVG and XML live in files next to the code that serves them (SwiftPM resources,
# embedded in the binary), where an editor, a linter and a browser's tools can read them.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 - <<'PY'
import pathlib, re, sys

literal = re.compile(r'#*"""\n(.*?)\n[ \t]*"""#*', re.S)
markup = re.compile(r"<[A-Za-z!?/][^>\n]*>|\bfunction\s*\(|=>\s*\{|^\s*[.#@:a-z][\w .#:>*,-]*\{[^}\n]*:[^}\n]*;", re.M)
found = []
for path in sorted(pathlib.Path("Sources").rglob("*.swift")):
    text = path.read_text()
    for match in literal.finditer(text):
        hit = markup.search(match.group(1))
        if hit:
            line = text.count("\n", 0, match.start()) + 1
            found.append("%s:%d: %s" % (path, line, hit.group(0).strip()[:60]))
if found:
    print("verify-markup: markup in a Swift string literal; move it to a resource file:", file=sys.stderr)
    print("\n".join(found), file=sys.stderr)
    sys.exit(1)
print("verify-markup: no markup in Swift string literals")
PY
