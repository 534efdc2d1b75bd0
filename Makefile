# A menu: every target calls a script in scripts/ that does the work.
.PHONY: run test test-unit test-e2e test-e2e-postgres test-contract test-crash test-fuzz crash fuzz soak reliability build package bench verify fix setup clean

run:       ; scripts/run.sh
test:      ; scripts/test.sh
test-unit: ; scripts/test.sh --only unit
test-e2e:  ; scripts/test.sh --only e2e
test-e2e-postgres: ; scripts/test.sh --only e2e-postgres
test-contract: ; scripts/test.sh --only contract
test-crash: ; scripts/test.sh --only crash
crash:     ; scripts/crash.sh
fuzz:      ; scripts/setup.sh && scripts/fuzz.sh
soak:      ; scripts/soak.sh
reliability: ; scripts/reliability.sh
test-fuzz: ; scripts/test.sh --only fuzz
build:     ; scripts/setup.sh && swift build -c release
package:   ; scripts/setup.sh --deploy && scripts/package.sh
bench:     ; scripts/bench.sh
verify:    ; scripts/verify-format.sh && scripts/verify-imports.sh && scripts/verify-secrets.sh && scripts/verify-markup.sh
fix:       ; swift format format --in-place --recursive Sources Tests Package.swift
setup:     ; scripts/setup.sh
clean:     ; rm -rf .build
