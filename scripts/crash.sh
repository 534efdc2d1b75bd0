#!/usr/bin/env bash
# The long crash campaign: statusd killed with SIGKILL at random moments under load, many
# times, checked after each restart (scripts/crash-campaign.py says what). KILLS and SECONDS bound it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/python-tools.sh --for crash
swift build --product statusd
# A copy: a rebuild during a long campaign must not swap the binary between two restarts.
binary=$(mktemp /tmp/statusd-crash-XXXXXX)
trap 'rm -f "$binary"' EXIT
cp .build/debug/statusd "$binary"
chmod 0755 "$binary"
.build-python/bin/python scripts/crash-campaign.py --statusd "$binary" \
    --kills "${KILLS:-100}" --seconds "${SECONDS_PER_KILL:-3}" --report bench-results/crash.jsonl
