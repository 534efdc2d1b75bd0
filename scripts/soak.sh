#!/usr/bin/env bash
# make soak: statusd under mixed reads, writes and live subscribers for SOAK_MINUTES (default
# 10); prints throughput, p99 and RSS every 10 s, draws docs/soak.svg, and fails if any request fails
# or RSS grows after the warm-up (scripts/soak.py says how). SOAK_BUILD=debug skips the release build.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${SOAK_BUILD:-release}
scripts/setup.sh
scripts/python-tools.sh --for e2e
swift build -c "$build" --product statusd
# A copy: a rebuild during the soak must not swap the binary under it.
binary=$(mktemp /tmp/statusd-soak-XXXXXX)
trap 'rm -f "$binary"' EXIT
cp ".build/$build/statusd" "$binary"
chmod 0755 "$binary"
.build-python/bin/python scripts/soak.py --statusd "$binary" --build "$build" --minutes "${SOAK_MINUTES:-10}" \
    --svg docs/soak.svg --report bench-results/soak.jsonl
