#!/usr/bin/env bash
# PackageTests: the Debian package built from the binary the tests run (scripts/package.sh), installed
# with apt-get, run as its unit's ExecStart says (no systemd as PID 1 here) as the statusd user with
# the packaged configuration, on a free port; then read, written, restarted, read again. The package
# is purged and its data removed on exit, failed or not. Needs root (it installs a package).
#
#   package_check.sh BINARY
#
# Prints "ok: <what>" for each check; exits non-zero at the first that fails, saying which.
set -euo pipefail
binary=$1
repo=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d)
server=""

if dpkg-query -W -f='${Status}' statusd 2>/dev/null | grep -q "install ok"; then
    echo "package_check: a statusd package is installed on this machine; not touching it" >&2
    exit 1
fi
if [[ -e /var/lib/statusd ]]; then
    echo "package_check: /var/lib/statusd exists; not touching it" >&2
    exit 1
fi

# check WHAT COMMAND...: runs COMMAND, prints "ok: WHAT" or fails the script naming WHAT.
check() {
    local what=$1
    shift
    if "$@"; then echo "ok: $what"; else echo "package_check: failed: $what" >&2; exit 1; fi
}

cleanup() {
    if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq statusd >/dev/null 2>&1 || dpkg --purge statusd >/dev/null 2>&1 || true
    rm -rf /var/lib/statusd "$work"
}
trap cleanup EXIT

deb=$("$repo/scripts/package.sh" --binary "$binary" --uncompressed --output "$work" | tail -1)
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >"$work/apt.log" 2>&1 \
    || { cat "$work/apt.log" >&2; exit 1; }
echo "ok: installed $(dpkg-query -W -f='${Package} ${Version}' statusd)"

if ldd /usr/bin/statusd | grep -E "/swift/|not found"; then
    echo "package_check: the binary needs libraries the system does not give" >&2
    exit 1
fi
echo "ok: ldd names nothing from the Swift toolchain"
systemd-analyze verify /lib/systemd/system/statusd.service
echo "ok: systemd-analyze verify"
check "user statusd" getent passwd statusd
check "configuration root:statusd 0640" test "$(stat -c '%U:%G %a' /etc/statusd/statusd.conf)" == "root:statusd 640"
check "/var/lib/statusd statusd 0750" test "$(stat -c '%U %a' /var/lib/statusd)" == "statusd 750"
check "config check passes on the packaged configuration" \
    runuser -u statusd -- /usr/bin/statusd config check --config /etc/statusd/statusd.conf

# An organization and its owner's key, made offline as the service's user.
key=$(runuser -u statusd -- /usr/bin/statusd org create --slug acme --name Acme --owner-email ops@acme.example \
    --data-dir /var/lib/statusd | tail -1 | awk '{print $NF}')
exec_start=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/statusd.service)

start() {
    : >"$work/out"
    # As ExecStart says, as the unit's user, on a free port (the command line beats the file).
    # shellcheck disable=SC2086
    runuser -u statusd -- $exec_start --port 0 >"$work/out" 2>"$work/err" &
    server=$!
    for _ in $(seq 1 600); do
        port=$(sed -n 's|^statusd listening on https\?://[0-9.]*:\([0-9]*\)$|\1|p' "$work/out")
        [[ -n $port ]] && return 0
        kill -0 "$server" 2>/dev/null || { cat "$work/err" >&2; exit 1; }
        sleep 0.1
    done
    echo "package_check: statusd did not say it listens" >&2
    exit 1
}

stop() {
    kill -TERM "$server"
    wait "$server" || true
    server=""
}

start
check "/health" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" == 200
created=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d '{"name":"Packaged outage","body":"Written through the package."}' "http://127.0.0.1:$port/api/incidents")
check "a write (answered: $created)" test "${created##* }" == 201
stop
start
incidents=$(curl -s -H "Authorization: Bearer $key" "http://127.0.0.1:$port/api/incidents")
check "the write is there after a restart" grep -q "Packaged outage" <<<"$incidents"
check "the data belongs to statusd" test "$(stat -c '%U' /var/lib/statusd/wal)" == statusd
stop
echo "ok: done"
