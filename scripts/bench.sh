#!/usr/bin/env bash
# Release build of statusbench, then its scenarios; results land in bench-results/ (JSON lines,
# Markdown, SVG). Extra arguments go to the engine and wal scenarios (e.g. --duration 10).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
swift build -c release --product statusbench
.build/release/statusbench engine --writers 1,16,256 "$@"
.build/release/statusbench wal --writers 1,16,256 "$@"
.build/release/statusbench restore
