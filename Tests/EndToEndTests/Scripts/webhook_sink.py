"""A webhook receiver on 127.0.0.2 for the subscriber tests: it records every POST (path, headers,
body) and answers by the path's first segment: /ok/... 200, /fail/... 500, /redirect/... 302 to /ok/....
Prints {"port": N} once listening; GET /_received returns what it recorded, as JSON; it stops when its
standard input closes."""

import base64
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

received = []
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with lock:
            received.append({
                "path": self.path,
                "headers": {name.lower(): value for name, value in self.headers.items()},
                "body": base64.b64encode(body).decode("ascii"),
            })
        kind = self.path.split("/")[1] if self.path.count("/") >= 2 else "ok"
        if kind == "fail":
            self.answer(500, b"broken")
        elif kind == "redirect":
            self.send_response(302)
            self.send_header("Location", "/ok" + self.path[len("/redirect"):])
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.answer(200, b"ok")

    def do_GET(self):
        if self.path == "/_received":
            with lock:
                data = json.dumps(received).encode()
            self.answer(200, data)
        else:
            self.answer(404, b"")

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.2", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
