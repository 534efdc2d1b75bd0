"""A client of statusd serving https itself (--tls-certificate), for TLSTests: it trusts only the
test's CA, reads over https, follows a live feed over wss and one over SSE, replaces the certificate
and sends SIGHUP, and checks what new and open connections see; then a broken certificate. Prints
one JSON object of what it found.

    tls_client.py PORT DIRECTORY REDIRECT_PORT PID LOG

DIRECTORY holds ca.pem/ca.key and the served server.pem/server.key (certificates.py made them); LOG is
statusd's standard error, where it says what a SIGHUP did.
"""

import asyncio
import http.client
import json
import os
import shutil
import signal
import ssl
import sys
import time

import websockets

import certificates

PORT, DIRECTORY, REDIRECT_PORT, PID, LOG = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), \
    sys.argv[5]
CA = os.path.join(DIRECTORY, "ca.pem")


def trusting_the_ca(maximum=None):
    context = ssl.create_default_context(cafile=CA)
    if maximum:
        context.maximum_version = maximum
    return context


def get(path, context=None):
    """(status, headers, body, the serial of the certificate the server showed)."""
    connection = http.client.HTTPSConnection("127.0.0.1", PORT, context=context or trusting_the_ca(), timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        return response.status, dict(response.getheaders()), body, connection.sock.getpeercert()["serialNumber"]
    finally:
        connection.close()


def wait_for(what, condition, seconds=30):
    """Polls `condition` until it holds, or fails the script naming `what`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for " + what)
        time.sleep(0.05)


def log_count(text):
    with open(LOG, errors="replace") as file:
        return file.read().count(text)


def replace(source, target):
    """As certbot's deploy does: the new file appears whole under the served name."""
    shutil.copyfile(source, target + ".new")
    os.chmod(target + ".new", 0o600)
    os.replace(target + ".new", target)


class EventStream:
    """A Server-Sent Events stream over https, read line by line."""

    def __init__(self, path):
        self.connection = http.client.HTTPSConnection("127.0.0.1", PORT, context=trusting_the_ca(), timeout=10)
        self.connection.request("GET", path, headers={"Accept": "text/event-stream"})
        self.response = self.connection.getresponse()
        self.serial = self.connection.sock.getpeercert()["serialNumber"]

    def next_line(self):
        """The next line ("" at the end of the stream)."""
        return self.response.readline().decode().rstrip("\n")

    def first_data(self):
        for _ in range(100):
            line = self.next_line()
            if line.startswith("data:"):
                return line
        return None


async def main():
    out = {}
    status, headers, body, first_serial = get("/health")
    out["health"] = status
    out["hsts"] = headers.get("Strict-Transport-Security")
    out["tls12"] = get("/health", trusting_the_ca(ssl.TLSVersion.TLSv1_2))[0]
    try:
        get("/health", ssl.create_default_context())
        out["untrusted"] = "accepted"
    except ssl.SSLCertVerificationError:
        out["untrusted"] = "refused"

    # Live feeds over TLS, opened before the reload and kept.
    socket = await websockets.connect("wss://127.0.0.1:%d/ws/demo" % PORT, ssl=trusting_the_ca())
    out["wss_first_frame"] = json.loads(await asyncio.wait_for(socket.recv(), 10)).get("type")
    socket_serial = socket.transport.get_extra_info("ssl_object").getpeercert()["serialNumber"]
    stream = EventStream("/api/status/demo/events")
    out["sse_status"] = stream.response.status
    out["sse_content_type"] = stream.response.getheader("Content-Type")
    out["sse_has_data"] = stream.first_data() is not None

    # A new certificate from the same CA, served after SIGHUP.
    new_certificate, new_key = certificates.make_server(DIRECTORY, CA, os.path.join(DIRECTORY, "ca.key"),
                                                        "127.0.0.1", name="renewed")
    replace(new_key, os.path.join(DIRECTORY, "server.key"))
    replace(new_certificate, os.path.join(DIRECTORY, "server.pem"))
    os.kill(PID, signal.SIGHUP)
    wait_for("the renewed certificate", lambda: get("/health")[3] != first_serial)
    status, _, _, renewed_serial = get("/health")
    out["after_reload"] = {"status": status, "serial_changed": renewed_serial != first_serial}
    # The connections opened before it still work, with the certificate they began with.
    await socket.send(json.dumps({"type": "subscribe", "org": "demo"}))
    out["wss_after_reload"] = json.loads(await asyncio.wait_for(socket.recv(), 10)).get("type")
    out["wss_kept_its_certificate"] = socket_serial == first_serial
    # A heartbeat comes each second (--live-heartbeat-seconds 1); "" only at the stream's end.
    out["sse_after_reload"] = any(stream.next_line() for _ in range(3))
    out["sse_kept_its_certificate"] = stream.serial == first_serial
    await socket.close()
    stream.connection.close()

    # A broken certificate on reload: statusd says so and keeps serving the renewed one.
    refusals = log_count("kept the certificate being served")
    with open(os.path.join(DIRECTORY, "server.pem"), "w") as file:
        file.write("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    os.kill(PID, signal.SIGHUP)
    wait_for("statusd to refuse the broken certificate", lambda: log_count("kept the certificate being served") > refusals)
    status, _, _, serial = get("/health")
    out["after_broken_reload"] = {"status": status, "same_certificate": serial == renewed_serial}

    # The plain port only redirects.
    plain = http.client.HTTPConnection("127.0.0.1", REDIRECT_PORT, timeout=10)
    plain.request("POST", "/api/organizations?x=1", body=b"{}", headers={"Host": "status.example.test"})
    response = plain.getresponse()
    out["redirect"] = {"status": response.status, "location": response.getheader("Location"),
                       "hsts": response.getheader("Strict-Transport-Security")}
    plain.close()
    plain = http.client.HTTPConnection("127.0.0.1", REDIRECT_PORT, timeout=10)
    plain.request("GET", "/", headers={"Host": "evil.test/@other"})
    out["redirect_bad_host"] = plain.getresponse().status
    plain.close()
    print(json.dumps(out))


asyncio.run(main())
