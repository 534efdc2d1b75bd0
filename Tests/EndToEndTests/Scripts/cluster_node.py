"""What a cluster node answers when it trails the log, for ClusterLagTests, against a real statusd.

    python cluster_node.py first-ready <port> <pid>
        Sends GET /ready to a node stopped with SIGSTOP (the request waits in its socket), resumes the
        node with SIGCONT, and prints the status of the answer: the node's first after the pause.
    python cluster_node.py left <port> <slug>
        Follows the organization's public WebSocket feed and prints how the node closed it (code and
        reason), within 120 s.
    python cluster_node.py resume <port> <slug> <since>
        Follows the public WebSocket feed from seq <since> and prints the first frame after hello.
    python cluster_node.py follow <port> <slug> <stop file> <progress file>
        Follows the public WebSocket feed until the stop file exists (at most 300 s), writing how many
        frames it has to the progress file (0 once subscribed), and prints the frames' count, every
        gap (a frame whose prev is not the seq before it), the resyncs, how the feed ended if it did,
        and the names of the incidents created.
"""
import asyncio
import json
import os
import signal
import socket
import sys

import websockets

SCENARIO, PORT = sys.argv[1], int(sys.argv[2])


async def follow(slug, stop, progress):
    out = {"frames": 0, "gaps": [], "resyncs": 0, "ended": None, "created": []}
    async with websockets.connect("ws://127.0.0.1:%d/ws/%s" % (PORT, slug)) as ws:
        last = json.loads(await ws.recv())["seq"]  # hello
        with open(progress, "w") as f:
            f.write("0")  # following: the writes may begin
        async with asyncio.timeout(300):
            while not os.path.exists(stop):
                try:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 0.2))
                except asyncio.TimeoutError:
                    continue
                except websockets.ConnectionClosed as closed:
                    out["ended"] = [closed.code, closed.reason]
                    break
                if frame.get("type") == "resync":
                    out["resyncs"] += 1
                    continue
                if "prev" not in frame:
                    continue
                if frame["prev"] != last:
                    out["gaps"].append([last, frame["prev"], frame["seq"]])
                last = frame["seq"]
                out["frames"] += 1
                if frame.get("type") == "incident_created":
                    out["created"].append(frame["data"]["name"])
                with open(progress, "w") as f:
                    f.write(str(out["frames"]))
    print(json.dumps(out))


def first_ready(pid):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=60)
    s.sendall(b"GET /ready HTTP/1.1\r\nHost: node\r\nConnection: close\r\n\r\n")
    os.kill(pid, signal.SIGCONT)
    answer = b""
    while b"\r\n" not in answer:
        chunk = s.recv(4096)
        if not chunk:
            break
        answer += chunk
    print(json.dumps({"status": int(answer.split(b" ")[1]) if answer else 0}))


async def left(slug):
    async with websockets.connect("ws://127.0.0.1:%d/ws/%s" % (PORT, slug)) as ws:
        try:
            async with asyncio.timeout(120):
                async for _ in ws:
                    pass
        except websockets.ConnectionClosed:
            pass  # a close code other than 1000 or 1001 ends the loop with this
        except TimeoutError:
            print(json.dumps({"code": 0, "reason": "still open after 120 s"}))
            return
        print(json.dumps({"code": ws.close_code or 0, "reason": ws.close_reason or ""}))


async def resume(slug, since):
    async with websockets.connect("ws://127.0.0.1:%d/ws/%s?since=%s" % (PORT, slug, since)) as ws:
        async with asyncio.timeout(30):
            hello = json.loads(await ws.recv())
            first = json.loads(await ws.recv())
        print(json.dumps({"hello": hello, "first": first}))


if SCENARIO == "first-ready":
    first_ready(int(sys.argv[3]))
elif SCENARIO == "left":
    asyncio.run(left(sys.argv[3]))
elif SCENARIO == "resume":
    asyncio.run(resume(sys.argv[3], sys.argv[4]))
elif SCENARIO == "follow":
    asyncio.run(follow(sys.argv[3], sys.argv[4], sys.argv[5]))
else:
    sys.exit("unknown scenario " + SCENARIO)
