#!/usr/bin/env bash
# Fails when a Swift file differs from what `swift format` (.swift-format) makes of it; `make fix` formats.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! output=$(swift format lint --strict --recursive Sources Tests Package.swift 2>&1) || [[ -n $output ]]; then
    echo "$output" >&2
    echo "verify-format: run 'make fix' to format" >&2
    exit 1
fi
echo "verify-format: formatted"
