#!/usr/bin/env bash
# Fails when a module imports across the boundaries of docs/ARCHITECTURE.md. The compiler holds the
# target graph itself (Package.swift; the CI build runs with the explicit import check), so a target
# can only import what it declares; these lines keep heavy dependencies out of the low targets, where
# adding one to Package.swift would also compile.
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
check Sources/Persistence "Server|Bench|Hummingbird[A-Za-z]*|HTTPTypes|NIOHTTP[A-Za-z0-9]*|WebSocket[A-Za-z]*|PostgresNIO|PostgresLog" \
    "Persistence knows nothing of HTTP, and no database client (the log on PostgreSQL is Sources/Server/PostgresLog)"
check Sources/Engine "PostgresNIO|PostgresLog|AsyncHTTPClient" "Engine holds the domain: no database or HTTP client"
check Sources/Server/Outbound "AsyncHTTPClient|NIOSSL|Hummingbird[A-Za-z]*" \
    "Outbound is addresses, policy and DNS, fuzzed without an HTTP or TLS stack (the client is OutboundClient)"
check Sources/Bench "statusd|Wire|Auth|Live|Lifecycle|HTTP|StatuspageCompat|Outbound|OutboundClient" \
    "Bench drives statusd as a process; it links the core only"
check Sources/Server/Wire "Persistence|Hummingbird[A-Za-z]*|NIOPosix|NIOHTTP[A-Za-z0-9]*|Auth|Live|HTTP|StatuspageCompat" \
    "Wire is the shapes on the wire: no I/O, no HTTP framework"
check Sources/Server/Auth "Persistence|Hummingbird[A-Za-z]*|Live|HTTP|StatuspageCompat" \
    "Auth reads credentials from an HTTP head, below any router"
check Sources/Server/Live "Persistence|Hummingbird[A-Za-z]*|HTTP|StatuspageCompat" \
    "Live is the feeds on NIO: no router"
check Sources/Server/HTTP "StatuspageCompat|statusd" "HTTP knows no dialect and no executable"

if ((status == 0)); then echo "verify-imports: module boundaries hold"; fi
exit $status
