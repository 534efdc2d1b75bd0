"""nginx in front of statusd, with the repository's own docs/deploy/nginx.conf, for ProxyTests: the
site file is rendered with test ports and certificates (every replaced line must be found, so a change
to the file that the test cannot follow fails it), nginx runs in the foreground on loopback, and a
client that trusts only the test's CA checks https, the WebSocket upgrade, SSE unbuffered and the
client's address as statusd sees it. Prints one JSON object; nginx stops with the script.

    proxy_client.py STATUSD_PORT SITE_CONF DIRECTORY STATUSD_LOG

DIRECTORY holds ca.pem and server.pem/server.key (certificates.py), and takes nginx's files.
statusd runs with --access-log --trusted-proxies 127.0.0.1/32 --live-max-per-address 1.
"""

import asyncio
import ctypes
import http.client
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time

import websockets

STATUSD_PORT, SITE, DIRECTORY, STATUSD_LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
CA = os.path.join(DIRECTORY, "ca.pem")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


HTTPS_PORT, PLAIN_PORT = free_port(), free_port()


def render():
    """The site file with this test's ports and certificate; fails on any line it cannot find."""
    with open(SITE) as file:
        text = file.read()
    replacements = [
        ("    listen 80;\n", "    listen 127.0.0.1:%d;\n" % PLAIN_PORT),
        ("    listen [::]:80;\n", ""),
        ("    listen 443 ssl;\n", "    listen 127.0.0.1:%d ssl;\n" % HTTPS_PORT),
        ("    listen [::]:443 ssl;\n", ""),
        ("    server 127.0.0.1:8080;\n", "    server 127.0.0.1:%d;\n" % STATUSD_PORT),
    ]
    for old, new in replacements:
        if old not in text:
            raise SystemExit("docs/deploy/nginx.conf no longer has %r" % old)
        text = text.replace(old, new)
    text, count = re.subn(r"ssl_certificate\s+\S+;", "ssl_certificate %s;" % os.path.join(DIRECTORY, "server.pem"), text)
    text, count_key = re.subn(r"ssl_certificate_key\s+\S+;",
                              "ssl_certificate_key %s;" % os.path.join(DIRECTORY, "server.key"), text)
    if count != 1 or count_key != 1:
        raise SystemExit("docs/deploy/nginx.conf: expected one ssl_certificate and one ssl_certificate_key")
    site = os.path.join(DIRECTORY, "statusd-site.conf")
    with open(site, "w") as file:
        file.write(text)
    main = os.path.join(DIRECTORY, "nginx.conf")
    with open(main, "w") as file:
        file.write("""%s
worker_processes 1;
pid %s/nginx.pid;
error_log %s/nginx-error.log;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path %s/nginx-body;
    proxy_temp_path %s/nginx-proxy;
    include %s;
}
""" % ("user root root;" if os.getuid() == 0 else "", DIRECTORY, DIRECTORY, DIRECTORY, DIRECTORY, site))
    return main


def die_with_parent():
    ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_nginx(main):
    nginx = subprocess.Popen(["/usr/sbin/nginx", "-p", DIRECTORY, "-c", main, "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=die_with_parent)
    deadline = time.monotonic() + 30
    while True:
        if nginx.poll() is not None:
            raise SystemExit("nginx did not start: " + nginx.stderr.read().decode())
        try:
            socket.create_connection(("127.0.0.1", HTTPS_PORT), timeout=1).close()
            return nginx
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("nginx did not listen")
            time.sleep(0.05)


def trusting_the_ca():
    return ssl.create_default_context(cafile=CA)


def get(path, source="127.0.0.1", headers=None):
    connection = http.client.HTTPSConnection("127.0.0.1", HTTPS_PORT, context=trusting_the_ca(), timeout=10,
                                             source_address=(source, 0))
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def client_in_log(request_id):
    """The client statusd's access log names for the request with this id."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open(STATUSD_LOG, errors="replace") as file:
            for line in file:
                if request_id in line:
                    found = re.search(r"client=(\S+)", line)
                    return found.group(1) if found else line
        time.sleep(0.05)
    return None


async def websocket(source):
    return await websockets.connect("wss://127.0.0.1:%d/ws/demo" % HTTPS_PORT, ssl=trusting_the_ca(),
                                    local_addr=(source, 0))


async def refused(source):
    """Whether statusd refuses one more live connection from `source` (its limit is one per client)."""
    try:
        ws = await websocket(source)
    except websockets.InvalidStatus as error:
        return error.response.status_code == 429
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 10)
    except websockets.ConnectionClosed as closed:
        return closed.rcvd is not None and closed.rcvd.code == 1008
    except asyncio.TimeoutError:
        return False


async def checks(out):
    status, headers, _ = get("/health")
    out["health"] = status
    out["hsts"] = headers.get("Strict-Transport-Security")
    # A client that names someone else in X-Forwarded-For is still itself.
    status, headers, _ = get("/api/status/demo", source="127.0.0.5", headers={"X-Forwarded-For": "203.0.113.9"})
    out["summary"] = status
    out["client_seen"] = client_in_log(headers.get("X-Request-ID", "none"))
    # WebSocket upgrade through the proxy; one live connection per client: two clients, one each.
    first = await websocket("127.0.0.5")
    out["wss_first_frame"] = json.loads(await asyncio.wait_for(first.recv(), 10)).get("type")
    second = await websocket("127.0.0.6")
    out["second_client_admitted"] = json.loads(await asyncio.wait_for(second.recv(), 10)).get("type") is not None
    out["same_client_refused"] = await refused("127.0.0.5")
    await first.close()
    await second.close()
    # SSE through the proxy: the first event arrives while the stream stays open (statusd's heartbeat
    # is a minute away, so a buffering proxy would hold it).
    connection = http.client.HTTPSConnection("127.0.0.1", HTTPS_PORT, context=trusting_the_ca(), timeout=10)
    connection.request("GET", "/api/status/demo/events", headers={"Accept": "text/event-stream"})
    response = connection.getresponse()
    out["sse_status"] = response.status
    out["sse_first_data"] = None
    for _ in range(50):
        line = response.readline().decode()
        if line.startswith("data:"):
            out["sse_first_data"] = True
            break
    connection.close()
    # The plain port sends people to https.
    plain = http.client.HTTPConnection("127.0.0.1", PLAIN_PORT, timeout=10)
    plain.request("GET", "/status/demo", headers={"Host": "status.example.com"})
    response = plain.getresponse()
    out["redirect"] = [response.status, response.getheader("Location")]
    plain.close()


def main():
    nginx = start_nginx(render())
    out = {}
    try:
        asyncio.run(checks(out))
    finally:
        nginx.send_signal(signal.SIGQUIT)
        try:
            nginx.wait(10)
        except subprocess.TimeoutExpired:
            nginx.kill()
    print(json.dumps(out))


main()
