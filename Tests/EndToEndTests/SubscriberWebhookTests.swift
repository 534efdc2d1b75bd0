import Crypto
import Foundation
import TestSupport
import Testing

/// Webhook subscribers end to end: a real statusd posting to a real receiver on 127.0.0.2 through the
/// outbound guard. Statuspage's payloads, the Standard Webhooks signature, component routing, what an
/// editor may not see, a failing hook quarantined on a short retry schedule, and `kill -9` during a
/// burst: every subscriber told at least once, duplicates with the same idempotency key.
@Suite struct SubscriberWebhookTests {
    struct Setup {
        let sink: WebhookSink
        let server: StatusdProcess
        let owner: APIClient
        /// The owner of another organization on the same server.
        let other: APIClient
        let data: String
        let api: String
        let web: String

        init(retryBase: String = "0.05") async throws {
            sink = try WebhookSink()
            data = OperatorCommandTests.temporary("subscribers")
            owner = APIClient(token: try TwoTenants.createOrganization("acme", data: data))
            other = APIClient(token: try TwoTenants.createOrganization("globex", data: data))
            server = try StatusdProcess(
                arguments: Self.arguments(retryBase: retryBase), dataDirectory: URL(fileURLWithPath: data))
            owner.server = server
            other.server = server
            api = try await owner.call("POST", "/api/services", ["name": "API"]).json["id"] as? String ?? ""
            web = try await owner.call("POST", "/api/services", ["name": "Web"]).json["id"] as? String ?? ""
        }

        static func arguments(retryBase: String) -> [String] {
            [
                "--fsync", "none", "--outbound-allow", "127.0.0.2/32", "--notify-retry-base-seconds", retryBase,
                "--public-url", "https://status.acme.example",
            ]
        }

        func hook(_ path: String, components: [String] = [], sign: Bool = false) async throws -> [String: Any] {
            let answer = try await owner.call(
                "POST", "/api/subscribers",
                [
                    "type": "webhook", "endpoint": sink.url(path), "contact_email": "ops@acme.example",
                    "component_ids": components, "sign": sign,
                ])
            #expect(answer.status == 201, "\(answer.text)")
            return answer.json
        }

        func stop() {
            server.stop()
            sink.stop()
            try? FileManager.default.removeItem(atPath: data)
        }
    }

    @Test func webhooks_getStatuspagePayloads_signed_andOnlyForTheirComponents() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        let all = try await setup.hook("ok/all", sign: true)
        let secret = try #require(all["signing_secret"] as? String)
        #expect(all["endpoint"] as? String == "http://127.0.0.2/…")  // the URL is a secret: never shown whole
        _ = try await setup.hook("ok/web", components: [setup.web])
        let created = try await setup.owner.call(
            "POST", "/api/incidents",
            [
                "name": "API down", "status": "investigating", "impact": "major", "body": "Looking into it",
                "affected_services": [["service_id": setup.api, "status": "major_outage"]],
            ])
        #expect(created.status == 201)
        let incidentID = created.json["id"] as? String

        // The incident and the component change reach the hook that follows everything; nothing
        // reaches the one that follows only Web.
        var received: [WebhookSink.Delivery] = []
        await eventually("two deliveries to the hook following everything") {
            received = try await setup.sink.received()
            return received.filter { $0.path == "/ok/all" }.count >= 2
        }
        #expect(!received.contains { $0.path == "/ok/web" })
        let incident = try #require(received.first { $0.json["incident"] != nil })
        let body = incident.json
        let page = try #require(body["page"] as? [String: Any])
        #expect(page["status_indicator"] as? String == "major")
        let payload = try #require(body["incident"] as? [String: Any])
        #expect(payload["id"] as? String == incidentID)
        #expect(payload["status"] as? String == "investigating")
        #expect(payload["impact"] as? String == "major")
        #expect((payload["incident_updates"] as? [[String: Any]])?.first?["body"] as? String == "Looking into it")
        let meta = try #require(body["meta"] as? [String: Any])
        let unsubscribe = try #require(meta["unsubscribe"] as? String)
        #expect(unsubscribe.hasPrefix("https://status.acme.example/subscriptions/"))
        let component = try #require(received.first { $0.json["component_update"] != nil }).json
        #expect((component["component_update"] as? [String: Any])?["new_status"] as? String == "major_outage")
        #expect((component["component"] as? [String: Any])?["id"] as? String == setup.api)

        // The signature verifies with the secret shown once (Standard Webhooks).
        let key = try #require(Data(base64Encoded: String(secret.dropFirst("whsec_".count))))
        for delivery in received {
            let id = try #require(delivery.headers["webhook-id"])
            let timestamp = try #require(delivery.headers["webhook-timestamp"])
            var signed = Data("\(id).\(timestamp).".utf8)
            signed.append(delivery.body)
            let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: key))
            #expect(delivery.headers["webhook-signature"] == "v1," + Data(mac).base64EncodedString())
            #expect(delivery.headers["idempotency-key"] == id)
        }

        // Every payload, and Statuspage's own documented examples, validate against one strict schema.
        try Self.validate(received.map(\.body))

        // An update without notify: nobody is told; a resolution is.
        let id = try #require(incidentID)
        _ = try await setup.owner.call(
            "POST", "/api/incidents/\(id)/updates", ["body": "Still looking", "notify": false])
        _ = try await setup.owner.call("PUT", "/api/incidents/\(id)/resolve", ["body": "Fixed"])
        await eventually("the resolution") {
            try await setup.sink.received().contains {
                (($0.json["incident"] as? [String: Any])?["status"] as? String) == "resolved"
            }
        }
        let bodies = try await setup.sink.received().compactMap {
            (($0.json["incident"] as? [String: Any])?["incident_updates"] as? [[String: Any]])?.first?["body"]
                as? String
        }
        #expect(!bodies.contains("Still looking"))

        // The unsubscribe link: a GET changes nothing, the POST removes the subscriber.
        let path = String(unsubscribe.dropFirst("https://status.acme.example".count))
        let page1 = try await setup.server.request(path)
        #expect(page1.status == 200)
        #expect(try await setup.owner.call("GET", "/api/subscribers/counts").json["total"] as? Int == 2)
        let tampered = try await setup.server.request(path.dropLast(2) + "xx", method: "POST")
        #expect(tampered.status == 404)
        let done = try await setup.server.request(
            path, method: "POST", headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: Data("List-Unsubscribe=One-Click".utf8))
        #expect(done.status == 200)
        #expect(try await setup.owner.call("GET", "/api/subscribers/counts").json["total"] as? Int == 1)
        #expect(try await setup.server.request(path, method: "POST").status == 404)
    }

    /// Runs `Scripts/webhook_schema.py` over `bodies` and Statuspage's examples (`Fixtures/statuspage-webhook`).
    static func validate(_ bodies: [Data]) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("webhooks-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var paths: [String] = []
        for (index, body) in bodies.enumerated() {
            let file = folder.appendingPathComponent("\(index).json")
            try body.write(to: file)
            paths.append(file.path)
        }
        let scripts = URL(fileURLWithPath: StatuspageTests.script).deletingLastPathComponent()
        let fixtures = scripts.deletingLastPathComponent().appendingPathComponent("Fixtures/statuspage-webhook")
        paths += ["incident.json", "component.json"].map { fixtures.appendingPathComponent($0).path }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: WebSocketTests.python)
        process.arguments = [scripts.appendingPathComponent("webhook_schema.py").path] + paths
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: PipeReader.toEnd(output.fileHandleForReading), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text.prefix(4_000))")
        #expect(text.contains("valid \(paths.count)"), "\(text.prefix(2_000))")
    }

    @Test func chatAndMaintenance_payloads_haveTheirShapes_withinLimits() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        for type in ["slack", "teams", "discord"] {
            let answer = try await setup.owner.call(
                "POST", "/api/subscribers", ["type": type, "endpoint": setup.sink.url("ok/\(type)")])
            #expect(answer.status == 201, "\(answer.text)")
        }
        _ = try await setup.hook("ok/hook")
        let long = String(repeating: "A very long update. ", count: 600)  // 12,000 characters
        _ = try await setup.owner.call(
            "POST", "/api/incidents",
            [
                "name": "Long <@everyone>", "body": long, "impact": "minor",
                "affected_services": [["service_id": setup.api, "status": "degraded_performance"]],
            ])
        let start = Date().addingTimeInterval(3_600)
        _ = try await setup.owner.call(
            "POST", "/api/maintenance",
            [
                "name": "Database upgrade", "scheduled_start": start.formatted(.iso8601),
                "scheduled_end": start.addingTimeInterval(3_600).formatted(.iso8601),
                "affected_services": [setup.web],
            ])
        var received: [WebhookSink.Delivery] = []
        await eventually("the chat messages and the maintenance webhook") {
            received = try await setup.sink.received()
            return ["slack", "teams", "discord"].allSatisfy { type in
                received.filter { $0.path == "/ok/\(type)" }.count >= 2
            } && received.contains { (($0.json["incident"] as? [String: Any])?["impact"] as? String) == "maintenance" }
        }
        let slack = try #require(received.first { $0.path == "/ok/slack" }).json
        let section = try #require((slack["blocks"] as? [[String: Any]])?.first?["text"] as? [String: Any])
        let text = try #require(section["text"] as? String)
        #expect(text.count <= 3_000 && text.contains("… (truncated)") && text.contains("&lt;@everyone&gt;"))
        let discord = try #require(received.first { $0.path == "/ok/discord" }).json
        let embed = try #require((discord["embeds"] as? [[String: Any]])?.first)
        #expect((embed["description"] as? String)?.count ?? 0 <= 4_096)
        #expect(((discord["content"] as? String)?.count ?? 0) <= 2_000)
        #expect((discord["allowed_mentions"] as? [String: Any])?["parse"] as? [String] == [])
        let teams = try #require(received.first { $0.path == "/ok/teams" }).json
        let card = try #require((teams["attachments"] as? [[String: Any]])?.first?["content"] as? [String: Any])
        #expect(card["type"] as? String == "AdaptiveCard")
        #expect(!received.contains { $0.path.hasPrefix("/ok/") && $0.path != "/ok/hook" && $0.json["meta"] != nil })
        let window =
            try #require(
                received.first {
                    (($0.json["incident"] as? [String: Any])?["impact"] as? String) == "maintenance"
                }
            ).json["incident"] as? [String: Any]
        #expect(window?["status"] as? String == "scheduled" && window?["scheduled_for"] is String)
        try Self.validate(received.filter { $0.path == "/ok/hook" }.map(\.body))
    }

    /// A window that names services is announced when scheduled and, an hour before its start, its
    /// subscribers are reminded: the webhook in Statuspage's shape again, the chat message in words.
    @Test func aWindowsSubscribers_areRemindedAnHourBeforeItStarts() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        _ = try await setup.hook("ok/hook")
        #expect(
            try await setup.owner.call(
                "POST", "/api/subscribers", ["type": "slack", "endpoint": setup.sink.url("ok/slack")]
            )
            .status == 201)
        let start = Date().addingTimeInterval(3_600 + 3)  // its reminder is due in 3 seconds
        let window =
            try await setup.owner.call(
                "POST", "/api/maintenance",
                [
                    "name": "Database upgrade", "scheduled_start": start.formatted(.iso8601),
                    "scheduled_end": start.addingTimeInterval(3_600).formatted(.iso8601),
                    "affected_services": [setup.web],
                ]
            ).json["id"] as? String
        var received: [WebhookSink.Delivery] = []
        await eventually("the announcement and the reminder, to both") {
            received = try await setup.sink.received()
            let hooks = received.filter {
                $0.path == "/ok/hook" && ($0.json["incident"] as? [String: Any])?["id"] as? String == window
            }
            return hooks.count >= 2 && received.count { $0.path == "/ok/slack" } >= 2
        }
        let slack = received.filter { $0.path == "/ok/slack" }.map { String(decoding: $0.body, as: UTF8.self) }
        #expect(slack.contains { $0.contains("Database upgrade: maintenance starts soon") }, "\(slack)")
        let keys = Set(received.filter { $0.path == "/ok/hook" }.compactMap { $0.headers["idempotency-key"] })
        #expect(keys.count == 2, "two notifications, two keys")
        try Self.validate(received.filter { $0.path == "/ok/hook" }.map(\.body))
    }

    @Test func badInput_unauthorised_andCrossTenant_areRefused() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        let cases: [([String: Any], String)] = [
            (["type": "pager", "endpoint": setup.sink.url("ok/x")], "type"),
            (["type": "webhook", "endpoint": "ftp://x.example/"], "endpoint"),
            (["type": "webhook", "endpoint": setup.sink.url("ok/x")], "contact_email"),
            (["type": "email", "email": "someone@example.com"], "type"),
            (["type": "sms", "phone_number": "+15551234567"], "type"),
            (["type": "slack", "endpoint": setup.sink.url("ok/x"), "sign": true], "sign"),
            (["type": "discord", "endpoint": setup.sink.url("ok/x"), "component_ids": ["svc_nope"]], "component_ids"),
        ]
        for (body, field) in cases {
            let answer = try await setup.owner.call("POST", "/api/subscribers", body)
            #expect(answer.status == 422, "\(body): \(answer.text)")
            #expect(answer.field == field, "\(body): \(answer.text)")
        }
        let hook = try await setup.hook("ok/one")
        let id = try #require(hook["id"] as? String)
        #expect(
            try await setup.owner.call(
                "POST", "/api/subscribers",
                [
                    "type": "webhook", "endpoint": setup.sink.url("ok/one"), "contact_email": "ops@acme.example",
                ]
            ).status == 409)
        // An editor sees counts, never addresses.
        let editor = APIClient(
            token: try await setup.owner.call("POST", "/api/keys", ["name": "ed", "role": "editor"]).json["token"]
                as? String ?? "")
        editor.server = setup.server
        #expect(try await editor.call("GET", "/api/subscribers").status == 403)
        #expect(try await editor.call("GET", "/api/subscribers/\(id)").status == 403)
        #expect(
            try await editor.call("POST", "/api/subscribers", ["type": "slack", "endpoint": "https://x.example/"])
                .status == 403)
        #expect(try await editor.call("GET", "/api/subscribers/counts").json["total"] as? Int == 1)
        // Another organization's owner can neither see it nor remove it.
        #expect(try await setup.other.call("GET", "/api/subscribers/\(id)").status == 404)
        #expect(try await setup.other.call("DELETE", "/api/subscribers/\(id)").status == 404)
        #expect(try await setup.other.call("GET", "/api/subscribers").items.isEmpty)
        #expect(try await setup.owner.call("GET", "/api/subscribers/sub_00000000000000000000").status == 404)
        #expect(try await setup.owner.call("DELETE", "/api/subscribers/\(id)").status == 204)
        #expect(try await setup.owner.call("DELETE", "/api/subscribers/\(id)").status == 404)
    }

    @Test func aFailingHook_isQuarantined_andOthersAreToldOnTime() async throws {
        let setup = try await Setup(retryBase: "0.02")
        defer { setup.stop() }
        let failing = try #require(try await setup.hook("fail/hook")["id"] as? String)
        let redirecting = try #require(try await setup.hook("redirect/hook")["id"] as? String)
        _ = try await setup.hook("ok/fine")
        _ = try await setup.owner.call("PUT", "/api/services/\(setup.api)/status", ["status": "degraded_performance"])
        await eventually("the healthy hook's delivery") {
            try await setup.sink.received().contains { $0.path == "/ok/fine" }
        }
        for id in [failing, redirecting] {
            await eventually("quarantine of \(id)", within: 60) {
                try await setup.owner.call("GET", "/api/subscribers/\(id)").json["state"] as? String == "quarantined"
            }
        }
        let received = try await setup.sink.received()
        #expect(received.filter { $0.path == "/fail/hook" }.count == 10)
        // A redirect is a failure: never followed.
        #expect(received.filter { $0.path == "/redirect/hook" }.count == 10)
        #expect(received.filter { $0.path == "/ok/hook" }.isEmpty)
        let reason = try await setup.owner.call("GET", "/api/subscribers/\(failing)").json["quarantine_reason"]
        #expect((reason as? String)?.contains("HTTP 500") == true)
        // The delivery log tells the admin the same: one notification, one sent, two quarantined, why.
        var entry: [String: Any] = [:]
        await eventually("the notification finished in the delivery log") {
            // Newer in the log: the mails to the two contacts that their hooks were quarantined.
            entry =
                try await setup.owner.call("GET", "/api/notifications").items.first {
                    $0["kind"] as? String == "component"
                } ?? [:]
            return entry["finished_at"] is String
        }
        #expect(entry["recipients"] as? Int == 3)
        #expect(
            entry["sent"] as? Int == 1 && entry["quarantined"] as? Int == 2 && entry["failed_attempts"] as? Int == 20)
        let failures = entry["failures"] as? [[String: Any]] ?? []
        #expect(failures.last?["outcome"] as? String == "quarantined" && failures.count == 20)
        #expect(failures.allSatisfy { ($0["address"] as? String)?.hasSuffix("/…") == true }, "endpoints masked")
        #expect(failures.contains { ($0["reason"] as? String)?.contains("HTTP 500") == true })
        let editorKey = try await setup.owner.call("POST", "/api/keys", ["name": "ed", "role": "editor"]).json["token"]
        let editor = APIClient(token: editorKey as? String ?? "").with(setup.server)
        #expect(try await editor.call("GET", "/api/notifications").status == 403, "it names subscribers: admins only")
        // Reactivated, it is told of the next change.
        #expect(
            try await setup.owner.call("POST", "/api/subscribers/\(failing)/reactivate").json["state"] as? String
                == "active")
    }

    @Test func killedDuringABurst_everyHookIsToldAtLeastOnce_withOneKeyEach() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        var ids: [String] = []
        for index in 0..<300 {
            ids.append(try #require(try await setup.hook("ok/\(index)")["id"] as? String))
        }
        _ = try await setup.owner.call("PUT", "/api/services/\(setup.api)/status", ["status": "partial_outage"])
        await eventually("the burst under way") { try await setup.sink.received().count >= 20 }
        kill(setup.server.process.processIdentifier, SIGKILL)
        setup.server.process.waitUntilExit()
        let restarted = try StatusdProcess(
            arguments: Setup.arguments(retryBase: "0.05"), dataDirectory: URL(fileURLWithPath: setup.data))
        defer { restarted.stop() }
        await eventually("every hook told", within: 60) {
            Set(try await setup.sink.received().map(\.path)).count == 300
        }
        let received = try await setup.sink.received()
        var keys: [String: Set<String>] = [:]
        for delivery in received { keys[delivery.path, default: []].insert(delivery.headers["idempotency-key"] ?? "") }
        #expect(keys.values.allSatisfy { $0.count == 1 })  // a duplicate carries the same key
        let duplicates = received.count - 300
        #expect(duplicates <= 256, "at most one batch is sent again")
        print("kill -9 during a burst of 300: \(duplicates) duplicates")
    }
}
