#!/usr/bin/env bash
# Release builds of statusbench and statusd (and nginx-light when missing, for read-vs-nginx), then
# the scenarios; results land in bench-results/ (JSON lines, Markdown, SVG). Extra arguments go to
# the engine and wal scenarios (e.g. --duration 10).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --postgres
swift build -c release --product statusbench
swift build -c release --product statusd
# read-vs-nginx serves the same bytes from nginx beside statusd; fanout publishes through nginx + nchan.
if [[ ! -x /usr/sbin/nginx || ! -f /usr/lib/nginx/modules/ngx_nchan_module.so ]]; then
    echo "bench: installing nginx-light and libnginx-mod-nchan"
    sudo_cmd=()
    if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq nginx-light libnginx-mod-nchan >/dev/null
fi
.build/release/statusbench engine --writers 1,16,256 "$@"
.build/release/statusbench wal --writers 1,16,256 "$@"
.build/release/statusbench restore
# The log on PostgreSQL beside the WAL and pgbench, on a temporary server of its own.
scripts/with-postgres.sh .build/release/statusbench cluster
.build/release/statusbench read-vs-nginx --organizations 1,10000 --rounds 3 --duration 6
.build/release/statusbench fanout --connections 1000,10000,19000 --updates 200
.build/release/statusbench fanout --connections 1000,10000,19000 --updates 40 --interval-ms 250 --output bench-results/fanout-paced
