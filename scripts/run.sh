#!/usr/bin/env bash
# Builds statusd and starts it on loopback with the demo organization; prints the URLs.
# PORT (default 8080) picks the port.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
echo "run: building statusd (the first build fetches and compiles dependencies: a few minutes)"
swift build --product statusd
exec .build/debug/statusd serve --host 127.0.0.1 --port "${PORT:-8080}" --demo
