import Foundation
import TestSupport
import Testing

/// What every request goes through: its id, the access log, the client address behind trusted
/// proxies, and cross-origin rules.
@Suite(.sameOnEitherLog) struct RequestHandlingTests {
    @Test func everyAnswer_carriesARequestID_theCallersWhenSane() async throws {
        let server = try StatusdProcess()
        let made = try #require(try await server.request("/health").headers["x-request-id"])
        #expect(!made.isEmpty)
        let other = try #require(try await server.request("/health").headers["x-request-id"])
        #expect(other != made, "one id per request")
        let given = try await server.request("/api/status/demo", headers: ["X-Request-ID": "trace-abc-123"])
        #expect(given.headers["x-request-id"] == "trace-abc-123")
        let problem = try await server.request("/api/services", headers: ["X-Request-ID": "trace-401"])
        #expect(problem.status == 401)
        #expect(problem.headers["x-request-id"] == "trace-401", "problem answers carry it too")
        let long = String(repeating: "x", count: 129)
        let replaced = try await server.request("/health", headers: ["X-Request-ID": long])
        #expect(replaced.headers["x-request-id"] != long, "an id that could bloat the logs is replaced")
    }

    @Test func accessLog_namesRouteStatusAndTheForwardedClient_onlyFromATrustedProxy() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("statusd-log-\(UUID()).txt")
        defer { try? FileManager.default.removeItem(at: log) }
        let server = try StatusdProcess(
            arguments: ["--demo", "--access-log", "--trusted-proxies", "127.0.0.1, 10.0.0.0/8"], log: log)
        _ = try await server.request(
            "/api/status/demo",
            headers: ["X-Request-ID": "e2e-forwarded", "X-Forwarded-For": "198.51.100.7, 10.1.2.3"])
        let line = try await Self.line(containing: "e2e-forwarded", in: log)
        #expect(line.contains("route=/api/status/{slug}"), "\(line)")
        #expect(line.contains("status=200"), "\(line)")
        #expect(line.contains("client=198.51.100.7"), "the last hop before the trusted ones: \(line)")

        let untrusting = try StatusdProcess(arguments: ["--demo", "--access-log"], log: log)
        _ = try await untrusting.request(
            "/api/status/demo", headers: ["X-Request-ID": "e2e-direct", "X-Forwarded-For": "198.51.100.7"])
        let direct = try await Self.line(containing: "e2e-direct", in: log)
        #expect(direct.contains("client=127.0.0.1"), "a client cannot name itself: \(direct)")
    }

    @Test func cors_allowsConfiguredOrigins_andAnyOriginOnPublicReads() async throws {
        let server = try StatusdProcess(arguments: ["--demo", "--cors-origins", "https://app.example.com"])
        let preflight = try await server.request(
            "/api/services", method: "OPTIONS",
            headers: ["Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"])
        #expect(preflight.status == 204)
        #expect(preflight.headers["access-control-allow-origin"] == "https://app.example.com")
        #expect(preflight.headers["access-control-allow-headers"]?.contains("Authorization") == true)
        let refused = try await server.request(
            "/api/services", method: "OPTIONS",
            headers: ["Origin": "https://evil.example", "Access-Control-Request-Method": "DELETE"])
        #expect(refused.status == 403)
        #expect(refused.headers["content-type"] == "application/problem+json")
        #expect(refused.headers["access-control-allow-origin"] == nil)
        let foreignRead = try await server.request("/api/services", headers: ["Origin": "https://evil.example"])
        #expect(foreignRead.headers["access-control-allow-origin"] == nil, "the browser keeps the answer from it")
        let publicRead = try await server.request("/api/status/demo", headers: ["Origin": "https://evil.example"])
        #expect(publicRead.status == 200)
        #expect(publicRead.headers["access-control-allow-origin"] == "*", "public reads embed anywhere")
        #expect(publicRead.headers["access-control-expose-headers"]?.contains("ETag") == true)
    }

    /// The first line of the log that contains `text`, waiting for statusd to write it.
    static func line(containing text: String, in log: URL) async throws -> String {
        for _ in 0..<200 {
            let contents = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let line = contents.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no log line contains \(text)")
        return ""
    }
}

/// Hostile HTTP: slow requests, oversized and smuggling-shaped heads, traversal.
@Suite(.sameOnEitherLog) struct HTTPAbuseTests {
    /// Sends raw bytes, then reads until the server closes (or `wait` seconds pass): what came back,
    /// and whether the server closed.
    static let script = #"""
        import json, socket, sys, time
        port, wait = int(sys.argv[1]), float(sys.argv[2])
        payload = sys.argv[3].encode().decode("unicode_escape").encode("latin-1")
        s = socket.create_connection(("127.0.0.1", port)); s.settimeout(wait)
        s.sendall(payload)
        data, closed, end = b"", False, time.time() + wait
        try:
            while time.time() < end:  # a stream that never stops talking ends the reading too
                s.settimeout(max(0.01, end - time.time()))
                chunk = s.recv(65536)
                if not chunk: closed = True; break
                data += chunk
        except socket.timeout:
            pass
        print(json.dumps({"closed": closed, "answer": data[:4000].decode("latin-1")}))
        """#

    static func send(_ payload: String, to server: StatusdProcess, wait: Double = 15) async throws -> (
        closed: Bool, answer: String
    ) {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, "\(server.baseURL.port ?? 0)", "\(wait)", payload]
        process.standardOutput = output
        try process.run()
        let data = try await OffThePool.output(of: process, output)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return (json["closed"] as? Bool ?? false, json["answer"] as? String ?? "")
    }

    @Test func slowHeadersAndBodies_areCutOff() async throws {
        let server = try StatusdProcess(arguments: ["--demo", "--request-timeout-seconds", "1"])
        let head = try await Self.send("GET /health HTTP/1.1\\r\\nHost: x\\r\\nX-Slow: ", to: server)
        #expect(head.closed && head.answer.isEmpty, "a head that never ends is closed: \(head)")
        let body = try await Self.send(
            "POST /api/auth/login HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 100\\r\\n\\r\\n{\"email\"", to: server)
        #expect(body.closed, "a body that never ends is closed: \(body)")
        let idle = try await Self.send("GET /health HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n", to: server)
        #expect(idle.answer.hasPrefix("HTTP/1.1 200"), "\(idle)")
        #expect(idle.closed, "an idle keep-alive connection is closed after the limit too")
    }

    /// Opens `flood` connections that never send a byte and holds them, then asks for /health on a
    /// new one: its status (0 when it never came) and how long it took.
    static let floodScript = #"""
        import json, socket, sys, time
        port, flood = int(sys.argv[1]), int(sys.argv[2])
        held = []
        for _ in range(flood):
            try: held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            except OSError: break
        started, status = time.time(), 0
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=60)
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            status = int(s.recv(64).split(b" ")[1])
        except (OSError, IndexError, ValueError):
            pass
        print(json.dumps({"opened": len(held), "status": status, "seconds": time.time() - started}))
        """#

    /// More connections than statusd may hold files (its limit lowered to 128 with `prlimit`): accept
    /// fails with EMFILE, NIO backs off instead of spinning, the idle deadline frees the held ones, and
    /// a new client is served while the flood still holds its sockets.
    @Test func tooManyConnections_doNotTakeTheServerDown() async throws {
        let server = try StatusdProcess(arguments: ["--demo", "--request-timeout-seconds", "1"])
        let limit = Process()
        limit.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        limit.arguments = ["--pid", "\(server.process.processIdentifier)", "--nofile=128:128"]
        try limit.run()
        limit.waitUntilExit()
        #expect(limit.terminationStatus == 0)
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.floodScript, "\(server.baseURL.port ?? 0)", "400"]
        process.standardOutput = output
        try process.run()
        let data = try await OffThePool.output(of: process, output)
        let result = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        #expect((result["opened"] as? Int ?? 0) > 128, "the flood outnumbers the server's files: \(result)")
        #expect(result["status"] as? Int == 200, "a new client is served during the flood: \(result)")
        #expect(server.process.isRunning)
    }

    @Test func malformedHeads_are400AndClosed_traversalIs404() async throws {
        let server = try StatusdProcess()
        for payload in [
            "GET /health HTTP/1.1\\r\\nHost: x\\r\\nX-Big: " + String(repeating: "a", count: 100_000) + "\\r\\n\\r\\n",
            "POST /api/auth/login HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 5\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n",
            "POST /api/auth/login HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 5\\r\\nContent-Length: 7\\r\\n\\r\\nhello",
            "GARBAGE\\r\\n\\r\\n",
        ] {
            let result = try await Self.send(payload, to: server)
            #expect(result.answer.hasPrefix("HTTP/1.1 400"), "\(payload.prefix(60)): \(result.answer)")
            #expect(result.closed, "\(payload.prefix(60))")
        }
        for path in ["/docs/../openapi.json", "/docs/%2e%2e/%2e%2e/etc/passwd", "/docs/viewer.js/../../etc/passwd"] {
            let result = try await Self.send(
                "GET \(path) HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n", to: server)
            #expect(result.answer.hasPrefix("HTTP/1.1 404"), "\(path): \(result.answer)")
        }
    }
}

@Suite(.sameOnEitherLog) struct MethodTests {
    @Test func knownPathWithAnotherMethod_is405WithAllow_unknownPathIs404() async throws {
        let server = try StatusdProcess()
        let wrong = try await server.request("/api/status/demo", method: "DELETE")
        #expect(wrong.status == 405 && wrong.headers["allow"] == "GET, HEAD")
        #expect(wrong.headers["content-type"] == "application/problem+json")
        let patch = try await server.request("/api/services/svc_00000000000000000000", method: "PATCH")
        #expect(patch.status == 405 && patch.headers["allow"] == "DELETE, GET, HEAD, PUT")
        #expect(try await server.request("/no/such/path", method: "POST").status == 404)
    }
}

@Suite(.sameOnEitherLog) struct HeadTests {
    @Test func head_answersTheGetHeaders_withoutABody() async throws {
        let server = try StatusdProcess()
        for path in ["/health", "/api/status/demo", "/api/status/demo?x=1", "/openapi.json"] {
            let result = try await HTTPAbuseTests.send(
                "HEAD \(path) HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n", to: server, wait: 5)
            #expect(result.answer.hasPrefix("HTTP/1.1 200"), "\(path): \(result.answer)")
            let parts = result.answer.components(separatedBy: "\r\n\r\n")
            #expect(parts.count == 2 && parts[1].isEmpty, "no body for HEAD \(path): \(result.answer)")
            #expect(result.answer.lowercased().contains("content-length: "), "\(path)")
        }
    }
}
