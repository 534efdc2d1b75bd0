#!/usr/bin/env python3
"""The crash campaign: a real statusd under mixed load (status writes over HTTP from
several writers, incidents opened and resolved, public reads, a live WebSocket subscriber) is killed
with SIGKILL at random moments, restarted on the same data directory, and checked after every restart:

- every acknowledged write is there: each writer's service has at least as many status changes in its
  history as were acknowledged, and at most one more (the write in flight at the kill);
- nothing is half-applied: an incident is open exactly when its service is in the outage it set;
- nothing published is lost: the organization's public seq after the restart is at least the seq of
  every frame a live subscriber received before the kill (frames are sent only once durable);
- the live feed has no silent gap: every frame's `prev` is the seq the subscriber last had, or the
  subscriber was told to `resync`.

Prints the totals and exits non-zero on any violation. Bounded: --kills restarts, --seconds of load at
most between two kills.

    crash-campaign.py --statusd .build/debug/statusd --kills 5 --seconds 1.5
"""
import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time

from websockets.sync.client import connect as ws_connect

parser = argparse.ArgumentParser()
parser.add_argument("--statusd", required=True)
parser.add_argument("--kills", type=int, default=5)
parser.add_argument("--seconds", type=float, default=1.5, help="most seconds of load before a kill")
parser.add_argument("--writers", type=int, default=4)
parser.add_argument("--seed", type=int, default=int(time.time()))
parser.add_argument("--report", help="append the totals as one JSON line to this file")
options = parser.parse_args()
random.seed(options.seed)

data = tempfile.mkdtemp(prefix="statusd-crash-")
violations = []
totals = {"kills": 0, "acknowledged": 0, "verified": 0, "lost": 0, "in_flight_applied": 0, "incidents": 0,
          "reads": 0, "frames": 0, "resyncs": 0}


class Server:
    def __init__(self):
        environment = dict(os.environ, STATUSD_TEST_KDF_LOG2="10")
        self.process = subprocess.Popen(
            [options.statusd, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data,
             "--fsync", "always", "--wal-segment-mib", "1"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=environment, text=True)
        line = ""
        while "statusd listening on " not in line:
            line = self.process.stdout.readline()
            if not line:
                raise SystemExit("crash-campaign: statusd exited before listening (code %s)" % self.process.wait())
        self.port = int(line.strip().rsplit(":", 1)[1])

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def call(port, method, path, token=None, body=None, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    c.request(method, path, json.dumps(body) if body is not None else None, headers)
    r = c.getresponse()
    raw = r.read()
    c.close()
    return r.status, (json.loads(raw) if raw else None)


def expect(ok, message):
    if not ok:
        violations.append(message)
        print("crash-campaign: VIOLATION " + message, file=sys.stderr)


# The organization, a key, one service per writer and one for incidents.
server = Server()
status, signed = call(server.port, "POST", "/api/auth/signup",
                      body={"email": "crash@example.com", "password": "correct horse battery", "name": "Crash"})
session = signed["token"]
call(server.port, "POST", "/api/organizations", session, {"slug": "crash", "name": "Crash"})
status, key = call(server.port, "POST", "/api/keys", session, {"name": "campaign", "role": "admin"})
token = key["token"]
services = [call(server.port, "POST", "/api/services", token, {"name": "W%d" % i})[1]["id"]
            for i in range(options.writers)]
incident_service = call(server.port, "POST", "/api/services", token, {"name": "Incidents"})[1]["id"]
acknowledged = [0] * options.writers  # status changes acknowledged per writer, since the start
counting = threading.Lock()


def count(name, amount=1):
    with counting:
        totals[name] += amount
live = {"last": None, "max_seen": 0}


def history_count(port, service):
    count, cursor = 0, None
    while True:
        path = "/api/services/%s/status-history?limit=100" % service + ("&cursor=" + cursor if cursor else "")
        status, page = call(port, "GET", path, token)
        if status != 200:
            raise SystemExit("crash-campaign: history answered %d" % status)
        count += len(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return count


def writer(index, port, stop):
    statuses = ["major_outage", "operational"]
    while not stop.is_set():
        wanted = statuses[(acknowledged[index]) % 2]
        try:
            status, _ = call(port, "PUT", "/api/services/%s/status" % services[index], token, {"status": wanted},
                             timeout=5)
        except OSError:
            return  # the server is gone: the write in flight may or may not have landed
        if status == 200:
            acknowledged[index] += 1
            count("acknowledged")


def incidents(port, stop):
    while not stop.is_set():
        try:
            status, incident = call(port, "POST", "/api/incidents", token, {
                "name": "Outage", "body": "Down", "impact": "major",
                "affected_services": [{"service_id": incident_service, "status": "major_outage"}]}, timeout=5)
            if status != 201:
                return
            count("incidents")
            call(port, "POST", "/api/incidents/%s/updates" % incident["id"], token,
                 {"status": "resolved", "body": "Up"}, timeout=5)
        except OSError:
            return


def reader(port, stop):
    while not stop.is_set():
        try:
            status, _ = call(port, "GET", "/api/status/crash", timeout=5)
            count("reads", status == 200)
        except OSError:
            return


def subscriber(port, stop):
    """Follows the public feed, resuming from the last seq; checks the prev chain."""
    since = live["last"]
    try:
        with ws_connect("ws://127.0.0.1:%d/ws/crash" % port + ("?since=%d" % since if since else ""),
                        open_timeout=5) as ws:
            while not stop.is_set():
                try:
                    frame = json.loads(ws.recv(timeout=0.2))
                except TimeoutError:
                    continue
                kind = frame["type"]
                if kind == "hello":
                    if live["last"] is None:
                        live["last"] = frame["seq"]
                elif kind == "resync":
                    count("resyncs")
                    live["last"] = frame["seq"]
                elif "prev" in frame:
                    expect(frame["prev"] == live["last"],
                           "live frame %d has prev %s, the subscriber had %s" % (frame["seq"], frame["prev"], live["last"]))
                    live["last"] = frame["seq"]
                    live["max_seen"] = max(live["max_seen"], frame["seq"])
                    count("frames")
    except Exception:
        return  # the kill ends the connection; the next round resumes


def verify(port, baseline):
    """After a restart: every acknowledged write, no half-applied command, nothing published lost.
    `baseline`: each writer's changes verified before this round."""
    for index, service in enumerate(services):
        applied = history_count(port, service) - 1  # the first entry is the creation
        expect(acknowledged[index] <= applied <= acknowledged[index] + 1,
               "writer %d: %d acknowledged, %d in the history" % (index, acknowledged[index], applied))
        acknowledged_now, found = acknowledged[index] - baseline[index], applied - baseline[index]
        totals["verified"] += min(found, acknowledged_now)
        totals["lost"] += max(0, acknowledged_now - found)
        totals["in_flight_applied"] += max(0, found - acknowledged_now)
        acknowledged[index] = applied  # the in-flight write, if it landed, now counts
    status, listed = call(port, "GET", "/api/incidents?limit=100&status=investigating", token)
    open_incidents = len(listed["items"]) if status == 200 else 0
    status, service = call(port, "GET", "/api/services/%s" % incident_service, token)
    expect((open_incidents > 0) == (service["status"] == "major_outage"),
           "%d open incidents but the incident service is %s" % (open_incidents, service["status"]))
    status, summary = call(port, "GET", "/api/status/crash")
    expect(summary["seq"] >= live["max_seen"],
           "published seq %d was seen live, the restarted server is at %d" % (live["max_seen"], summary["seq"]))


for round_number in range(options.kills):
    baseline = list(acknowledged)
    stop = threading.Event()
    threads = [threading.Thread(target=writer, args=(i, server.port, stop)) for i in range(options.writers)]
    threads += [threading.Thread(target=f, args=(server.port, stop)) for f in (incidents, reader, subscriber)]
    for thread in threads:
        thread.start()
    time.sleep(random.uniform(0.1, options.seconds))
    server.kill()
    totals["kills"] += 1
    stop.set()
    for thread in threads:
        thread.join(timeout=15)
    if os.environ.get("CRASH_CAMPAIGN_SABOTAGE") == "1":
        # Only to see that the checks can fail: the log loses its last 200 bytes, as a disk that lied.
        wal = os.path.join(data, "wal")
        last = sorted(os.listdir(wal))[-1]
        with open(os.path.join(wal, last), "r+b") as segment:
            written = segment.read().rstrip(b"\0")  # segments are preallocated: cut where data ends
            segment.truncate(max(0, len(written) - 200))
    server = Server()
    verify(server.port, baseline)
    print("crash-campaign: kill %d/%d: %d acknowledged so far, %d violations" % (
        round_number + 1, options.kills, totals["acknowledged"], len(violations)), flush=True)

server.process.terminate()
server.process.wait()
totals["violations"] = len(violations)
totals["seed"] = options.seed
print("crash-campaign: %s" % json.dumps(totals))
if options.report:
    with open(options.report, "a") as report:
        report.write(json.dumps(totals) + "\n")
subprocess.run(["rm", "-rf", data])
sys.exit(1 if violations else 0)
