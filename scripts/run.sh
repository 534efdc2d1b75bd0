#!/usr/bin/env bash
# Builds statusd and starts it on loopback; an empty data directory first gets the demo organization
# from snapshots/demo.lz4. PORT (default 8080) and DATA_DIR (default ./data) pick the port and folder.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
echo "run: building statusd (the first build fetches and compiles dependencies: a few minutes)"
swift build --product statusd
statusd=.build/debug/statusd
data=${DATA_DIR:-data}

if ! ls "$data"/wal/*.wal "$data"/snapshots/*.lz4 >/dev/null 2>&1; then
    "$statusd" restore snapshots/demo.lz4 --data-dir "$data"
fi
exec "$statusd" serve --host 127.0.0.1 --port "${PORT:-8080}" --data-dir "$data"
