"""Golden data directories: whole data directories written by earlier statusd versions (snapshots,
WAL segments after the last snapshot, the history archive, the session key), kept in
snapshots/data-<date>/ with the answers that statusd gave on them. A statusd of today must open each
one and answer the same: that is the promise an upgrade keeps.

    python golden_data.py --statusd .build/debug/statusd --check            # every snapshots/data-*/ (the test)
    python golden_data.py --statusd .build/debug/statusd --record-data      # a new snapshots/data-<today>/
    python golden_data.py --statusd .build/debug/statusd --record-answers   # ask again, write answers.txt

--record-data is for a format change: it writes a new directory beside the old ones (never over them).
--record-answers is for a reviewed change of behaviour: the data stays, the expected answers change.

A data directory is made in three runs with the clock frozen (STATUSD_TEST_FROZEN_AT): the golden
scenario's account, resources and subscribers on 2026-06-01, stopped gracefully (a snapshot); a start
100 days later, when the hourly pass moves the resolved incident and the finished maintenance to the
archive, stopped gracefully; a third start that writes an incident and is killed with SIGKILL, so that
those writes are only in the WAL after the newest snapshot. Each WAL segment is cut after its last
non-zero byte (rounded up to 4 KiB): statusd reads the zeros that follow as the end of the log.
"""
import argparse
import datetime
import glob
import json
import os
import shutil
import signal
import sys
import tempfile
import time

# The formats on the WAL only: the log on PostgreSQL has golden tables of its own.
os.environ.pop("STATUSD_TEST_LOG", None)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import golden_answers  # noqa: E402
import golden_scenario  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SNAPSHOTS = os.path.join(ROOT, "snapshots")
LATER = "2026-09-09T12:00:00Z"  # 100 days after the scenario: past the archive's 90 days
PASSWORD = "a new long secret"  # the owner's password after golden_scenario.account changed it


def login(recorder):
    _, _, _, session = recorder.ask("POST", "/api/auth/login",
                                    body={"email": golden_scenario.OWNER["email"], "password": PASSWORD})
    return session["token"]


def wait_for(what, condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            sys.exit("golden data: timed out waiting for " + what)
        time.sleep(0.05)


def stop(process, sig=signal.SIGTERM):
    process.send_signal(sig)
    process.wait(timeout=60)


def record_data(binary):
    data = tempfile.mkdtemp(prefix="statusd-golden-data-")
    process, port = golden_answers.start(binary, data)
    recorder = golden_answers.Recorder(port)
    owner = golden_scenario.account(recorder)
    golden_scenario.resources(recorder, owner)
    golden_scenario.subscribers(recorder, owner)
    stop(process)
    process, port = golden_answers.start(binary, data, LATER)
    wait_for("the archive pass", lambda: glob.glob(os.path.join(data, "archive", "*.archive")))
    stop(process)
    process, port = golden_answers.start(binary, data, LATER)
    recorder = golden_answers.Recorder(port)
    recorder.begin("after the snapshot")
    headers = golden_scenario.bearer(login(recorder), "acme")
    _, _, _, incident = recorder.ask("POST", "/api/incidents", headers=headers, body={
        "name": "After the snapshot", "status": "investigating", "impact": "minor", "body": "Only in the WAL."})
    recorder.ask("POST", "/api/incidents/%s/updates" % incident["id"], headers=headers,
                 body={"status": "identified", "body": "Still only in the WAL."})
    stop(process, signal.SIGKILL)
    target = os.path.join(SNAPSHOTS, "data-" + datetime.date.today().isoformat())
    if os.path.exists(target):
        sys.exit("golden data: %s exists; data directories are never written over" % target)
    shutil.copytree(data, target, ignore=shutil.ignore_patterns("LOCK", "spare.tmp", "*.broken"))
    shutil.rmtree(data, ignore_errors=True)
    for segment in glob.glob(os.path.join(target, "wal", "*.wal")):
        cut_trailing_zeros(segment)
    print("golden data: wrote %s" % target)
    return target


def cut_trailing_zeros(path):
    with open(path, "rb") as file:
        content = file.read()
    used = len(content.rstrip(b"\0"))
    with open(path, "r+b") as file:
        file.truncate(min(len(content), (used + 4095) // 4096 * 4096))


def answers(binary, golden):
    """What statusd answers on a copy of `golden`: public reads in every dialect, and the owner's."""
    data = tempfile.mkdtemp(prefix="statusd-golden-data-")
    shutil.rmtree(data)
    shutil.copytree(golden, data, ignore=shutil.ignore_patterns("answers.txt"))
    process, port = golden_answers.start(binary, data, LATER)
    try:
        r = golden_answers.Recorder(port)
        r.begin("data")
        for slug in ("demo", "acme"):
            r.ask("GET", "/api/status/" + slug)
            for tail in ("services", "maintenance", "incidents", "timeline", "uptime"):
                r.ask("GET", "/api/status/%s/%s" % (slug, tail))
            for tail in ("summary", "components", "incidents", "scheduled-maintenances"):
                r.ask("GET", "/s/%s/api/v2/%s.json" % (slug, tail))
            r.ask("GET", "/status/%s/history" % slug)
        headers = golden_scenario.bearer(login(r), "acme")
        for path in ("/api/organizations/current", "/api/services", "/api/service-groups", "/api/incidents",
                     "/api/maintenance", "/api/keys", "/api/team/members", "/api/subscribers",
                     "/api/subscription-settings"):
            r.ask("GET", path, headers=headers)
        _, _, _, incidents = r.ask("GET", "/api/incidents?limit=100", headers=headers)
        for item in incidents.get("items", []) if incidents else []:
            r.ask("GET", "/api/incidents/" + item["id"], headers=headers)
        return "\n\n".join(r.sections["data"]) + "\n"
    finally:
        stop(process)
        shutil.rmtree(data, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--statusd", required=True)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--record-data", action="store_true")
    mode.add_argument("--record-answers", action="store_true")
    mode.add_argument("--check", action="store_true")
    arguments = parser.parse_args()
    directories = sorted(glob.glob(os.path.join(SNAPSHOTS, "data-*")))
    if arguments.record_data:
        directories = [record_data(arguments.statusd)]
    if not directories:
        sys.exit("golden data: no snapshots/data-*/ directory")
    failures = []
    for golden in directories:
        text = answers(arguments.statusd, golden)
        path = os.path.join(golden, "answers.txt")
        if not arguments.check:
            with open(path, "w", newline="") as file:
                file.write(text)
            continue
        expected = open(path, newline="").read()
        if expected != text:
            failures.append(golden_answers.first_difference(os.path.basename(golden), expected, text))
    if failures:
        sys.exit("golden data: a data directory reads differently now:\n" + "\n".join(failures))
    print("golden data: %d data directories %s" % (len(directories), "match" if arguments.check else "recorded"))


if __name__ == "__main__":
    main()
