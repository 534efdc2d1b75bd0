#!/usr/bin/env bash
# Runs a command beside a PostgreSQL server of its own: Debian's PostgreSQL (scripts/setup.sh
# --postgres), initdb into a temporary directory (as the postgres user under root: initdb refuses
# root), started on a free loopback port with fsync=on and password authentication on TCP, stopped
# and removed when the command ends, also when it fails. The command sees STATUSD_TEST_POSTGRES_URL,
# a superuser's URL of the database `statusd` there; the end-to-end suite run with
# STATUSD_TEST_LOG=postgres gives each statusd a database of its own on it.
#
#   scripts/with-postgres.sh <command> [arguments...]
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [[ -z $bin ]]; then
    echo "with-postgres: PostgreSQL is not installed: run scripts/setup.sh --postgres" >&2
    exit 1
fi
dir=$(mktemp -d /tmp/statusd-pg-XXXXXX)
chmod 755 "$dir"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password=pw-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
owner=()
if [[ $(id -u) == 0 ]]; then
    owner=(setpriv --reuid=postgres --regid=postgres --clear-groups)
    chown postgres:postgres "$dir"
fi

server=""
finish() {
    if [[ -n $server ]]; then
        kill -INT "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap finish EXIT

echo "$password" >"$dir/password"
"${owner[@]}" "$bin/initdb" -D "$dir/data" -U statusd --pwfile "$dir/password" --auth-local trust \
    --auth-host scram-sha-256 -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
}
"${owner[@]}" "$bin/postgres" -D "$dir/data" -p "$port" -k "$dir" -c listen_addresses=127.0.0.1 -c fsync=on \
    -c max_connections=600 >"$dir/server.log" 2>&1 </dev/null &
server=$!
for _ in $(seq 600); do
    if "$bin/pg_isready" -h "$dir" -p "$port" -q; then break; fi
    if ! kill -0 "$server" 2>/dev/null; then
        cat "$dir/server.log" >&2
        exit 1
    fi
    sleep 0.1
done
"${owner[@]}" "$bin/createdb" -h "$dir" -p "$port" -U statusd statusd

export STATUSD_TEST_POSTGRES_URL="postgres://statusd:$password@127.0.0.1:$port/statusd?sslmode=disable"
# In the background, so that a TERM or INT (a timeout, Ctrl-C) reaches the command too instead of
# leaving it running after the server it uses is gone.
"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' TERM INT
status=0
wait "$child" || status=$?
if kill -0 "$child" 2>/dev/null; then wait "$child" || status=$?; fi
exit "$status"
