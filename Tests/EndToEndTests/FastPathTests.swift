import Foundation
import TestSupport
import Testing

/// The public summary answered below the router (`PublicReadFastPath`) must be indistinguishable
/// from the router's answer, and must keep pipelined answers in order.
@Suite(.sameOnEitherLog) struct FastPathTests {
    /// A query string sends the same read through the router: both answers must agree.
    @Test func fastAnswer_equalsTheRoutersAnswer() async throws {
        let server = try StatusdProcess()
        for encoding in ["identity", "gzip"] {
            let fast = try await server.request("/api/status/demo", headers: ["Accept-Encoding": encoding])
            let routed = try await server.request("/api/status/demo?via=router", headers: ["Accept-Encoding": encoding])
            #expect(fast.status == 200 && routed.status == 200)
            #expect(fast.body == routed.body, "the same bytes (\(encoding))")
            for name in [
                "etag", "cache-control", "last-modified", "vary", "content-type", "content-encoding", "server",
            ] {
                #expect(fast.headers[name] == routed.headers[name], "\(name) (\(encoding))")
            }
            for name in ["x-request-id", "date"] { #expect(fast.headers[name]?.isEmpty == false, "\(name)") }
        }
        let aliased = try await server.request("/api/public/demo/status")
        #expect(aliased.status == 200)
        let etag = try #require(aliased.headers["etag"])
        let revalidated = try await server.request("/api/status/demo", headers: ["If-None-Match": etag])
        #expect(revalidated.status == 304 && revalidated.body.isEmpty)
        let given = try await server.request("/api/status/demo", headers: ["X-Request-ID": "fast-1"])
        #expect(given.headers["x-request-id"] == "fast-1")
        let unknown = try await server.request("/api/status/nobody-here")
        #expect(unknown.status == 404 && unknown.headers["content-type"] == "application/problem+json")
    }

    /// The HTML status page below the router answers what the router's route answers too.
    @Test func fastPage_equalsTheRoutersPage() async throws {
        let server = try StatusdProcess()
        for encoding in ["identity", "gzip"] {
            // The page's period moves every ten minutes while a demo service is down: a pair of reads
            // that straddles a boundary is read again.
            var fast = try await server.request("/status/demo", headers: ["Accept-Encoding": encoding])
            var routed = try await server.request("/status/demo?via=router", headers: ["Accept-Encoding": encoding])
            for _ in 0..<2 where fast.headers["etag"] != routed.headers["etag"] {
                fast = try await server.request("/status/demo", headers: ["Accept-Encoding": encoding])
                routed = try await server.request("/status/demo?via=router", headers: ["Accept-Encoding": encoding])
            }
            #expect(fast.status == 200 && routed.status == 200)
            #expect(fast.body == routed.body, "the same bytes (\(encoding))")
            for name in [
                "etag", "cache-control", "last-modified", "vary", "content-type", "content-encoding",
                "content-security-policy", "x-content-type-options", "referrer-policy", "server",
            ] {
                #expect(fast.headers[name] == routed.headers[name], "\(name) (\(encoding))")
            }
        }
        let etag = try #require(try await server.request("/status/demo").headers["etag"])
        #expect(try await server.request("/status/demo", headers: ["If-None-Match": etag]).status == 304)
        #expect(try await server.request("/status/nobody-here").status == 404, "the router's 404")
        #expect(try await server.request("/status/demo/history").status == 200, "deeper paths are the router's")
    }

    /// A write publishes a new view: the next fast read, on the same connection, shows it.
    @Test func fastAnswer_followsWrites() async throws {
        let server = try StatusdProcess()
        let signup = try await server.request(
            "/api/auth/signup", method: "POST",
            body: Data(#"{"email":"fast@example.com","password":"a long password"}"#.utf8))
        let token = try #require(
            (try JSONSerialization.jsonObject(with: signup.body) as? [String: Any])?["token"] as? String)
        let auth = ["Authorization": "Bearer \(token)"]
        _ = try await server.request(
            "/api/organizations", method: "POST", headers: auth, body: Data(#"{"slug":"fast","name":"Fast"}"#.utf8))
        func services() async throws -> Int {
            let summary = try await server.request("/api/status/fast")
            return ((try JSONSerialization.jsonObject(with: summary.body) as? [String: Any])?["services"] as? [Any])?
                .count ?? -1
        }
        #expect(try await services() == 0)
        #expect(try await services() == 0)
        for name in ["API", "Web"] {
            let created = try await server.request(
                "/api/services", method: "POST", headers: auth, body: Data(#"{"name":"\#(name)"}"#.utf8))
            #expect(created.status == 201)
            #expect(try await services() == (name == "API" ? 1 : 2))
        }
    }

    /// Four requests in one write, routed and fast alternating: four answers, in order.
    static let pipeline = #"""
        import json, socket, sys
        port = int(sys.argv[1])
        paths = ["/api/services", "/api/status/demo", "/health", "/api/status/demo", "/api/status/demo?x=1", "/ready"]
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall("".join("GET %s HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n" % p for p in paths).encode())
        data, answers = b"", []
        while len(answers) < len(paths):
            chunk = s.recv(65536)
            if not chunk: break
            data += chunk
            while b"\r\n\r\n" in data:
                head, rest = data.split(b"\r\n\r\n", 1)
                lines = head.decode().split("\r\n")
                headers = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:]}
                length = int(headers.get("content-length", "0"))
                if len(rest) < length: break
                answers.append({"status": int(lines[0].split()[1]), "body": rest[:length].decode()})
                data = rest[length:]
        print(json.dumps([[a["status"], "active_incidents" in a["body"], "uptime_seconds" in a["body"]] for a in answers]))
        """#

    @Test func pipelinedRequests_areAnsweredInOrder() async throws {
        let server = try StatusdProcess()
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.pipeline, "\(server.baseURL.port ?? 0)"]
        process.standardOutput = output
        try process.run()
        let data = try await OffThePool.output(of: process, output)
        let answers = try #require(try JSONSerialization.jsonObject(with: data) as? [[Any]])
        let statuses = answers.map { $0[0] as? Int }
        #expect(statuses == [401, 200, 200, 200, 200, 200], "\(answers)")
        let summaries = answers.map { $0[1] as? Bool }
        #expect(summaries == [false, true, false, true, true, false], "each answer belongs to its request")
        #expect(answers[2][2] as? Bool == true, "the third is /health's")
    }
}
