"""The outside world of statusd's outbound requests, on loopback: a DNS server (dnslib) and web servers
on 127.0.0.1 to 127.0.0.9, all on one port, that count the connections each address received. Both
answer from a JSON file the test rewrites as it goes, read again on every request:

    {"txt": {name: [values]},
     "addresses": {name: [[answer to the 1st query], [answer to the 2nd], ...]},  # the last repeats
     "http": {path: body},            # 200 with the body
     "redirects": {path: location},   # 302 to the location
     "silent": [path]}                # accepted, never answered

A TLS listener on 127.0.0.2 with a self-signed certificate records the server name (SNI) each client
sends, then serves nothing: a client that checks certificates gives up in the handshake.

A name's A and AAAA queries are counted apart and start again when the file changes, so a test can
make a name answer one address first and another next (DNS rebinding). What the servers saw goes to
<records.json>.seen: {"connections": {address: count}, "hosts": [Host headers], "sni": [server names]}.
Prints one line, {"dns": port, "http": port, "https": port}, then serves until its standard input
closes.

    python outside_world.py <records.json>
"""
import http.server
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

from dnslib import AAAA, QTYPE, RCODE, RR, TXT, A, DNSRecord

RECORDS = sys.argv[1]
SEEN = RECORDS + ".seen"
ADDRESSES = [f"127.0.0.{n}" for n in range(1, 10)]
lock = threading.Lock()
state = {"text": None, "asked": {}, "seen": {"connections": {}, "hosts": [], "sni": []}}


def records():
    """The records, and how often each (name, type) was asked since they last changed."""
    try:
        with open(RECORDS) as f:
            text = f.read()
    except OSError:
        text = "{}"
    with lock:
        if text != state["text"]:
            state["text"] = text
            state["asked"] = {}
    try:
        return json.loads(text)
    except ValueError:
        return {}


def next_answer(name, qtype, sequence):
    with lock:
        count = state["asked"].get((name, qtype), 0)
        state["asked"][(name, qtype)] = count + 1
    return sequence[min(count, len(sequence) - 1)] if sequence else []


def serve_dns(sock):
    while True:
        data, client = sock.recvfrom(4096)
        try:
            query = DNSRecord.parse(data)
        except Exception:
            continue
        reply = query.reply()
        name = str(query.q.qname).rstrip(".").lower()
        known = records()
        texts = known.get("txt", {}).get(name)
        sequence = known.get("addresses", {}).get(name)
        if texts is None and sequence is None:
            reply.header.rcode = RCODE.NXDOMAIN
        elif query.q.qtype == QTYPE.TXT:
            for value in texts or []:
                reply.add_answer(RR(query.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=60))
        elif query.q.qtype in (QTYPE.A, QTYPE.AAAA):
            version = 4 if query.q.qtype == QTYPE.A else 6
            for text in next_answer(name, query.q.qtype, sequence or []):
                address = ipaddress.ip_address(text)
                if address.version == version:
                    # As bytes: dnslib's own reading of IPv6 text misses forms like ::ffff:127.0.0.3.
                    rdata = A(text) if version == 4 else AAAA(list(address.packed))
                    reply.add_answer(RR(query.q.qname, query.q.qtype, rdata=rdata, ttl=0))
        sock.sendto(reply.pack(), client)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        saw("hosts", self.headers.get("Host"))
        known = records()
        if self.path in known.get("silent", []):
            time.sleep(3600)  # a server that never answers; the thread dies with the process
            return
        location = known.get("redirects", {}).get(self.path)
        body = known.get("http", {}).get(self.path)
        if location is not None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def saw(kind, value):
    """Records what a server saw, and writes it all out (renamed into place: never half a file)."""
    with lock:
        seen = state["seen"]
        if kind == "connections":
            seen[kind][value] = seen[kind].get(value, 0) + 1
        else:
            seen[kind].append(value)
        with open(SEEN + ".tmp", "w") as f:
            json.dump(seen, f)
        os.replace(SEEN + ".tmp", SEEN)


class CountingServer(http.server.ThreadingHTTPServer):
    """Counts every accepted connection to its address, before any byte is read."""

    def verify_request(self, request, client_address):
        saw("connections", self.server_address[0])
        return True


def serve_tls(listener, context):
    """Accepts TLS connections only to learn the server name each client asks for."""
    while True:
        connection, _ = listener.accept()
        saw("connections", "127.0.0.2 (TLS)")
        try:
            context.wrap_socket(connection, server_side=True).close()
        except (ssl.SSLError, OSError):
            connection.close()


def tls_context():
    """A server context with a self-signed certificate made now, in a directory removed at once."""
    with tempfile.TemporaryDirectory() as directory:
        key, cert = os.path.join(directory, "key.pem"), os.path.join(directory, "cert.pem")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=outside.test",
             "-keyout", key, "-out", cert], check=True, capture_output=True)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
    context.sni_callback = lambda _socket, name, _context: saw("sni", name)
    return context


def listen_everywhere():
    """One web server per address, all on one free port."""
    while True:
        first = CountingServer((ADDRESSES[0], 0), Handler)
        port = first.server_address[1]
        servers = [first]
        try:
            for address in ADDRESSES[1:]:
                servers.append(CountingServer((address, port), Handler))
            return port, servers
        except OSError:
            for server in servers:
                server.server_close()


dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dns.bind(("127.0.0.1", 0))
port, servers = listen_everywhere()
threading.Thread(target=serve_dns, args=(dns,), daemon=True).start()
for server in servers:
    threading.Thread(target=server.serve_forever, daemon=True).start()
tls = socket.create_server(("127.0.0.2", 0))
threading.Thread(target=serve_tls, args=(tls, tls_context()), daemon=True).start()
print(json.dumps({"dns": dns.getsockname()[1], "http": port, "https": tls.getsockname()[1]}), flush=True)
sys.stdin.read()
