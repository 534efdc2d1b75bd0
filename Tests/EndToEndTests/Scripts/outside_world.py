"""The outside world of statusd's outbound requests, on loopback: a DNS server (dnslib) and web servers
on 127.0.0.1 to 127.0.0.9, all on one port, that count the connections each address received. Both
answer from a JSON file the test rewrites as it goes, read again on every request:

    {"txt": {name: [values]},
     "addresses": {name: [[answer to the 1st query], [answer to the 2nd], ...]},  # the last repeats
     "http": {path: body},            # 200 with the body
     "redirects": {path: location}}   # 302 to the location

A name's A and AAAA queries are counted apart and start again when the file changes, so a test can
make a name answer one address first and another next (DNS rebinding). Connections are counted into
<records.json>.seen as {address: count}. Prints one line, {"dns": port, "http": port}, then serves until
its standard input closes.

    python outside_world.py <records.json>
"""
import http.server
import ipaddress
import json
import os
import socket
import sys
import threading

from dnslib import AAAA, QTYPE, RCODE, RR, TXT, A, DNSRecord

RECORDS = sys.argv[1]
SEEN = RECORDS + ".seen"
ADDRESSES = [f"127.0.0.{n}" for n in range(1, 10)]
lock = threading.Lock()
state = {"text": None, "asked": {}, "seen": {}}


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
        known = records()
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


class CountingServer(http.server.ThreadingHTTPServer):
    """Counts every accepted connection to its address, before any byte is read."""

    def verify_request(self, request, client_address):
        address = self.server_address[0]
        with lock:
            state["seen"][address] = state["seen"].get(address, 0) + 1
            with open(SEEN + ".tmp", "w") as f:
                json.dump(state["seen"], f)
            # Renamed into place, so that a reader never sees half a file.
            os.replace(SEEN + ".tmp", SEEN)
        return True


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
print(json.dumps({"dns": dns.getsockname()[1], "http": port}), flush=True)
sys.stdin.read()
