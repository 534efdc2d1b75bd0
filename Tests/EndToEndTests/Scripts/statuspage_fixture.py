"""A stand-in for api.statuspage.io on loopback: answers GET /v1/pages/<page>/<list> from the
recorded responses in a folder (component-groups.json, components.json, incidents.json,
subscribers.json), read again
on every request so that a test can change them between imports. Checks `Authorization: OAuth <key>`
(401 with Statuspage's error otherwise), pages with page/per_page, and holds pages to at most
PER_PAGE_MAX items (smaller than Statuspage's 100, so that a short import crosses pages); the
subscriber list pages as Statuspage's does, from 0 with limit, and filters by state. Prints
{"port": N}, then serves until its standard input closes.

    python statuspage_fixture.py <folder> <page id> <api key>
"""
import http.server
import json
import os
import sys
import threading
import urllib.parse

FOLDER, PAGE, KEY = sys.argv[1:4]
PER_PAGE_MAX = 2
requests = []


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, status, value):
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        if self.headers.get("Authorization") != "OAuth " + KEY:
            return self.answer(401, {"error": "Could not authenticate"})
        parts = url.path.strip("/").split("/")
        if len(parts) != 4 or parts[:2] != ["v1", "pages"] or parts[2] != PAGE:
            return self.answer(404, {"error": "The requested resource could not be found."})
        path = os.path.join(FOLDER, parts[3] + ".json")
        if not os.path.exists(path):
            return self.answer(404, {"error": "The requested resource could not be found."})
        with open(path) as f:
            items = json.load(f)
        if parts[3] == "subscribers":
            # Statuspage's subscriber list: `state` (default active, or all), pages from 0 with `limit`.
            state = query.get("state", ["active"])[0]
            items = [item for item in items if state == "all" or item["state"] == state]
            page = int(query.get("page", ["0"])[0])
            limit = min(int(query.get("limit", [str(len(items) or 1)])[0]), PER_PAGE_MAX)
            return self.answer(200, items[page * limit:(page + 1) * limit])
        page = int(query.get("page", ["1"])[0])
        per_page = min(int(query.get("per_page", ["100"])[0]), PER_PAGE_MAX)
        self.answer(200, items[(page - 1) * per_page:page * per_page])

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(json.dumps({"port": server.server_address[1]}), flush=True)
sys.stdin.read()
