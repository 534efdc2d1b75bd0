"""The outside world of a custom-domain check, on loopback: a DNS server (dnslib) answering TXT
queries and a web server answering GET requests, both from a JSON file the test rewrites as it goes
({"txt": {name: [values]}, "http": {path: body}}), read again on every request. Prints one line,
{"dns": port, "http": port}, then serves until its standard input closes.

    python domain_fixture.py <records.json>
"""
import http.server
import json
import socket
import sys
import threading

from dnslib import QTYPE, RCODE, RR, TXT, DNSRecord

RECORDS = sys.argv[1]


def records():
    try:
        with open(RECORDS) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def serve_dns(sock):
    while True:
        data, client = sock.recvfrom(4096)
        try:
            query = DNSRecord.parse(data)
        except Exception:
            continue
        reply = query.reply()
        name = str(query.q.qname).rstrip(".").lower()
        values = records().get("txt", {}).get(name)
        if values is None:
            reply.header.rcode = RCODE.NXDOMAIN
        elif query.q.qtype == QTYPE.TXT:
            for value in values:
                reply.add_answer(RR(query.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=60))
        sock.sendto(reply.pack(), client)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = records().get("http", {}).get(self.path)
        if body is None:
            self.send_response(404)
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


dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dns.bind(("127.0.0.1", 0))
web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=serve_dns, args=(dns,), daemon=True).start()
threading.Thread(target=web.serve_forever, daemon=True).start()
print(json.dumps({"dns": dns.getsockname()[1], "http": web.server_address[1]}), flush=True)
sys.stdin.read()
