import Foundation
import TestSupport
import Testing

/// The public live feed over Server-Sent Events, read by a plain Python client over real sockets.
@Suite struct LiveFeedTests {
    /// Follows /api/status/<slug>/events on several connections while it writes over the API, then
    /// prints what each reader saw as JSON.
    static let script = #"""
        import http.client, json, socket, sys, threading, time
        port, token, slug = int(sys.argv[1]), sys.argv[2], sys.argv[3]

        def api(method, path, body=None):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request(method, path, json.dumps(body) if body is not None else None,
                      {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
            r = c.getresponse(); data = r.read(); c.close()
            return r.status, (json.loads(data) if data else None)

        class Reader:
            def __init__(self, headers="", path="/api/status/%s/events" % slug, rcvbuf=None, reading=True):
                self.frames, self.raw, self.pending, self.closed = [], b"", b"", False
                self.s = socket.socket()
                if rcvbuf: self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
                self.s.connect(("127.0.0.1", port))
                self.s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n" % (path, headers)).encode())
                if reading:
                    self.t = threading.Thread(target=self.loop, daemon=True); self.t.start()
            def loop(self):
                self.s.settimeout(60)
                try:
                    while True:
                        chunk = self.s.recv(65536)
                        if not chunk: self.closed = True; return
                        if len(self.raw) < 1 << 16: self.raw += chunk  # the start, for the leak check
                        self.pending += chunk
                        self.parse()
                except OSError:
                    self.closed = True
            def parse(self):
                # Events end with a blank line; parse each complete one once.
                *events, self.pending = self.pending.split(b"\n\n")
                for event in events:
                    for line in event.split(b"\n"):
                        if line.startswith(b"data: "):
                            frame = json.loads(line[6:])
                            self.frames.append({"type": frame["type"], "seq": frame["seq"], "prev": frame.get("prev")})
            def stop(self):
                summary = self.summary(); self.s.close(); return summary
            def wait_for(self, count, seconds=60, prefix=""):
                end = time.time() + seconds
                while len([f for f in self.frames if "seq" in f and f.get("type") != "hello" and f["type"].startswith(prefix)]) < count and time.time() < end:
                    time.sleep(0.05)
            def summary(self):
                return list(self.frames)

        first = Reader()
        time.sleep(0.5)
        status, service = api("POST", "/api/services", {"name": "API"})
        sid = service["id"]
        api("PUT", "/api/services/%s/status" % sid, {"status": "major_outage"})
        status, key = api("POST", "/api/keys", {"name": "feed", "role": "editor"})
        api("POST", "/api/team/invite", {"email": "secret-invitee@example.com", "role": "viewer"})
        api("PUT", "/api/services/%s/status" % sid, {"status": "operational"})
        first.wait_for(5); time.sleep(0.3)
        first_frames = first.stop()
        seen = [f for f in first_frames if f["type"] != "hello"]
        middle = seen[3]["seq"]
        resumed = Reader(headers="Last-Event-ID: %d\r\n" % middle)
        resumed.wait_for(1, seconds=10); time.sleep(0.5)
        resumed_frames = resumed.stop()
        too_old = Reader(path="/api/status/%s/events?since=0" % slug)
        time.sleep(1)
        too_old_frames = too_old.stop()

        # A reader that stops reading, beside one that keeps up, while large frames pour out.
        slow = Reader(rcvbuf=4096, reading=False)
        slow.s.settimeout(5); slow.raw = slow.s.recv(512)
        normal = Reader()
        time.sleep(0.5)
        # Each incident frame carries every update so far: 50 updates of 10 kB make ~13 MB of frames.
        status, incident = api("POST", "/api/incidents", {"name": "Load", "body": "x" * 10000})
        for i in range(50):
            api("POST", "/api/incidents/%s/updates" % incident["id"], {"body": ("update %d " % i) + "y" * 10000})
        normal.wait_for(51, seconds=120, prefix="incident")
        slow.s.settimeout(30)
        slow_closed = False
        try:
            while True:
                chunk = slow.s.recv(1 << 20)
                if not chunk: slow_closed = True; break
        except socket.timeout:
            slow_closed = False  # still open after 30 s of silence: never cut off
        except OSError:
            slow_closed = True  # reset by the server
        print(json.dumps({
            "first": first_frames, "resumed": resumed_frames, "too_old": too_old_frames,
            "normal": len([f for f in normal.frames if f["type"].startswith("incident")]),
            "slow_closed": slow_closed, "key_token": key["token"],
            "leaks": [w for w in ("secret-invitee", key["token"], "sk_", "author") if w.encode() in first.raw],
        }))
        """#

    @Test func publicFeed_ordered_resumable_bounded_andPublicOnly() async throws {
        let server = try StatusdProcess(arguments: ["--fsync", "none"])
        let (owner, _) = try await AccountTests.signUp("feed@example.com", on: server)
        #expect(try await owner.call("POST", "/api/organizations", ["slug": "feed", "name": "Feed"]).status == 201)
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, "\(server.baseURL.port ?? 0)", owner.token, "feed"]
        process.standardOutput = output
        try process.run()
        let data = try await OffThePool.output(of: process, output)
        let result = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(data.count) bytes")

        let first = try #require(result["first"] as? [[String: Any]])
        #expect(first.first?["type"] as? String == "hello")
        let frames = Array(first.dropFirst())
        #expect(
            frames.compactMap { $0["type"] as? String } == [
                "service_created", "service_update", "status_update", "service_update", "status_update",
            ],
            "\(frames)")
        let seqs = frames.compactMap { $0["seq"] as? Int }
        #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count, "in seq order, once each")
        for (previous, frame) in zip(frames, frames.dropFirst()) {
            #expect(frame["prev"] as? Int == previous["seq"] as? Int, "prev names the previous frame: \(frame)")
        }
        #expect((seqs.last ?? 0) - (seqs.first ?? 0) > 2, "private events took seqs the public feed skips")
        #expect(
            (result["leaks"] as? [String])?.isEmpty == true, "no key, token, email or author: \(result["leaks"] ?? "")")

        let resumed = try #require(result["resumed"] as? [[String: Any]])
        #expect(resumed.dropFirst().compactMap { $0["seq"] as? Int } == [seqs[4]], "only what it missed: \(resumed)")
        let tooOld = try #require(result["too_old"] as? [[String: Any]])
        #expect(tooOld.compactMap { $0["type"] as? String } == ["hello", "resync"], "\(tooOld)")

        #expect(result["normal"] as? Int == 51, "the reader that keeps up gets every frame")
        #expect(result["slow_closed"] as? Bool == true, "the reader that does not is closed")
        let metrics = String(decoding: try await server.request("/metrics").body, as: UTF8.self)
        #expect(metrics.contains("statusd_live_connections"))
    }
}

@Suite(.sameOnEitherLog) struct LiveFeedRefusalTests {
    @Test func idleStream_getsHeartbeats() async throws {
        let server = try StatusdProcess(arguments: ["--demo", "--live-heartbeat-seconds", "1"])
        let result = try await HTTPAbuseTests.send(
            "GET /api/status/demo/events HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n", to: server, wait: 3.5)
        #expect(!result.closed, "a stream stays open")
        #expect(result.answer.contains("text/event-stream") && result.answer.contains("\"type\":\"hello\""))
        // Chunked: each comment arrives as its own chunk, "3\r\n:\n\n\r\n".
        let comments = result.answer.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n:\n")
        #expect(comments.count >= 3, "a comment each second: \(result.answer)")
    }

    @Test func unknownOrganization_andBadSince_areProblems() async throws {
        let server = try StatusdProcess()
        let unknown = try await server.request("/api/status/nobody-here/events")
        #expect(unknown.status == 404 && unknown.headers["content-type"] == "application/problem+json")
        let bad = try await server.request("/api/status/demo/events?since=yesterday")
        #expect(bad.status == 422)
    }
}
