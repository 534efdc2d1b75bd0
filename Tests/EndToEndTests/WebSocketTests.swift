import Foundation
import TestSupport
import Testing

/// The live feeds over WebSocket, read by a third-party client (Python's `websockets`, which
/// `scripts/python-tools.sh` installs) and by a raw socket for what polite clients never do.
@Suite struct WebSocketTests {
    /// The virtual environment's Python, which has `websockets`.
    static var python: String {
        if let path = ProcessInfo.processInfo.environment["STATUSD_TEST_PYTHON"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build-python/bin/python").path
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Scripts/live_client.py").path

    /// Runs one scenario of `live_client.py` and returns what it printed.
    static func run(_ scenario: String, _ server: StatusdProcess, _ arguments: String...) async throws -> [String: Any]
    {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, scenario, "\(server.baseURL.port ?? 0)"] + arguments
        process.standardOutput = output
        try process.run()
        let data = try await OffThePool.output(of: process, output)
        return try #require(
            try JSONSerialization.jsonObject(with: data) as? [String: Any],
            "\(scenario): \(String(decoding: data, as: UTF8.self))")
    }

    static func types(_ frames: Any?) -> [String] {
        (frames as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
    }

    @Test func feed_ordered_resumable_privateOnlyToMembers() async throws {
        let server = try StatusdProcess(arguments: ["--demo", "--fsync", "none"])
        let (owner, _) = try await AccountTests.signUp("ws@example.com", on: server)
        #expect(try await owner.call("POST", "/api/organizations", ["slug": "feed", "name": "Feed"]).status == 201)
        let result = try await Self.run("feed", server, owner.token, "feed")

        let hello = try #require(result["hello"] as? [String: Any])
        #expect(hello["type"] as? String == "hello" && hello["org"] as? String == "feed")
        let frames = try #require(result["public"] as? [[String: Any]])
        #expect(
            Self.types(frames) == [
                "service_created", "service_update", "status_update", "service_update", "status_update",
            ],
            "\(frames)")
        #expect(frames.compactMap { $0["indicator"] as? String } == ["critical", "none"], "the page indicator moves")
        let seqs = frames.compactMap { $0["seq"] as? Int }
        #expect(seqs == seqs.sorted() && Set(seqs).count == 5)
        #expect(frames.first?["prev"] as? Int == hello["seq"] as? Int, "the first frame follows hello's seq")
        for (previous, frame) in zip(frames, frames.dropFirst()) {
            #expect(frame["prev"] as? Int == previous["seq"] as? Int, "prev names the previous frame: \(frame)")
        }
        #expect((result["leaks"] as? [String])?.isEmpty == true, "public feed leaks: \(result["leaks"] ?? "")")

        // The members' feed: the owner's, with the private frames in the same seq order.
        #expect((result["admin_hello"] as? [String: Any])?["feed"] as? String == "admins")
        #expect((result["auth_message_hello"] as? [String: Any])?["org"] as? String == "feed", "auth by message")
        let admin = try #require(result["admin"] as? [[String: Any]])
        #expect(
            Self.types(admin) == [
                "service_created", "service_update", "status_update", "key_created", "invitation_created",
                "service_update", "status_update",
            ], "\(admin)")
        for (previous, frame) in zip(admin, admin.dropFirst()) {
            #expect(frame["prev"] as? Int == previous["seq"] as? Int)
        }
        #expect(result["admin_secret"] as? Bool == false, "never a key's secret, even to admins")
        #expect(result["admin_email"] as? Bool == true, "admins see whom they invited")

        #expect((result["subscribed"] as? [String: Any])?["org"] as? String == "demo")
        let resubscribed = try #require(result["resubscribed"] as? [[String: Any]])
        #expect(
            Self.types(resubscribed) == ["subscribed", "service_update", "status_update"],
            "replays from since: \(resubscribed)")
        #expect(resubscribed.last?["seq"] as? Int == seqs[4])
        #expect((result["unknown"] as? [String: Any])?["code"] as? String == "not_found")
        #expect((result["bad"] as? [String: Any])?["code"] as? String == "bad_message")

        let resumed = try #require(result["resumed"] as? [[String: Any]])
        #expect(Self.types(resumed) == ["hello", "service_update", "status_update"])
        #expect(resumed.last?["seq"] as? Int == seqs[4], "only what it missed")
        #expect(Self.types(result["too_old"]) == ["hello", "resync"])

        #expect((result["refused_token"] as? [Any])?.first as? Int == 1008, "\(result["refused_token"] ?? "")")
        #expect(result["foreign_origin"] as? Int == 403)
        #expect((result["same_origin"] as? [String: Any])?["type"] as? String == "hello")
    }

    @Test func revokedKey_endsItsFeed() async throws {
        let server = try StatusdProcess(arguments: ["--fsync", "none"])
        let (owner, _) = try await AccountTests.signUp("revoke@example.com", on: server)
        #expect(try await owner.call("POST", "/api/organizations", ["slug": "rev", "name": "Rev"]).status == 201)
        let result = try await Self.run("revoked", server, owner.token)
        #expect((result["hello"] as? [String: Any])?["feed"] as? String == "admins")
        let closed = try #require(result["closed"] as? [Any])
        #expect(closed.first as? Int == 1008 && (closed.last as? String ?? "").contains("revoked"), "\(closed)")
    }

    @Test func slowReader_isClosed_othersGetEveryFrame() async throws {
        let server = try StatusdProcess(arguments: ["--fsync", "none"])
        let (owner, _) = try await AccountTests.signUp("slow@example.com", on: server)
        #expect(try await owner.call("POST", "/api/organizations", ["slug": "feed", "name": "Feed"]).status == 201)
        let result = try await Self.run("slow", server, owner.token)
        #expect(result["stalled_status"] as? Int == 101)
        #expect(result["normal"] as? Int == 50, "the reader that keeps up gets every frame")
        #expect(result["slow_closed"] as? Bool == true, "the reader that does not is closed")
        let metrics = String(decoding: try await server.request("/metrics").body, as: UTF8.self)
        #expect(metrics.contains("statusd_live_closed{reason=\"slow_reader\"} 1"), "\(metrics)")
    }

    @Test func limits_closeWithTheirCodes() async throws {
        let server = try StatusdProcess(arguments: [
            "--demo", "--fsync", "none", "--live-max-per-address", "3", "--live-max-subscriptions", "2",
            "--live-heartbeat-seconds", "1", "--live-auth-timeout-seconds", "1",
        ])
        let (owner, _) = try await AccountTests.signUp("limits@example.com", on: server)
        for slug in ["other", "third"] {
            #expect(try await owner.call("POST", "/api/organizations", ["slug": slug, "name": slug]).status == 201)
        }
        let result = try await Self.run("limits", server)
        func code(_ name: String) -> Int? { (result[name] as? [Any])?.first as? Int }
        #expect(code("fourth") == 1008, "per address: \(result["fourth"] ?? "")")
        #expect(result["fourth_stream"] as? Int == 429, "an event stream over the limit is refused too")
        #expect(code("subscriptions") == 1008 && code("subscribe_rate") == 1008)
        #expect(code("auth_timeout") == 1008, "\(result["auth_timeout"] ?? "")")
        #expect(code("unmasked") == 1002)
        #expect((result["silent_pings"] as? Int ?? 0) >= 1 && result["silent_closed"] as? Bool == true)
        #expect(result["polite_open"] as? Bool == true, "a client that answers pings stays")
        #expect(Self.types(result["fragmented"]) == ["pong"], "a message in two fragments")
        let metrics = String(decoding: try await server.request("/metrics").body, as: UTF8.self)
        for reason in [
            "address_full", "subscriptions", "subscribe_rate", "auth_timeout", "protocol_error", "dead_peer",
        ] {
            #expect(!metrics.contains("statusd_live_closed{reason=\"\(reason)\"} 0"), "\(reason) counted")
        }
    }

    @Test func serverFull_refusesWith1013And503() async throws {
        let server = try StatusdProcess(arguments: ["--demo", "--live-max-connections", "2"])
        let result = try await Self.run("full", server)
        #expect((result["third"] as? [Any])?.first as? Int == 1013, "\(result["third"] ?? "")")
        let stream = try #require(result["third_stream"] as? [Any])
        #expect(stream.first as? Int == 503 && stream.last as? String == "10")
        #expect(result["after"] as? String == "hello", "places come back when connections close")
    }

    @Test func idleTopic_dropsItsRing() async throws {
        let server = try StatusdProcess(arguments: ["--fsync", "none", "--live-topic-idle-seconds", "1"])
        let (owner, _) = try await AccountTests.signUp("expiry@example.com", on: server)
        #expect(try await owner.call("POST", "/api/organizations", ["slug": "feed", "name": "Feed"]).status == 201)
        let result = try await Self.run("expiry", server, owner.token)
        #expect(Self.types(result["soon"]) == ["hello", "service_created"], "resumed from the ring")
        #expect((result["topics"] as? [String]) == ["statusd_live_topics 0.0"], "\(result["topics"] ?? "")")
        #expect(Self.types(result["later"]) == ["hello", "resync"], "the ring went with the topic")
    }

    @Test func shutdown_saysGoingAway() async throws {
        let server = try StatusdProcess(arguments: ["--demo", "--fsync", "none"])
        let result = try await Self.run("shutdown", server, "\(server.process.processIdentifier)")
        #expect((result["websocket"] as? [Any])?.first as? Int == 1001, "\(result)")
        #expect(result["stream_ended"] as? Bool == true, "the event stream's last chunk")
    }

    @Test func notAHandshake_isRefusedAsProblem() async throws {
        let server = try StatusdProcess()
        let plain = try await server.request("/ws/demo")
        #expect(plain.status == 426 && plain.headers["upgrade"] == "websocket")
        #expect(try await server.request("/ws/nobody-here").status == 404)
        #expect(try await server.request("/ws/demo?since=soon").status == 422)
        #expect(try await server.request("/ws", headers: ["Origin": "https://evil.example"]).status == 403)
    }
}
