#!/usr/bin/env bash
# Installs the system packages statusd needs to build, when they are missing; --browser adds the
# headless Chromium the end-to-end browser tests drive, --postgres Debian's PostgreSQL 15 server, which
# the tests of the event log on PostgreSQL start in temporary directories of their own, and HAProxy,
# which the cluster tests put in front of their nodes (docs/cluster/haproxy.cfg), --deploy what the tests
# of the deployment use (nginx, in front of statusd as docs/deploy/nginx.conf has it; dpkg-dev and
# systemd, to build the package and check its unit; scripts/package.sh), --package dpkg-dev alone (what
# making the package needs: the container build, docs/deploy/Dockerfile). Safe to run again;
# asks nothing (CI has no standard input).
set -euo pipefail

packages=(liblz4-dev lz4 libssl-dev libcurl4-openssl-dev pkg-config)
while (($# > 0)); do
    case $1 in
        --browser) packages+=(chromium chromium-driver); shift ;;
        --postgres) packages+=(postgresql haproxy); shift ;;
        --package) packages+=(dpkg-dev); shift ;;
        --deploy) packages+=(nginx-light dpkg-dev systemd adduser); shift ;;
        *) echo "setup: unknown option $1 (use --browser, --postgres, --package or --deploy)" >&2; exit 2 ;;
    esac
done
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if ((${#missing[@]} > 0)); then
    echo "setup: installing ${missing[*]}"
    sudo_cmd=()
    if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq >/dev/null
    "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null; then
    echo "setup: swift is not on PATH (expected the Swift 6 toolchain, e.g. /opt/swift/usr/bin)" >&2
    exit 1
fi
