#!/usr/bin/env bash
# Fails when a module imports across the boundaries of DESIGN.md "Modules".
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
check() {
    local folder=$1 pattern=$2 reason=$3
    local hits
    hits=$(grep -rnE "^\s*(@[A-Za-z_]+(\([^)]*\))?\s+)*((public|package|internal|private|fileprivate)\s+)?import\s+($pattern)\b" "$folder" || true)
    if [[ -n $hits ]]; then
        echo "verify-imports: $reason" >&2
        echo "$hits" >&2
        status=1
    fi
}

check Sources/Engine "Persistence|Server|Bench|Hummingbird[A-Za-z]*|NIOPosix|NIOHTTP[A-Za-z0-9]*|WebSocket[A-Za-z]*|CLZ4" \
    "Engine holds the domain: no persistence, HTTP or real I/O"
check Sources/Persistence "Server|Bench|Hummingbird[A-Za-z]*|HTTPTypes|NIOHTTP[A-Za-z0-9]*|WebSocket[A-Za-z]*" \
    "Persistence knows nothing of HTTP"
check Sources/Bench "Server" "an executable cannot be linked into another: Bench drives statusd as a process"

if ((status == 0)); then echo "verify-imports: module boundaries hold"; fi
exit $status
