"""Live-feed scenarios for the end-to-end tests, run against a real statusd.

A third-party client (the `websockets` package, as users' scripts use it) and a raw-socket one for
what a polite client never does (unmasked frames, never answering pings, never reading). Each
scenario prints one JSON object the Swift test checks.

    python live_client.py <scenario> <port> [arguments...]
"""
import asyncio
import base64
import json
import os
import signal
import socket
import struct
import sys
import time

import websockets

import statusd_http

PORT = int(sys.argv[2])
URL = "ws://127.0.0.1:%d" % PORT


def api(method, path, token, body=None):
    return statusd_http.api(PORT, method, path, token, body, timeout=30)


async def frames(ws, count, seconds=30):
    """The next `count` frames as JSON, with the raw text of all of them."""
    got, raw = [], ""
    end = time.time() + seconds
    while len(got) < count and time.time() < end:
        try:
            text = await asyncio.wait_for(ws.recv(), max(0.01, end - time.time()))
        except asyncio.TimeoutError:
            break
        raw += text
        got.append(json.loads(text))
    return got, raw


async def closed(ws, seconds=15):
    """The close code and reason the server ends with (None if it stays open)."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), seconds)
    except websockets.ConnectionClosed as e:
        return [e.rcvd.code if e.rcvd else 1006, e.rcvd.reason if e.rcvd else ""]
    except asyncio.TimeoutError:
        return None


def short(frame):
    out = {k: frame.get(k) for k in ("type", "org", "seq", "prev", "feed")}
    if frame.get("type") == "status_update":
        out["indicator"] = frame["data"]["indicator"]
    return out


class RawSocket:
    """A WebSocket spoken by hand: the handshake, then frames as the test chooses."""

    def __init__(self, path, rcvbuf=None, source="127.0.0.1"):
        self.s = socket.socket()
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.bind((source, 0))
        self.s.connect(("127.0.0.1", PORT))
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (path, PORT, key)).encode())
        self.s.settimeout(10)
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.s.recv(1)
        self.status = int(head.split(b" ")[1])

    def send(self, opcode, payload, masked=True):
        header = bytes([0x80 | opcode])
        length = len(payload)
        mask_bit = 0x80 if masked else 0
        if length < 126:
            header += bytes([mask_bit | length])
        else:
            header += bytes([mask_bit | 126]) + struct.pack("!H", length)
        if masked:
            mask = os.urandom(4)
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            header += mask
        self.s.sendall(header + payload)

    def read_frames(self, seconds):
        """Frames until the server closes or `seconds` pass: [(opcode, payload)], closed."""
        self.s.settimeout(seconds)
        data, out = b"", []
        try:
            while True:
                chunk = self.s.recv(65536)
                if not chunk:
                    return self.parse(data), True
                data += chunk
        except socket.timeout:
            return self.parse(data), False
        except OSError:
            return self.parse(data), True

    @staticmethod
    def parse(data):
        out = []
        while len(data) >= 2:
            opcode, length = data[0] & 0x0F, data[1] & 0x7F
            offset = 2
            if length == 126:
                length, offset = struct.unpack("!H", data[2:4])[0], 4
            elif length == 127:
                length, offset = struct.unpack("!Q", data[2:10])[0], 10
            if len(data) < offset + length:
                break
            out.append((opcode, data[offset:offset + length]))
            data = data[offset + length:]
        return out

    @staticmethod
    def close_code(frames):
        for opcode, payload in frames:
            if opcode == 8 and len(payload) >= 2:
                return [struct.unpack("!H", payload[:2])[0], payload[2:].decode()]
        return None


async def feed(owner, slug):
    """Order, prev, resume, resync, subscribe, the members' feed, no leaks on the public one."""
    out = {}
    public = await websockets.connect(URL + "/ws/" + slug)
    hello, _ = await frames(public, 1)
    out["hello"] = short(hello[0])
    admin = await websockets.connect(URL + "/ws", additional_headers={"Authorization": "Bearer " + owner})
    admin_hello, _ = await frames(admin, 1)
    out["admin_hello"] = short(admin_hello[0])
    by_message = await websockets.connect(URL + "/ws")
    await by_message.send(json.dumps({"type": "auth", "token": owner}))
    out["auth_message_hello"] = short((await frames(by_message, 1))[0][0])
    await by_message.close()

    _, service = api("POST", "/api/services", owner, {"name": "API"})
    api("PUT", "/api/services/%s/status" % service["id"], owner, {"status": "major_outage"})
    _, key = api("POST", "/api/keys", owner, {"name": "feed", "role": "editor"})
    api("POST", "/api/team/invite", owner, {"email": "secret-invitee@example.com", "role": "viewer"})
    api("PUT", "/api/services/%s/status" % service["id"], owner, {"status": "operational"})

    seen, raw = await frames(public, 5)
    out["public"] = [short(f) for f in seen]
    out["leaks"] = [w for w in ("secret-invitee", key["token"], "sk_", "author", "key_created") if w in raw]
    admin_seen, admin_raw = await frames(admin, 7)
    out["admin"] = [short(f) for f in admin_seen]
    out["admin_secret"] = key["token"] in admin_raw or "sk_" in admin_raw
    out["admin_email"] = "secret-invitee@example.com" in admin_raw
    await admin.close()

    # Several organizations on one connection; a re-subscribe replays from its since.
    await public.send(json.dumps({"type": "subscribe", "org": "demo"}))
    out["subscribed"] = short((await frames(public, 1))[0][0])
    await public.send(json.dumps({"type": "subscribe", "org": slug, "since": seen[2]["seq"]}))
    again, _ = await frames(public, 3)
    out["resubscribed"] = [short(f) for f in again]
    await public.send(json.dumps({"type": "subscribe", "org": "nobody-here"}))
    out["unknown"] = (await frames(public, 1))[0][0]
    await public.send("not json")
    out["bad"] = (await frames(public, 1))[0][0]
    await public.close()

    resumed = await websockets.connect(URL + "/ws/%s?since=%d" % (slug, seen[2]["seq"]))
    out["resumed"] = [short(f) for f in (await frames(resumed, 3))[0]]
    await resumed.close()
    too_old = await websockets.connect(URL + "/ws/%s?since=0" % slug)
    out["too_old"] = [short(f) for f in (await frames(too_old, 2))[0]]
    await too_old.close()

    refused = await websockets.connect(URL + "/ws", additional_headers={"Authorization": "Bearer not-a-token"})
    out["refused_token"] = await closed(refused)
    try:
        await websockets.connect(URL + "/ws", origin="https://evil.example")
        out["foreign_origin"] = None
    except websockets.InvalidStatus as e:
        out["foreign_origin"] = e.response.status_code
    same = await websockets.connect(URL + "/ws", origin="http://127.0.0.1:%d" % PORT,
                                    additional_headers={"Authorization": "Bearer " + owner})
    out["same_origin"] = short((await frames(same, 1))[0][0])
    await same.close()
    return out


async def revoked(owner):
    """An admin key's private feed ends when the key is revoked."""
    _, key = api("POST", "/api/keys", owner, {"name": "watcher", "role": "admin"})
    ws = await websockets.connect(URL + "/ws", additional_headers={"Authorization": "Bearer " + key["token"]})
    hello = (await frames(ws, 1))[0][0]
    api("DELETE", "/api/keys/%s" % key["id"], owner)
    api("POST", "/api/services", owner, {"name": "After"})
    return {"hello": short(hello), "closed": await closed(ws)}


async def slow(owner):
    """A reader that stops reading is closed; one that keeps up gets every frame."""
    _, incident = api("POST", "/api/incidents", owner, {"name": "Load", "body": "x" * 100})
    stalled = RawSocket("/ws/feed", rcvbuf=4096)
    normal = await websockets.connect(URL + "/ws/feed", max_size=None, max_queue=None)
    await frames(normal, 1)

    def post_updates():
        for i in range(50):
            api("POST", "/api/incidents/%s/updates" % incident["id"], owner,
                {"body": ("update %d " % i) + "y" * 10000})

    # Off the event loop, so that the normal reader reads while the writes pour in.
    writing = asyncio.create_task(asyncio.to_thread(post_updates))
    got, _ = await frames(normal, 50, seconds=120)
    await writing
    _, was_closed = await asyncio.to_thread(stalled.read_frames, 10)  # well before a dead peer's 31 s
    await normal.close()
    return {"normal": len([f for f in got if f["type"].startswith("incident")]), "slow_closed": was_closed,
            "stalled_status": stalled.status}


async def limits():
    """Each limit ends the connection with its close code. Started with --live-max-per-address 3,
    --live-max-subscriptions 2, --live-heartbeat-seconds 1 and --live-auth-timeout-seconds 1."""
    out = {}
    held = [await websockets.connect(URL + "/ws/demo") for _ in range(3)]
    out["fourth"] = await closed(await websockets.connect(URL + "/ws/demo"))
    out["fourth_stream"] = statusd_http.request(PORT, "GET", "/api/status/demo/events")[0]
    for ws in held:
        await ws.close()
    await asyncio.sleep(0.3)  # their places are given back as the server sees them close

    ws = await websockets.connect(URL + "/ws/demo")
    await frames(ws, 1)
    await ws.send(json.dumps({"type": "subscribe", "org": "other"}))
    await frames(ws, 1)
    await ws.send(json.dumps({"type": "subscribe", "org": "third"}))
    out["subscriptions"] = await closed(ws)

    # One subscribe at a time, each answered (or the close read) before the next: a burst written
    # after the server closed would meet a reset that can take the close frame with it.
    ws = await websockets.connect(URL + "/ws/demo")
    out["subscribe_rate"] = None
    for _ in range(30):
        try:
            await ws.send(json.dumps({"type": "subscribe", "org": "demo"}))
            await asyncio.wait_for(ws.recv(), 5)
        except asyncio.TimeoutError:
            continue
        except websockets.ConnectionClosed as e:
            out["subscribe_rate"] = [e.rcvd.code if e.rcvd else 1006, e.rcvd.reason if e.rcvd else ""]
            break

    ws = await websockets.connect(URL + "/ws")
    out["auth_timeout"] = await closed(ws, seconds=10)

    raw = RawSocket("/ws/demo")
    raw.send(1, b'{"type":"ping"}', masked=False)
    out["unmasked"] = RawSocket.close_code(raw.read_frames(5)[0])

    # A peer that never answers pings is dropped; the library answers them and stays.
    silent = RawSocket("/ws/demo")
    polite = await websockets.connect(URL + "/ws/demo", ping_interval=None)
    got, was_closed = await asyncio.to_thread(silent.read_frames, 8)  # the loop answers the polite one's pings
    out["silent_pings"] = len([f for f in got if f[0] == 9])
    out["silent_closed"] = was_closed
    out["polite_open"] = await closed(polite, seconds=0.5) is None
    await polite.close()

    fragmented = RawSocket("/ws/demo")
    fragmented.read_frames(0.3)
    message = b'{"type":"ping"}'
    fragmented.s.sendall(bytes([0x01, 0x80 | 5]) + b"\0\0\0\0" + message[:5])  # text, not final
    fragmented.s.sendall(bytes([0x80, 0x80 | 10]) + b"\0\0\0\0" + message[5:])  # continuation, final
    out["fragmented"] = [json.loads(p) for op, p in fragmented.read_frames(1)[0] if op == 1]
    return out


async def auth(good, bad):
    """Tokens in `auth` messages: one accepted, one refused."""
    out = {}
    for name, token in (("good", good), ("bad", bad)):
        ws = await websockets.connect(URL + "/ws")
        await ws.send(json.dumps({"type": "auth", "token": token}))
        try:
            out[name] = [short(f) for f in (await frames(ws, 1, seconds=5))[0]]
        except websockets.ConnectionClosed as e:
            out[name] = [e.rcvd.code if e.rcvd else 1006]
        await ws.close()
    return out


async def full():
    """Started with --live-max-connections 2: the third live connection is refused."""
    held = [await websockets.connect(URL + "/ws/demo") for _ in range(2)]
    out = {"third": await closed(await websockets.connect(URL + "/ws/demo"))}
    status, headers, _ = statusd_http.request(PORT, "GET", "/api/status/demo/events")
    out["third_stream"] = [status, headers.get("Retry-After")]
    for ws in held:
        await ws.close()
    await asyncio.sleep(0.3)
    again = await websockets.connect(URL + "/ws/demo")
    out["after"] = (await frames(again, 1))[0][0]["type"]
    await again.close()
    return out


async def shutdown(pid):
    """SIGTERM: a WebSocket hears 1001, an event stream ends with its last chunk."""
    ws = await websockets.connect(URL + "/ws/demo")
    await frames(ws, 1)
    stream = socket.create_connection(("127.0.0.1", PORT))
    stream.sendall(b"GET /api/status/demo/events HTTP/1.1\r\nHost: x\r\n\r\n")
    stream.settimeout(10)
    head = stream.recv(65536)
    os.kill(pid, signal.SIGTERM)
    out = {"websocket": await closed(ws)}
    rest = b""
    try:
        while True:
            chunk = stream.recv(65536)
            if not chunk:
                break
            rest += chunk
    except OSError:
        pass
    out["stream_ended"] = (head + rest).endswith(b"0\r\n\r\n")
    return out


async def expiry(owner):
    """A topic nobody follows keeps its ring for --live-topic-idle-seconds (1 here), then goes."""
    ws = await websockets.connect(URL + "/ws/feed")
    hello = (await frames(ws, 1))[0][0]
    api("POST", "/api/services", owner, {"name": "API"})
    await frames(ws, 1)
    await ws.close()
    again = await websockets.connect(URL + "/ws/feed?since=%d" % hello["seq"])
    soon = [short(f) for f in (await frames(again, 2))[0]]
    await again.close()
    await asyncio.sleep(3)
    metrics = statusd_http.request(PORT, "GET", "/metrics")[2].decode()
    topics = [line for line in metrics.split("\n") if line.startswith("statusd_live_topics ")]
    later = await websockets.connect(URL + "/ws/feed?since=%d" % hello["seq"])
    out = {"soon": soon, "later": [short(f) for f in (await frames(later, 2))[0]], "topics": topics}
    await later.close()
    return out


scenario = sys.argv[1]
args = sys.argv[3:]
result = {
    "feed": lambda: feed(args[0], args[1]),
    "revoked": lambda: revoked(args[0]),
    "slow": lambda: slow(args[0]),
    "limits": limits,
    "full": full,
    "auth": lambda: auth(args[0], args[1]),
    "shutdown": lambda: shutdown(int(args[0])),
    "expiry": lambda: expiry(args[0]),
}[scenario]()
print(json.dumps(asyncio.run(result)))
