"""Golden answers: every operation of statusd's HTTP surface, asked of a real statusd whose clock is
frozen and whose ids are a seeded sequence, with each answer (status, the headers that matter, body)
written to Tests/Golden/answers/<section>.txt. A change of the server's shape must reproduce them
byte for byte; a change of behaviour shows up as a diff to review and record again.

    python golden_answers.py --statusd .build/debug/statusd --check    # compare (the test does this)
    python golden_answers.py --statusd .build/debug/statusd --record   # write the files anew

What cannot repeat is replaced before comparing, never skipped: API key and invitation secrets (random
by design) become <secret-N>, and /metrics keeps only its metric names (its counters count timings).
The run fails when an operation of /openapi.json was not asked.

With STATUSD_TEST_LOG=postgres (under scripts/with-postgres.sh) statusd runs on the log on PostgreSQL,
in a database of its own, and its answers are checked against the same recorded files: the only parts
allowed to differ are those that describe the log itself (the `log` member of /health and its length,
the node's `leader` flag, the log's metric names), masked on both sides. The session-signing key, a
file in the data directory on the WAL, is the same fixed key put in the cluster's database.
"""
import argparse
import glob
import gzip
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ANSWERS = os.path.join(HERE, "answers")
FROZEN_AT = "2026-06-01T12:00:00Z"
# The headers a client acts on; Date, X-Request-ID and the like differ per run by design.
KEPT_HEADERS = [
    "content-type", "content-encoding", "content-length", "etag", "last-modified", "cache-control", "vary",
    "location", "allow", "www-authenticate", "retry-after", "set-cookie", "content-security-policy",
    "x-content-type-options", "referrer-policy", "x-frame-options", "access-control-allow-origin",
    "access-control-allow-methods", "access-control-allow-headers", "access-control-allow-credentials",
    "access-control-max-age", "access-control-expose-headers", "link", "upgrade", "connection",
    "sec-websocket-accept",
]
SECRET = re.compile(r"(?<![0-9a-z])[0-9a-hjkmnp-tv-z]{52}(?![0-9a-z])")


class Recorder:
    def __init__(self, port):
        self.port = port
        self.sections = {}
        self.section = None
        self.asked = set()
        self.secrets = {}

    def begin(self, name):
        self.section = name
        self.sections[name] = []

    def normalize(self, text):
        def secret(match):
            value = match.group(0)
            if value not in self.secrets:
                self.secrets[value] = "<secret-%d>" % (len(self.secrets) + 1)
            return self.secrets[value]

        return SECRET.sub(secret, text)

    def ask(self, method, path, body=None, headers=None, raw=None, label=None, metrics=False):
        """One exchange on a fresh connection; returns (status, headers, body text, parsed JSON or None)."""
        headers = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        connection.close()
        fields = {k.lower(): v for k, v in response.getheaders()}
        if fields.get("content-encoding") == "gzip":
            payload = gzip.decompress(payload)
        text = payload.decode("utf-8", errors="replace")
        parsed = None
        if "json" in fields.get("content-type", "") and text:
            try:
                parsed = json.loads(text)
            except ValueError:
                pass
        self.asked.add((method, path.split("?")[0]))
        shown = text
        if metrics:
            shown = "\n".join(sorted(line for line in text.splitlines() if line.startswith("# TYPE")))
            fields.pop("content-length", None)
        self.write(label or "%s %s" % (method, path), headers, response.status, fields, shown, data)
        return response.status, fields, text, parsed

    def write(self, title, headers, status, fields, body, sent):
        if os.environ.get("GOLDEN_VERBOSE"):
            print(title, status, file=sys.stderr)
        lines = ["### " + title]
        for name in sorted(headers):
            lines.append("> %s: %s" % (name, headers[name]))
        if sent is not None:
            lines.append("> " + sent.decode("utf-8", errors="replace")[:400])
        lines.append("< %d" % status)
        for name in KEPT_HEADERS:
            if name in fields:
                lines.append("< %s: %s" % (name, fields[name]))
        lines.append(body)
        self.sections[self.section].append(self.normalize("\n".join(lines)))

    def upgrade(self, path, headers=None):
        """A WebSocket handshake and the first frame the server sends (the hello), read from a raw socket."""
        request = [
            "GET %s HTTP/1.1" % path, "Host: 127.0.0.1:%d" % self.port, "Upgrade: websocket", "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
        ] + ["%s: %s" % item for item in (headers or {}).items()]
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as connection:
            connection.sendall(("\r\n".join(request) + "\r\n\r\n").encode())
            received = b""
            while b"\r\n\r\n" not in received:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                received += chunk
            head, _, rest = received.partition(b"\r\n\r\n")
            status_line, *header_lines = head.decode().split("\r\n")
            status = int(status_line.split()[1])
            fields = {}
            for line in header_lines:
                name, _, value = line.partition(":")
                fields[name.strip().lower()] = value.strip()
            frame = ""
            if status == 101:
                frame = self.read_frame(connection, rest)
        self.asked.add(("GET", path.split("?")[0]))
        self.write("UPGRADE " + path, headers or {}, status, fields, frame, None)

    @staticmethod
    def read_frame(connection, buffered):
        data = buffered
        while len(data) < 2:
            data += connection.recv(65536)
        length = data[1] & 0x7F
        offset = 2
        if length == 126:
            while len(data) < 4:
                data += connection.recv(65536)
            length = int.from_bytes(data[2:4], "big")
            offset = 4
        elif length == 127:
            while len(data) < 10:
                data += connection.recv(65536)
            length = int.from_bytes(data[2:10], "big")
            offset = 10
        while len(data) < offset + length:
            data += connection.recv(65536)
        return "opcode %d: %s" % (data[0] & 0x0F, data[offset:offset + length].decode("utf-8", errors="replace"))

    def stream(self, path, headers=None):
        """An SSE answer's head and its first event (the server keeps the stream open)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as connection:
            lines = ["GET %s HTTP/1.1" % path, "Host: 127.0.0.1:%d" % self.port, "Accept: text/event-stream"]
            lines += ["%s: %s" % item for item in (headers or {}).items()]
            connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            received = b""
            while b"\n\n" not in received.partition(b"\r\n\r\n")[2]:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                received += chunk
        head, _, rest = received.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode().split("\r\n")
        fields = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        self.asked.add(("GET", path.split("?")[0]))
        # The first event only: what follows it in the buffer depends on how the reads fell.
        first = rest.decode().replace("\r", "").split("\n\n")[0]
        self.write("STREAM " + path, headers or {}, int(status_line.split()[1]), fields, first, None)


def start(binary, data, frozen_at=FROZEN_AT, extra=()):
    """statusd on `data` with its clock frozen at `frozen_at`; (the process, its port)."""
    # A fixed session-signing key, so that session tokens (and their CSRF tokens) repeat too.
    if not os.path.exists(os.path.join(data, "secrets", "session.key")):
        os.makedirs(os.path.join(data, "secrets"), mode=0o700, exist_ok=True)
        with open(os.path.join(data, "secrets", "session.key"), "wb") as key:
            key.write(bytes(range(32)))
        os.chmod(os.path.join(data, "secrets", "session.key"), 0o600)
    environment = dict(os.environ, STATUSD_TEST_FROZEN_AT=frozen_at, STATUSD_TEST_KDF_LOG2="10")
    if ON_POSTGRES:
        # A cluster signs sessions with the key in its database: the same fixed key, put there.
        environment["STATUSD_POSTGRES_URL"] = fresh_database()
        subprocess.run([binary, "cluster", "init"], env=environment, check=True, capture_output=True)
        subprocess.run([psql(), environment["STATUSD_POSTGRES_URL"], "-v", "ON_ERROR_STOP=1", "-c",
                        "INSERT INTO statusd_meta (key, value) VALUES ('secret:session', '%s')" % bytes(range(32)).hex()],
                       check=True, capture_output=True)
    process = subprocess.Popen(
        [binary, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data, "--demo", "--fsync", "none",
         "--wal-segment-mib", "1", "--public-url", "https://status.example.com",
         "--cors-origins", "https://app.example.com", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=environment)
    line = process.stdout.readline().decode()
    match = re.search(r"listening on http://[0-9.]+:(\d+)", line)
    if not match:
        process.kill()
        sys.exit("golden: statusd did not start: %r" % line)
    return process, int(match.group(1))


ON_POSTGRES = os.environ.get("STATUSD_TEST_LOG") == "postgres"


def fresh_database():
    """A new database on the server of scripts/with-postgres.sh; its URL."""
    admin = os.environ.get("STATUSD_TEST_POSTGRES_URL")
    if not admin:
        sys.exit("golden: STATUSD_TEST_LOG=postgres needs scripts/with-postgres.sh around it")
    name = "golden_%d" % os.getpid()
    subprocess.run([psql(), admin, "-v", "ON_ERROR_STOP=1", "-c", "DROP DATABASE IF EXISTS %s" % name], check=True,
                   capture_output=True)
    subprocess.run([psql(), admin, "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE %s" % name], check=True,
                   capture_output=True)
    return re.sub(r"/statusd\?", "/%s?" % name, admin)


def psql():
    return sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))[-1]


# The log's object (with the lag object a cluster node adds inside it) and a cluster node's "leader".
LOG_MEMBER = re.compile(r'("leader":(true|false),)?"log":\{(?:[^{}]|\{[^{}]*\})*\}')
LOG_METRIC = re.compile(r"\n# TYPE statusd_(wal|log)_\S+ \S+")


def mask_log(text):
    """An exchange with what describes the event log itself masked (see the module's comment)."""
    if LOG_MEMBER.search(text):
        text = re.sub(r"^< content-length: \d+$", "< content-length: <log>", LOG_MEMBER.sub('"log":<log>', text),
                      flags=re.MULTILINE)
    return LOG_METRIC.sub("", text)


def coverage_gaps(recorder, document):
    """Operations of /openapi.json no request matched."""
    gaps = []
    for template, operations in document["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "(\\.json)?$")
        for method in operations:
            if method.upper() not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                continue
            if not any(m == method.upper() and pattern.match(p) for m, p in recorder.asked):
                gaps.append("%s %s" % (method.upper(), template))
    return gaps


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--statusd", required=True)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--record", action="store_true")
    mode.add_argument("--check", action="store_true")
    arguments = parser.parse_args()
    if ON_POSTGRES and arguments.record:
        sys.exit("golden: record on the WAL; on PostgreSQL the answers are only checked against it")
    data = tempfile.mkdtemp(prefix="statusd-golden-")
    process, port = start(arguments.statusd, data)
    try:
        recorder = Recorder(port)
        import golden_scenario

        golden_scenario.run(recorder)
        status, _, text, document = recorder.ask("GET", "/openapi.json")
        gaps = coverage_gaps(recorder, document)
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)
    if gaps:
        sys.exit("golden: operations of /openapi.json never asked:\n  " + "\n  ".join(gaps))
    differences = []
    os.makedirs(ANSWERS, exist_ok=True)
    for name, exchanges in recorder.sections.items():
        path = os.path.join(ANSWERS, name + ".txt")
        text = "\n\n".join(exchanges) + "\n"
        # Byte for byte, line ends included: a CSV answer's CRLF is part of it (newline="" keeps it).
        if arguments.record:
            with open(path, "w", newline="") as file:
                file.write(text)
            continue
        expected = open(path, newline="").read() if os.path.exists(path) else ""
        if ON_POSTGRES:
            if name == "operations" and '"kind":"postgresql"' not in text:
                sys.exit("golden: STATUSD_TEST_LOG=postgres, but /health does not report the log on PostgreSQL")
            expected = "\n\n### ".join(mask_log(part) for part in expected.split("\n\n### "))
            text = "\n\n### ".join(mask_log(part) for part in text.split("\n\n### "))
        if expected != text:
            differences.append(first_difference(name, expected, text))
    if differences:
        sys.exit("golden: answers differ from Tests/Golden/answers:\n" + "\n".join(differences))
    count = sum(len(exchanges) for exchanges in recorder.sections.values())
    print("golden: %d answers %s in %d sections" % (count, "recorded" if arguments.record else "match",
                                                     len(recorder.sections)))


def first_difference(name, expected, actual):
    old = expected.split("\n\n### ")
    new = actual.split("\n\n### ")
    for index, (before, after) in enumerate(zip(old, new)):
        if before != after:
            return "%s.txt, exchange %d:\n--- recorded\n%s\n+++ now\n%s" % (name, index + 1, before[:3000], after[:3000])
    return "%s.txt: %d exchanges recorded, %d now" % (name, len(old), len(new))


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    main()
