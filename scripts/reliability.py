#!/usr/bin/env python3
"""Renders the README's Reliability table from what the scripts measured, so that no figure in
it is typed by hand: it runs the test suites that try each fault or attack (`swift test --skip-build
--filter`, their cases counted from swift-testing's output), then reads the crash campaign's totals
(bench-results/crash.jsonl, from make crash), the fuzz runs (bench-results/fuzz.jsonl) and the last soak
(bench-results/soak.jsonl, from make soak).

    reliability.py --readme README.md

A row whose tests failed says FAILED and the script exits 1, leaving the README as it was.
"""
import argparse
import json
import os
import re
import subprocess
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--readme", required=True)
parser.add_argument("--command", default="make reliability")
options = parser.parse_args()

# (the tests' filter, what is tried, what happens, acknowledged writes lost)
ROWS = [
    ("FaultTests/failingDisk", "a failing disk under the WAL: `ENOSPC`, `EIO`, `EFBIG` and a short write, on "
     "the write and on the fsync, lasting or once, under `always` and `interval` (`FaultTests`)",
     "the writer gets `unavailable` (503 problem+json), so does every later one; reads go on from memory; one "
     "critical log line names the file and the cause; a restart holds exactly the acknowledged writes", "0"),
    ("LogFailureTests", "the same faults under a real statusd (`STATUSD_TEST_FILE_FAULTS`, `LogFailureTests`)",
     "503 problem+json, statusd drains and exits non-zero, the restart holds exactly the acknowledged writes",
     "0"),
    ("CrashPointTests", "a crash between any two file operations of batch writes, segment rolls, snapshots "
     "with pruning and WAL trimming, and a history-archive move (`CrashPointTests`)",
     "recovery holds every acknowledged write, at most the write in flight and then whole, and every archived "
     "incident in memory or in the archive", "0"),
    ("SecretsInLogsTests/fileSizeLimit", "a file-size limit (`prlimit --fsize`: `EFBIG` for real)",
     "the failed write named in the log, exit non-zero, no SIGXFSZ kill", "0"),
    ("WALTests|SnapshotTests|CodecTests/timeOutsideTheCalendar", "a torn tail at every byte offset, flipped "
     "bytes mid-segment and mid-snapshot, a missing segment, newer formats, a snapshot without the log it "
     "needs, impossible times (`WALTests`, `SnapshotTests`, `CodecTests`)",
     "a torn tail is dropped as a unit; anything else is refused naming file and offset; a damaged newest "
     "snapshot is renamed `.broken` and the previous one used", "0"),
    ("DataDirectoryTests", "a missing, read-only (as uid 65534) or non-directory data directory "
     "(`DataDirectoryTests`)", "created when missing; otherwise refused at start with one line naming the "
     "directory, the cause and the fix", "—"),
    ("OIDCTests", "forged tokens: `alg: none`, HS256 signed with the RS256 public key, expired, not yet "
     "valid, wrong issuer or audience, unknown `kid` (`OIDCTests`)", "401", "—"),
    ("AccountTests/(invitations_roles_andRemoval|expiredInvitation|apiKeys_cannotActAsPeople)|AuthorizationTests",
     "a reused or expired invitation, a removed member's live session, a revoked key, role escalation, "
     "another tenant's ids (`AccountTests`, `AuthorizationTests`)",
     "401, 403 or 404 at once; the other tenant's bytes unchanged", "—"),
    ("LoginThrottleTests", "brute-force logins (`LoginThrottleTests`)",
     "429 with `Retry-After` per account and address; the owner's other addresses and API keys unaffected", "—"),
    ("SecretsInLogsTests/log_ofAFullRun", "secrets in the log of a `trace` run with the access log "
     "(`SecretsInLogsTests`)", "none found", "—"),
    ("HTTPAbuseTests", "slow headers and bodies, oversized heads, conflicting `Content-Length` and "
     "`Transfer-Encoding`, garbage, path traversal, more connections than statusd may open files "
     "(`HTTPAbuseTests`)", "cut off by the request deadline, 400 or 431 and close, 404; accept backs off on "
     "`EMFILE` and a new client is served during the flood", "—"),
    ("WebSocketTests", "WebSocket abuse: per-address floods, a full server, `/ws` never authenticated, "
     "oversized or unmasked frames, subscribe floods, silent peers, slow readers (`WebSocketTests`)",
     "closed with 1008, 1009, 1002 or 1013 and counted in `statusd_live_closed`; a normal reader unaffected", "—"),
]


def run_tests(filter):
    """Runs the tests matching `filter`: (cases, tests, all passed, output)."""
    result = subprocess.run(["swift", "test", "--skip-build", "--filter", filter], capture_output=True, text=True)
    output = result.stdout + result.stderr
    cases, tests = 0, 0
    for line in output.splitlines():
        match = re.match(r"^[✔✘] Test \S+?(?:\(.*?\))? (?:with (\d+) test cases? )?(passed|failed)", line)
        if match:
            tests += 1
            cases += int(match.group(1) or 1)
    return cases, tests, result.returncode == 0 and tests > 0, output


def plural(count, noun):
    return "%s %s%s" % (format(count, ","), noun, "" if count == 1 else "s")


def last_json(path):
    if not os.path.exists(path):
        return None
    lines = [line for line in open(path) if line.strip()]
    return json.loads(lines[-1]) if lines else None


rows, failed = [], []
for filter, tried, outcome, lost in ROWS:
    cases, tests, ok, output = run_tests(filter)
    print("reliability: %s: %d cases in %d tests, %s" % (filter, cases, tests, "passed" if ok else "FAILED"),
          file=sys.stderr)
    if not ok:
        failed.append(filter)
    extra = ""
    points = re.search(r"crash points: (\d+) tried, (\d+) left", output)
    if points:
        extra = " (%s crash points; %s left the write in flight whole)" % points.groups()
    tried_text = "%s in %s%s" % (plural(cases, "case"), plural(tests, "test"), extra)
    rows.append((tried, tried_text, outcome if ok else "**FAILED**", lost))

crash = last_json("bench-results/crash.jsonl")
if crash:
    rows.append(("SIGKILL at random moments under status writes, incidents, reads and a live subscriber "
                 "(`make crash`, scripts/crash-campaign.py)",
                 "%s, %s, %s, %s" % (
                     plural(crash["kills"], "kill"), plural(crash["acknowledged"], "acknowledged write"),
                     plural(crash["incidents"], "incident"), plural(crash["frames"], "live frame")),
                 "every acknowledged write found after each restart (%d in-flight writes also landed); no incident "
                 "half-applied; no seq seen live missing; no silent gap in the live feed (%d `resync`s); %d "
                 "violations" % (crash["in_flight_applied"], crash["resyncs"], crash.get("violations", 0)),
                 str(crash["lost"])))
fuzz_lines = [json.loads(line) for line in open("bench-results/fuzz.jsonl")] if os.path.exists(
    "bench-results/fuzz.jsonl") else []
if fuzz_lines:
    latest = {}
    for line in fuzz_lines:
        latest[line["target"]] = line
    rows.append(("libFuzzer with AddressSanitizer over the WAL record and batch, snapshot and archive decoders "
                 "and the write routes' JSON bodies (`make fuzz`)",
                 ", ".join("%s %s runs" % (target, format(line["runs"], ",")) for target, line in latest.items()),
                 "no crash" if not any(line["crashed"] for line in latest.values()) else "**CRASHED**", "—"))
    if any(line["crashed"] for line in latest.values()):
        failed.append("fuzz")
soak = last_json("bench-results/soak.jsonl")
if soak:
    build = " (%s build)" % soak["build"] if "build" in soak else ""
    rows.append(("`make soak`%s: %.0f minutes of public reads, paced writes and incidents, %d live subscribers" % (
        build, soak["minutes"], soak["subscribers"]),
        "%.0f reads/s and %.0f writes/s (medians)" % (soak["reads_per_second"], soak["writes_per_second"]),
        "%d failed requests; read p99 at most %.1f ms; RSS %.1f → %.1f MiB (%+.1f %% after warm-up)" % (
            soak["failures"], soak["read_p99_ms"], soak["rss_first_mib"], soak["rss_last_mib"],
            soak["rss_growth"] * 100), "0"))

table = ["| fault or attack | tried | outcome | acknowledged writes lost |", "| --- | --- | --- | --- |"]
table += ["| %s | %s | %s | %s |" % row for row in rows]
block = ("<!-- reliability:begin (written by scripts/reliability.py: do not edit by hand) -->\n"
         "Reproduce with `%s` (the soak row: `make soak`).\n\n" % options.command + "\n".join(table) + "\n<!-- reliability:end -->")
print(block)
if failed:
    print("reliability: FAILED: " + "; ".join(failed), file=sys.stderr)
    sys.exit(1)
readme = open(options.readme).read()
pattern = re.compile(r"<!-- reliability:begin.*?<!-- reliability:end -->", re.S)
if not pattern.search(readme):
    raise SystemExit("reliability: the README has no reliability markers")
open(options.readme, "w").write(pattern.sub(lambda _: block, readme))
print("reliability: README table written")
