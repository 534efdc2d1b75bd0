"""What a cluster node answers when it trails the log, for ClusterLagTests, against a real statusd.

    python cluster_node.py first-ready <port> <pid>
        Sends GET /ready to a node stopped with SIGSTOP (the request waits in its socket), resumes the
        node with SIGCONT, and prints the status of the answer: the node's first after the pause.
    python cluster_node.py left <port> <slug>
        Follows the organization's public WebSocket feed and prints how the node closed it (code and
        reason), within 120 s.
    python cluster_node.py resume <port> <slug> <since>
        Follows the public WebSocket feed from seq <since> and prints the first frame after hello.
"""
import asyncio
import json
import os
import signal
import socket
import sys

import websockets

SCENARIO, PORT = sys.argv[1], int(sys.argv[2])


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
else:
    sys.exit("unknown scenario " + SCENARIO)
