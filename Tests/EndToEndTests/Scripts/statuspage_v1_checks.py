"""What the scripts that drive statusd's Statuspage management API v1 share: requests with the key
sent in any of the ways Statuspage's clients send it, checks that are counted, and answers held to
the JSON Schemas in Schemas/statuspage-v1 (written from Atlassian's documentation)."""
import json
import os
import urllib.parse

import jsonschema_rs

import statusd_http

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = {}
for name in ["component", "component-group", "incident", "incident-update", "page", "uptime", "user", "error",
             "subscriber", "subscriber-count", "subscriber-histogram"]:
    with open(os.path.join(HERE, "..", "Schemas", "statuspage-v1", name + ".json")) as f:
        SCHEMAS[name] = jsonschema_rs.validator_for(json.load(f))
problems = []
counted = {"checks": 0}
server = {"port": None, "key": None}


def use(port, key):
    """The server and the key requests go to unless told otherwise."""
    server["port"], server["key"] = port, key


def request(method, path, body=None, form=None, auth="oauth", key=None):
    key = key or server["key"]
    headers = {}
    if auth == "oauth":
        headers["Authorization"] = "OAuth " + key
    elif auth == "bearer":
        headers["Authorization"] = "Bearer " + key
    elif auth == "bare":
        headers["Authorization"] = key
    elif auth == "query":
        path += ("&" if "?" in path else "?") + "api_key=" + key
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    status, _, raw = statusd_http.request(server["port"], method, "/v1" + path, data, headers)
    return status, json.loads(raw) if raw else None


def expect(condition, what):
    counted["checks"] += 1
    if not condition:
        problems.append(what)


def valid(value, schema, where):
    """The value (or each item of a list) holds to the named schema."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        errors = [(e.message, list(e.instance_path)) for e in SCHEMAS[schema].iter_errors(item)]
        expect(not errors, "%s: does not hold to %s.json: %s" % (where, schema, errors[:3]))


def answer(method, path, status, schema=None, **kwargs):
    got, value = request(method, path, **kwargs)
    expect(got == status, "%s %s: %s, expected %s: %s" % (method, path, got, status, json.dumps(value)[:300]))
    if status >= 400:
        valid(value, "error", "%s %s error" % (method, path))
    elif schema:
        valid(value, schema, "%s %s" % (method, path))
    return value
