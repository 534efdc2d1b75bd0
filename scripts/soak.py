#!/usr/bin/env python3
"""The soak test: a real statusd under mixed load for a bounded time (default 10 minutes):
public reads over keep-alive connections, status writes and incidents (opened, updated, resolved,
deleted) over HTTP, and live WebSocket subscribers. Every interval it prints reads/s, writes/s, read
and write p99, live frames/s and statusd's RSS; at the end it writes an SVG chart and fails (exit 1)
when any request failed, a subscriber lost its feed, or RSS grew after the warm-up (median of the
last third of the samples over the first third, after the first 20 %, by more than --rss-growth-max).

Writes are paced (--writes-per-second) as a busy organization's are, so that the state itself barely
grows: what this looks for is memory that grows while the data does not.

    soak.py --statusd .build/release/statusd --minutes 10 --svg docs/soak.svg
"""
import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from websockets.sync.client import connect as ws_connect

parser = argparse.ArgumentParser()
parser.add_argument("--statusd", required=True)
parser.add_argument("--minutes", type=float, default=10)
parser.add_argument("--interval", type=float, default=10, help="seconds per sample")
parser.add_argument("--readers", type=int, default=4)
parser.add_argument("--writers", type=int, default=2)
parser.add_argument("--writes-per-second", type=float, default=20)
parser.add_argument("--subscribers", type=int, default=50)
parser.add_argument("--rss-growth-max", type=float, default=0.10)
parser.add_argument("--svg", help="write the chart here")
parser.add_argument("--build", default="release", help="the binary's build, named on the chart")
parser.add_argument("--report", help="append the totals as one JSON line to this file")
options = parser.parse_args()

data = tempfile.mkdtemp(prefix="statusd-soak-")
process = subprocess.Popen(
    [options.statusd, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data, "--fsync", "always"],
    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=dict(os.environ, STATUSD_TEST_KDF_LOG2="10"),
    text=True)
line = ""
while "statusd listening on " not in line:
    line = process.stdout.readline()
    if not line:
        raise SystemExit("soak: statusd exited before listening (code %s)" % process.wait())
port = int(line.strip().rsplit(":", 1)[1])

lock = threading.Lock()
window = {"reads": [], "writes": [], "frames": 0}  # latencies (s) and counts since the last sample
failures = []
stop = threading.Event()


def fail(message):
    with lock:
        if len(failures) < 20:
            print("soak: FAILURE " + message, file=sys.stderr)
        failures.append(message)


class Client:
    """One keep-alive connection, reopened only if the server closes it between requests."""

    def __init__(self, token=None):
        self.token = token
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        for attempt in (0, 1):
            try:
                self.connection.request(method, path, json.dumps(body) if body is not None else None, headers)
                response = self.connection.getresponse()
                raw = response.read()
                is_json = "json" in (response.getheader("Content-Type") or "")
                return response.status, (json.loads(raw) if raw and is_json else raw)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                if attempt:
                    raise
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)


setup = Client()
_, signed = setup.call("POST", "/api/auth/signup",
                       {"email": "soak@example.com", "password": "correct horse battery", "name": "Soak"})
setup.token = signed["token"]
setup.call("POST", "/api/organizations", {"slug": "soak", "name": "Soak"})
_, key = setup.call("POST", "/api/keys", {"name": "soak", "role": "admin"})
token = key["token"]
services = [Client(token).call("POST", "/api/services", {"name": "S%d" % i})[1]["id"] for i in range(8)]


def timed(kind, client, method, path, body=None, expected=(200,)):
    started = time.perf_counter()
    try:
        status, answer = client.call(method, path, body)
    except OSError as error:
        fail("%s %s: %s" % (method, path, error))
        return None
    elapsed = time.perf_counter() - started
    if status not in expected:
        fail("%s %s answered %d" % (method, path, status))
        return None
    with lock:
        window[kind].append(elapsed)
    return answer


def reader():
    client = Client()
    paths = ["/api/status/soak", "/status/soak/badge.svg", "/s/soak/api/v2/summary.json",
             "/api/status/soak/incidents"]
    turn = 0
    while not stop.is_set():
        timed("reads", client, "GET", paths[turn % len(paths)])
        turn += 1


def writer(index):
    client = Client(token)
    pause = options.writers / options.writes_per_second
    mine = services[1 + index::options.writers]  # services[0] is the incidents' service
    degraded = {service: False for service in mine}
    turn = 0
    while not stop.is_set():
        service = mine[turn % len(mine)]
        degraded[service] = not degraded[service]  # every write changes something: a frame for everyone
        status = "degraded_performance" if degraded[service] else "operational"
        timed("writes", client, "PUT", "/api/services/%s/status" % service, {"status": status})
        turn += 1
        stop.wait(pause)


def incidents():
    """An incident every few seconds, through its life: opened, updated, resolved, deleted."""
    client = Client(token)
    while not stop.is_set():
        opened = timed("writes", client, "POST", "/api/incidents", {
            "name": "Soak", "status": "investigating", "impact": "minor", "body": "Looking",
            "affected_services": [{"service_id": services[0], "status": "partial_outage"}]}, expected=(201,))
        if opened:
            incident = opened["id"]
            timed("writes", client, "POST", "/api/incidents/%s/updates" % incident,
                  {"status": "identified", "body": "Found it"})
            timed("writes", client, "PUT", "/api/incidents/%s/resolve" % incident, {"body": "Fixed"})
            timed("writes", client, "DELETE", "/api/incidents/%s" % incident, expected=(204,))
        stop.wait(3)


def subscriber():
    try:
        with ws_connect("ws://127.0.0.1:%d/ws/soak" % port, open_timeout=10, max_size=2 ** 22) as socket:
            while not stop.is_set():
                try:
                    message = json.loads(socket.recv(timeout=1))
                except TimeoutError:
                    continue
                if message.get("type") == "resync":
                    fail("a subscriber was told to resync (it fell behind)")
                with lock:
                    window["frames"] += 1
    except Exception as error:  # any end of the feed before the stop is a failure
        if not stop.is_set():
            fail("a live subscriber's feed ended: %r" % error)


def rss_mib():
    with open("/proc/%d/status" % process.pid) as status:
        for row in status:
            if row.startswith("VmRSS:"):
                return int(row.split()[1]) / 1024
    return 0.0


def p99(values):
    return sorted(values)[int(len(values) * 0.99)] * 1000 if values else 0.0


def guarded(work, *arguments):
    """A load thread that dies of an exception is a failure, not a quiet drop in load."""
    def run():
        try:
            work(*arguments)
        except Exception as error:
            fail("%s stopped: %r" % (work.__name__, error))
    return threading.Thread(target=run)


threads = [guarded(reader) for _ in range(options.readers)]
threads += [guarded(writer, i) for i in range(options.writers)]
threads += [guarded(incidents)] + [guarded(subscriber) for _ in range(options.subscribers)]
for thread in threads:
    thread.daemon = True
    thread.start()

samples = []
started = time.time()
print("soak: %d readers, %d writers at %.0f writes/s, %d live subscribers, %.1f minutes" % (
    options.readers, options.writers, options.writes_per_second, options.subscribers, options.minutes))
print("%7s %9s %9s %10s %11s %9s %8s" % ("t (s)", "reads/s", "writes/s", "read p99", "write p99", "frames/s",
                                         "RSS MiB"))
try:
    while time.time() - started < options.minutes * 60:
        time.sleep(options.interval)
        if process.poll() is not None:
            fail("statusd exited with %s" % process.returncode)
            break
        with lock:
            reads, writes, frames = window["reads"], window["writes"], window["frames"]
            window.update(reads=[], writes=[], frames=0)
        sample = {"t": round(time.time() - started), "reads": len(reads) / options.interval,
                  "writes": len(writes) / options.interval, "read_p99_ms": p99(reads),
                  "write_p99_ms": p99(writes), "frames": frames / options.interval, "rss_mib": rss_mib()}
        samples.append(sample)
        print("%7d %9.0f %9.1f %8.1f ms %8.1f ms %9.0f %8.1f" % (
            sample["t"], sample["reads"], sample["writes"], sample["read_p99_ms"], sample["write_p99_ms"],
            sample["frames"], sample["rss_mib"]), flush=True)
finally:
    stop.set()
    for thread in threads:
        thread.join(timeout=5)
    process.terminate()
    process.wait(timeout=30)
    shutil.rmtree(data, ignore_errors=True)

settled = samples[max(1, len(samples) // 5):]
growth = 0.0
if len(settled) >= 3:
    third = max(1, len(settled) // 3)
    first = statistics.median(s["rss_mib"] for s in settled[:third])
    last = statistics.median(s["rss_mib"] for s in settled[-third:])
    growth = last / first - 1
    if growth > options.rss_growth_max:
        fail("RSS grew %.1f %% after the warm-up (%.1f -> %.1f MiB)" % (growth * 100, first, last))
else:
    fail("too few samples to judge RSS (%d): run longer" % len(samples))
if samples and min(s["frames"] for s in samples) == 0:
    fail("an interval went by without a single live frame")

totals = {"minutes": options.minutes, "samples": len(samples), "failures": len(failures),
          "reads_per_second": statistics.median(s["reads"] for s in samples) if samples else 0,
          "writes_per_second": statistics.median(s["writes"] for s in samples) if samples else 0,
          "read_p99_ms": max((s["read_p99_ms"] for s in samples), default=0),
          "rss_first_mib": samples[0]["rss_mib"] if samples else 0,
          "rss_last_mib": samples[-1]["rss_mib"] if samples else 0, "rss_growth": growth,
          "subscribers": options.subscribers, "build": options.build}
print("soak: " + json.dumps(totals))
if options.report:
    os.makedirs(os.path.dirname(options.report) or ".", exist_ok=True)
    with open(options.report, "a") as report:
        report.write(json.dumps(dict(totals, at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))) + "\n")


def chart(path):
    """Two panels, hand-drawn SVG (no plotting library to install): RSS, and reads/s with read p99."""
    width, height, left, right = 760, 420, 60, 60
    panels = [("RSS (MiB)", [s["rss_mib"] for s in samples], None, None),
              ("reads/s", [s["reads"] for s in samples], "read p99 (ms)", [s["read_p99_ms"] for s in samples])]
    end = max(s["t"] for s in samples) or 1
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
             'font-size="12"><rect width="100%%" height="100%%" fill="white"/>' % (width, height),
             '<text x="%d" y="18" font-size="14">statusd soak (%s build): %.0f min, %d live subscribers, '
             '%.0f writes/s, %d failures</text>' % (left, options.build, options.minutes, options.subscribers,
                                                   options.writes_per_second, len(failures))]
    for index, (label, values, second_label, second) in enumerate(panels):
        top = 40 + index * 190
        plot = 150

        def polyline(series, colour, scale):
            points = " ".join("%.1f,%.1f" % (left + (s["t"] / end) * (width - left - right),
                                             top + plot - (v / scale) * plot) for s, v in zip(samples, series))
            return '<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (colour, points)

        scale = max(values) * 1.15 or 1
        parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>' % (
            left, top, width - left - right, plot))
        parts.append('<text x="4" y="%d" fill="#1f6feb">%s</text>' % (top - 4, label))
        parts.append('<text x="4" y="%d">%.0f</text><text x="4" y="%d">0</text>' % (top + 12, scale, top + plot))
        parts.append(polyline(values, "#1f6feb", scale))
        if second:
            second_scale = max(second) * 1.15 or 1
            parts.append('<text x="%d" y="%d" fill="#d1242f" text-anchor="end">%s, max %.0f</text>' % (
                width - 4, top - 4, second_label, second_scale))
            parts.append(polyline(second, "#d1242f", second_scale))
        parts.append('<text x="%d" y="%d" text-anchor="end">%d s</text>' % (width - right, top + plot + 14, end))
    parts.append("</svg>")
    with open(path, "w") as out:
        out.write("\n".join(parts) + "\n")


if options.svg and samples:
    chart(options.svg)
    print("soak: chart in " + options.svg)
if failures:
    print("soak: FAILED (%d failures)" % len(failures), file=sys.stderr)
    sys.exit(1)
print("soak: passed")
