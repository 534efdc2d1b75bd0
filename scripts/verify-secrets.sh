#!/usr/bin/env bash
# Fails when a secret, a hash of one or a MAC is compared with == or != anywhere in Sources/: every
# such comparison goes through constantTimeEqual (Sources/Engine/Core/ConstantTime.swift), whose time
# does not depend on where the bytes differ. Names are the project's: *Hash, *hash, secret, mac,
# digest, token (a token compared whole is a secret too).
set -euo pipefail
cd "$(dirname "$0")/.."

names='[A-Za-z_.]*([Hh]ash|[Ss]ecret|[Mm]ac|MAC|[Dd]igest|[Tt]oken)[A-Za-z_]*'
hits=$(grep -rnE "(\b${names}\s*[!=]=[^=])|([^!=<>]=[=]\s*${names}\b)|(![=]\s*${names}\b)" Sources --include='*.swift' \
    | grep -vE '^\S+:\s*///|//.*(not a secret|public)' \
    | grep -vE '\b(passwordHash|tokenHash|secretHash)\s*[!=]= nil\b|[!=]= nil\b' || true)
if [[ -n $hits ]]; then
    echo "verify-secrets: compare secrets with constantTimeEqual, not == or !=" >&2
    echo "$hits" >&2
    exit 1
fi
echo "verify-secrets: every secret comparison is constant-time"
