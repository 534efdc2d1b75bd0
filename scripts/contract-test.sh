#!/usr/bin/env bash
# Holds a running statusd to its OpenAPI document with schemathesis: every operation, failing on a
# 5xx, an answer that does not match its schema or content type, a status the document does not
# list, or another method on a documented path not answered 405. Starts its own statusd (the debug
# build unless STATUSD_BINARY says otherwise) on a free loopback port with a throwaway data
# directory, and stops it at the end.
#   SCHEMATHESIS_EXAMPLES  test cases per operation and phase (default 30)
#   SCHEMATHESIS_SEED      the generator's seed (default 1: the same cases on every run)
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${STATUSD_BINARY:-$PWD/.build/debug/statusd}
examples=${SCHEMATHESIS_EXAMPLES:-30}
seed=${SCHEMATHESIS_SEED:-1}
scripts/python-tools.sh --for contract
work=$(mktemp -d)
server_pid=""
cleanup() {
    if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

STATUSD_TEST_KDF_LOG2=10 "$binary" serve --host 127.0.0.1 --port 0 --data-dir "$work/data" --demo \
    >"$work/stdout" 2>"$work/stderr" &
server_pid=$!
for _ in $(seq 1 100); do
    base=$(sed -n 's/^statusd listening on //p' "$work/stdout")
    [[ -n $base ]] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/stderr" >&2; exit 1; }
    sleep 0.1
done
[[ -n $base ]] || { echo "contract-test: statusd did not start" >&2; exit 1; }

# An owner with one organization and something of every kind in it, so that reads answer real items.
field() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }
post() { curl -sf -X POST "$base$1" -H "Authorization: Bearer $session" -H 'Content-Type: application/json' -d "$2"; }
session=$(curl -sf -X POST "$base/api/auth/signup" -d '{"email":"owner@example.com","password":"contract-test-password"}' | field token)
post /api/organizations '{"slug":"contract","name":"Contract"}' >/dev/null
group=$(post /api/service-groups '{"name":"Core"}' | field id)
service=$(post /api/services "{\"name\":\"API\",\"group_id\":\"$group\"}" | field id)
post /api/incidents "{\"name\":\"Errors\",\"status\":\"investigating\",\"impact\":\"minor\",\"body\":\"Looking.\",\"affected_services\":[{\"service_id\":\"$service\",\"status\":\"partial_outage\"}]}" >/dev/null
post /api/maintenance "{\"name\":\"Upgrade\",\"scheduled_start\":\"2030-01-01T00:00:00Z\",\"scheduled_end\":\"2030-01-01T01:00:00Z\",\"affected_services\":[\"$service\"]}" >/dev/null
post /api/team/invite '{"email":"viewer@example.com","role":"viewer"}' >/dev/null
key=$(post /api/keys '{"name":"contract","role":"admin"}' | field token)

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
checks+=,unsupported_method
run() {
    .build-python/bin/schemathesis run "$base/openapi.json" --checks "$checks" --max-examples "$examples" \
        --seed "$seed" --workers 1 --request-timeout 10 --suppress-health-check all --no-color \
        --report har --report-dir "${SCHEMATHESIS_REPORTS:-$work/reports}" "$@"
}
# An admin API key over every operation but the two that would end the run's own access, a person's
# session over those only a person may call (not logout: it ends the session), then the two.
destructive=(--include-operation-id deleteApiKeysId --include-operation-id deleteApiOrganizationsId)
# The event stream never ends, so it is left out (tests/LiveFeedTests reads it).
run -H "Authorization: Bearer $key" --exclude-operation-id deleteApiKeysId --exclude-operation-id deleteApiOrganizationsId \
    --exclude-operation-id getApiStatusSlugEvents
run -H "Authorization: Bearer $session" --include-tag Accounts --include-path /api/organizations \
    --include-path-regex '^/api/team/invitations/' --exclude-path /api/auth/logout \
    --phases coverage,fuzzing
run -H "Authorization: Bearer $key" "${destructive[@]}" --phases coverage,fuzzing
