"""HTTP to a statusd on loopback, for the test scripts: one connection per request, nothing kept."""
import http.client
import json


def request(port, method, path, body=None, headers=None, timeout=10):
    """One request. A body of bytes or str is sent as it is, any other value as JSON.
    Returns (status, headers as a dict, the raw body)."""
    headers = dict(headers or {})
    if body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body)
        headers.setdefault("Content-Type", "application/json")
    c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        c.close()


def api(port, method, path, token, body=None, timeout=10):
    """A JSON API call with a bearer token: (status, the decoded body or None)."""
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    status, _, data = request(port, method, path, body, headers, timeout)
    return status, json.loads(data) if data else None
