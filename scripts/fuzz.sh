#!/usr/bin/env bash
# libFuzzer over statusd's decoders (harness in Tests/Fuzz/Fuzz.swift): the WAL records and
# batches, snapshots, history-archive blocks, the write routes' JSON bodies and DNS answers. Each target first runs
# every input of its committed corpus (Tests/Fuzz/Corpus/<target>: seeds and the inputs of past crashes,
# kept as regression tests), then fuzzes for FUZZ_SECONDS (default 60). A crash stops the run with the
# input saved in .build-fuzz/crashes/; copy it into the target's corpus once fixed.
# Its own build folder and a manifest switch (STATUSD_FUZZ): the ordinary build is not instrumented.
set -euo pipefail
cd "$(dirname "$0")/.."
(($# == 0)) || { echo "fuzz: no arguments (FUZZ_SECONDS sets the time per target)" >&2; exit 2; }

seconds=${FUZZ_SECONDS:-60}
targets=(wal-records wal-batch snapshot archive request-bodies dns-answer delivery-journal)
export STATUSD_FUZZ=1
flags=(--build-path .build-fuzz --product statusd-fuzz -Xswiftc -sanitize=fuzzer,address)
mkdir -p .build-fuzz
if ! swift build "${flags[@]}" >.build-fuzz/build.log 2>&1; then
    grep -v -e "warning: Cannot export local symbol" -e "^ld.gold" .build-fuzz/build.log >&2 || true
    echo "fuzz: the harness's build failed (all of its output: .build-fuzz/build.log)" >&2
    exit 1
fi
binary="$(swift build "${flags[@]}" --show-bin-path)/statusd-fuzz"
[[ -x $binary ]] || { echo "fuzz: the build did not produce $binary" >&2; exit 1; }

rm -rf .build-fuzz/crashes && mkdir -p .build-fuzz/crashes
for target in "${targets[@]}"; do
    seeds=Tests/Fuzz/Corpus/$target
    work=.build-fuzz/corpus/$target  # what the fuzzer finds grows here, not in the repository
    mkdir -p "$work"
    echo "fuzz: $target, ${seconds} s"
    FUZZ_TARGET=$target "$binary" "$work" "$seeds" -max_total_time="$seconds" -max_len=65536 \
        -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix=".build-fuzz/crashes/$target-" \
        > ".build-fuzz/$target.log" 2>&1 || true
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|artifact_prefix)|ERROR|Fatal|fatal" \
        ".build-fuzz/$target.log" || true
    runs=$(grep -oE "stat::number_of_executed_units: [0-9]+" ".build-fuzz/$target.log" | grep -oE "[0-9]+$" || echo 0)
    crashed=$(compgen -G ".build-fuzz/crashes/$target-*" > /dev/null && echo true || echo false)
    mkdir -p bench-results
    echo "{\"target\": \"$target\", \"seconds\": $seconds, \"runs\": $runs, \"crashed\": $crashed}" >> bench-results/fuzz.jsonl
    if compgen -G ".build-fuzz/crashes/$target-*" > /dev/null; then
        echo "fuzz: $target crashed; inputs in .build-fuzz/crashes/ (run one: FUZZ_TARGET=$target $binary <file>)" >&2
        exit 1
    fi
done
echo "fuzz: ${#targets[@]} targets, ${seconds} s each, no crash"
