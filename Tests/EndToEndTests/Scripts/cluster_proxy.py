"""Clients of a statusd cluster behind HAProxy, for ClusterHAProxyTests, until a stop file appears.

    python cluster_proxy.py <proxy port> <token> <stop file> <progress file>

A writer posts incidents, each with an Idempotency-Key, sending one again with the same key after any
failure until it is acknowledged; a reader fetches the public summary, once more after a failure; a
live reader follows the public WebSocket feed and, when it is closed, reconnects (jittered, growing
backoff, as the status page does) with since=<last seq>. The progress file holds the number of writes
acknowledged so far and whether the live reader is connected ("12 live"). Prints what each saw, as
one JSON object.
"""
import asyncio
import json
import os
import random
import sys
import threading
import time

import websockets

import statusd_http

PORT, TOKEN, STOP, PROGRESS = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
DEADLINE = time.time() + 300
result = {"acknowledged": [], "given_up": 0, "write_retries": 0, "reads": 0, "read_failures": 0,
          "reads_failed_twice": 0, "frames": [], "resyncs": 0, "reconnects": 0, "closes": []}


connected = [False]


def report():
    with open(PROGRESS + ".tmp", "w") as f:
        f.write("%d %s" % (len(result["acknowledged"]), "live" if connected[0] else "down"))
    os.replace(PROGRESS + ".tmp", PROGRESS)


def stopping():
    return os.path.exists(STOP) or time.time() > DEADLINE


def request(method, path, body=None, headers=None):
    status, _, data = statusd_http.request(PORT, method, path, body, headers)
    return status, data


def writer():
    n = 0
    while not stopping():
        n += 1
        key = "proxy-write-%d-%f" % (n, random.random())
        headers = {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json", "Idempotency-Key": key}
        give_up = time.time() + 60
        while True:
            try:
                status, body = request("POST", "/api/incidents", {"name": "Write %d" % n, "body": "b"}, headers)
                if status == 201:
                    result["acknowledged"].append(json.loads(body)["id"])
                    report()
                    break
            except OSError:
                pass
            result["write_retries"] += 1
            if time.time() > give_up:
                result["given_up"] += 1
                break
            time.sleep(0.1)
        time.sleep(0.05)


def reader():
    while not stopping():
        ok = False
        for attempt in range(2):
            try:
                status, _ = request("GET", "/api/status/acme")
                ok = status == 200
            except OSError:
                ok = False
            if ok:
                break
            result["read_failures"] += 1
        result["reads"] += 1
        if not ok:
            result["reads_failed_twice"] += 1
        time.sleep(0.02)


async def live():
    seq, retry = None, 0.25
    while not stopping():
        url = "ws://127.0.0.1:%d/ws/acme" % PORT + ("?since=%d" % seq if seq is not None else "")
        try:
            async with websockets.connect(url, open_timeout=5) as ws:
                retry = 0.25
                connected[0] = True
                while not stopping():
                    try:
                        message = await asyncio.wait_for(ws.recv(), 0.5)
                    except asyncio.TimeoutError:
                        continue
                    frame = json.loads(message)
                    if frame["type"] == "hello":
                        seq = frame["seq"] if seq is None else seq
                    elif frame["type"] == "resync":
                        result["resyncs"] += 1
                        seq = frame["seq"]
                    elif "seq" in frame:
                        result["frames"].append([frame["prev"], frame["seq"]])
                        seq = frame["seq"]
        except (OSError, websockets.WebSocketException, asyncio.TimeoutError) as error:
            result["closes"].append(type(error).__name__ + ": " + str(error)[:80])
        connected[0] = False
        if stopping():
            break
        result["reconnects"] += 1
        await asyncio.sleep(retry / 2 + random.random() * retry / 2)
        retry = min(retry * 2, 4)


threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
for thread in threads:
    thread.start()
asyncio.run(live())
for thread in threads:
    thread.join()
print(json.dumps(result))
