import Foundation
import TestSupport
import Testing

extension ClusterSuites {
    /// Two statusd nodes on one log on PostgreSQL, each following it: what is written on one is served
    /// by the other, in its public answers and on its live feed with the same frames; a key and an
    /// organization made on one are found on the other.
    @Suite struct ClusterFollowTests {
        /// Follows the public feed of `acme` on both nodes, writes on the first and then on the second,
        /// and prints the `data:` lines each reader got (hello left out), as JSON.
        static let script = #"""
            import http.client, json, socket, sys, threading, time
            ports, token = [int(p) for p in sys.argv[1].split(",")], sys.argv[2]

            def api(port, method, path, body=None):
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                c.request(method, path, json.dumps(body) if body is not None else None,
                          {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
                r = c.getresponse(); data = r.read(); c.close()
                return r.status, (json.loads(data) if data else None)

            class Reader:
                def __init__(self, port):
                    self.frames, self.pending = [], b""
                    self.s = socket.create_connection(("127.0.0.1", port))
                    self.s.sendall(b"GET /api/status/acme/events HTTP/1.1\r\nHost: x\r\n\r\n")
                    threading.Thread(target=self.loop, daemon=True).start()
                def loop(self):
                    self.s.settimeout(60)
                    try:
                        while True:
                            chunk = self.s.recv(65536)
                            if not chunk: return
                            self.pending += chunk
                            *events, self.pending = self.pending.split(b"\n\n")
                            for event in events:
                                for line in event.split(b"\n"):
                                    if line.startswith(b"data: ") and b'"hello"' not in line:
                                        self.frames.append(line[6:].decode())
                    except OSError:
                        return
                def wait_for(self, count, seconds=30):
                    end = time.time() + seconds
                    while len(self.frames) < count and time.time() < end:
                        time.sleep(0.02)

            readers = [Reader(port) for port in ports]
            time.sleep(0.5)
            status, _ = api(ports[0], "POST", "/api/incidents", {"name": "Written on the first node", "body": "a"})
            assert status == 201, status
            for reader in readers: reader.wait_for(1)
            count = min(len(reader.frames) for reader in readers)
            status, _ = api(ports[1], "POST", "/api/incidents", {"name": "Written on the second node", "body": "b"})
            assert status == 201, status
            for reader in readers: reader.wait_for(count + 1)
            time.sleep(0.5)  # frames after the last one waited for would show up here
            print(json.dumps([reader.frames for reader in readers]))
            """#

        @Test func writesOnOneNode_areServedByTheOther_withTheSameFrames() async throws {
            let first = OperatorCommandTests.temporary("follow-a")
            let second = OperatorCommandTests.temporary("follow-b")
            defer {
                try? FileManager.default.removeItem(atPath: first)
                try? FileManager.default.removeItem(atPath: second)
            }
            let setup = try await OffThePool.run { try ClusterLogTests.Setup(dataDirectory: first) }
            let nodes = [try setup.node(first), try setup.node(second)]

            let process = Process()
            let output = Pipe()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "python3", "-c", Self.script, nodes.map { "\($0.baseURL.port ?? 0)" }.joined(separator: ","),
                setup.token,
            ]
            process.standardOutput = output
            try process.run()
            let data = try await OffThePool.output(of: process, output)
            let frames = try #require(
                try JSONSerialization.jsonObject(with: data) as? [[String]], "\(data.count) bytes")
            #expect(frames.count == 2 && frames[0].count >= 2, "\(frames)")
            #expect(frames[0] == frames[1], "the same frames, byte for byte, on both nodes")
            #expect(frames[0].contains { $0.contains("Written on the first node") })
            #expect(frames[0].contains { $0.contains("Written on the second node") })

            let summaries = [
                try await nodes[0].request("/api/status/acme").body,
                try await nodes[1].request("/api/status/acme").body,
            ]
            #expect(summaries[0] == summaries[1], "the same public summary on both nodes")

            // A key made on the first node opens the second (the second's index of keys follows).
            let ownerOnFirst = APIClient(token: setup.token).with(nodes[0])
            let made = try await ownerOnFirst.call(
                "POST", "/api/keys", ["name": "made on the first", "role": "viewer"])
            #expect(made.status == 201, "\(made.text)")
            let viewerOnSecond = APIClient(token: try #require(made.json["token"] as? String)).with(nodes[1])
            #expect(
                await eventually(within: 20) { try await viewerOnSecond.call("GET", "/api/services").status == 200 },
                "a key made on one node works on the other")

            // An account and an organization made on the first node: the second finds the organization.
            let (owner, _) = try await AccountTests.signUp("elsewhere@example.com", on: nodes[0])
            #expect(
                try await owner.call("POST", "/api/organizations", ["slug": "elsewhere", "name": "Elsewhere"]).status
                    == 201
            )
            #expect(
                await eventually(within: 20) { try await nodes[1].request("/api/status/elsewhere").status == 200 },
                "an organization made on one node is served by the other")
        }
    }
}
