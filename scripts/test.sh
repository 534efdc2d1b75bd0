#!/usr/bin/env bash
# Everything CI runs: set-up, boundary checks, one build, unit tests, end-to-end tests, the
# OpenAPI contract.
# Prints each stage's time. --only unit|e2e|e2e-postgres|crash|fuzz|contract runs one test stage.
set -euo pipefail
cd "$(dirname "$0")/.."

only=""
while (($# > 0)); do
    case $1 in
        --only) only=$2; shift 2 ;;
        *) echo "test: unknown option $1 (use --only unit|e2e|e2e-postgres|crash|fuzz|contract)" >&2; exit 2 ;;
    esac
done

# Each stage's wall time and the CPU time it and its children used: a stage whose CPU time is near
# twice its wall time on two cores is bound by the processor, one far below it waits on something. (A
# job started in the background below that ends during a stage is counted in that stage's CPU.)
stage() {
    local name=$1; shift
    echo "== $name"
    local TIMEFORMAT="== $name: %0R s (CPU: %0U s user, %0S s system)"
    time "$@"
}
export -f stage

# The process groups started in the background below, ended with this script (also when a stage fails).
background=()
trap 'for group in "${background[@]}"; do kill -- -"$group" 2>/dev/null || true; done' EXIT
# Waits for one of them, prints how long it waited and the output it kept, and fails if it failed.
collect() {
    local name=$1 group=$2 log=$3 start=$SECONDS status=0
    wait "$group" || status=$?
    echo "== $name: waited $((SECONDS - start)) s for it"
    cat "$log"
    ((status == 0)) || { echo "$name: failed (exit $status)" >&2; exit 1; }
}

# The system packages the build needs, and PostgreSQL, which the unit tests of the log on PostgreSQL
# start in temporary directories; each test stage below installs what else it runs (a browser, Python
# tools in .build-python) before it starts.
stage setup scripts/setup.sh --postgres
export STATUSD_TEST_PYTHON="$PWD/.build-python/bin/python"
# A crash in a test process prints the crashed thread only: CI shows the end of the output, and a
# full backtrace (every thread, registers, fifty images) pushed the fatal error's message out of it.
export SWIFT_BACKTRACE="threads=crashed,registers=none,images=none"
stage verify bash -c 'scripts/verify-format.sh && scripts/verify-imports.sh && scripts/verify-secrets.sh && scripts/verify-markup.sh'
# One debug build of everything, statusd included: every end-to-end test spawns this binary. The
# import check makes a target that imports one it does not declare (a wrong-way reference) an error.
# CI builds from nothing every time and never opens a debugger, so there it compiles each Swift module
# whole (one compiler job instead of several that each parse the module again; two threads emit the
# objects SwiftPM links) and emits no debug information: 0.74x of the cold build's time and CPU
# (BENCHMARKS.md "Cold CI time"). A crash's backtrace still names each function. A developer's
# `make test` builds as `swift build` does, incrementally, on the same .build.
build_flags=()
if [[ ${CI:-} == true ]]; then
    build_flags=(-Xswiftc -wmo -Xswiftc -num-threads -Xswiftc 2 -Xswiftc -gnone -Xcc -g0)
fi
stage build swift build --build-tests --explicit-target-dependency-import-check error "${build_flags[@]}"
export STATUSD_BINARY="$PWD/.build/debug/statusd"
# libFuzzer over the decoders goes on behind the test stages at the lowest priority: its instrumented
# build (a tree of its own in .build-fuzz, two minutes of compiling), then the committed corpus (seeds
# and past crashes) and 5 s per target (make fuzz runs a minute each), its output printed at the end.
# The stages beside it take about as much longer as it took alone after them (BENCHMARKS.md "The fuzz
# pass whole behind the tests"): `nice` yields the processor, not the memory and cache it uses.
fuzz=""
if [[ -z $only || $only == fuzz ]]; then
    mkdir -p .build-fuzz
    echo "== fuzz: in the background, its output in .build-fuzz/run.log, printed at the end"
    setsid nice -n 19 bash -c 'stage fuzz env FUZZ_SECONDS=5 scripts/fuzz.sh' >.build-fuzz/run.log 2>&1 &
    fuzz=$!
    background+=("$fuzz")
fi
# The OpenAPI contract (schemathesis, from PyPI) against a statusd of its own: every operation in every
# phase, 15 generated cases per operation and phase (the seed is fixed, so a run repeats the same cases;
# SCHEMATHESIS_EXAMPLES=100 scripts/contract-test.sh goes wider by hand). It runs beside the unit tests:
# it asks one request at a time and they mostly wait on their PostgreSQL servers, so together they keep
# the two cores busy where each alone left one idle (BENCHMARKS.md "Cold CI time"). A process group of
# its own; its output is printed when it ends, before anything else is installed into the Python
# environment it runs from.
contract=""
if [[ -z $only || $only == contract ]]; then
    stage contract-setup scripts/python-tools.sh --for contract
    echo "== contract: in the background, its output in .build/contract.log, printed when it ends"
    setsid bash -c 'stage contract env SCHEMATHESIS_EXAMPLES=15 scripts/contract-test.sh' >.build/contract.log 2>&1 &
    contract=$!
    background+=("$contract")
fi
if [[ -z $only || $only == unit ]]; then
    stage unit swift test --skip-build --skip EndToEndTests
fi
[[ -z $contract ]] || collect contract "$contract" .build/contract.log
if [[ -z $only || $only == e2e || $only == e2e-postgres ]]; then
    stage e2e-setup bash -c 'scripts/setup.sh --browser --deploy && scripts/python-tools.sh --for e2e'
fi
if [[ -z $only || $only == e2e ]]; then
    stage e2e swift test --skip-build --filter EndToEndTests
fi
if [[ -z $only || $only == e2e-postgres ]]; then
    # The suite again with every statusd on the log on PostgreSQL (cluster mode, one node each), on a
    # server of its own, and the cluster suites; the golden answers are checked against the same
    # recorded files. Suites marked `.sameOnEitherLog` (the edge, the command line) are not run twice.
    stage e2e-postgres env STATUSD_TEST_LOG=postgres scripts/with-postgres.sh \
        swift test --skip-build --filter EndToEndTests
fi
if [[ -z $only || $only == crash ]]; then
    # A short crash campaign: statusd killed at random under load, every acknowledged write checked
    # after each restart (make crash runs a long one).
    stage crash-setup scripts/python-tools.sh --for crash
    stage crash .build-python/bin/python scripts/crash-campaign.py --statusd "$STATUSD_BINARY" --kills 5 --seconds 1.5
fi
[[ -z $fuzz ]] || collect fuzz "$fuzz" .build-fuzz/run.log
