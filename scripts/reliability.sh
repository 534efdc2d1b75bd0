#!/usr/bin/env bash
# make reliability: a crash campaign (KILLS, default 20), a fuzz pass (FUZZ_SECONDS per target,
# default 60), then scripts/reliability.py runs every test suite that tries a fault or an attack and
# writes the README's Reliability table from all of it. The soak row is the last `make soak`'s.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --browser
scripts/python-tools.sh --for e2e
swift build --build-tests
export STATUSD_BINARY="$PWD/.build/debug/statusd" STATUSD_TEST_PYTHON="$PWD/.build-python/bin/python"
KILLS=${KILLS:-20} SECONDS_PER_KILL=${SECONDS_PER_KILL:-2} scripts/crash.sh
FUZZ_SECONDS=${FUZZ_SECONDS:-60} scripts/fuzz.sh
python3 scripts/reliability.py --readme README.md \
    --command "KILLS=${KILLS:-20} FUZZ_SECONDS=${FUZZ_SECONDS:-60} make reliability"
