import Foundation
import TestSupport
import Testing

/// `statusd import statuspage` against `Scripts/statuspage_fixture.py`, which serves the recorded v1
/// responses in `Fixtures/statuspage-v1` in pages of two: everything arrives with Statuspage's times,
/// a second run changes nothing, a third picks up what changed there, and bad credentials or a
/// running server stop it with one line.
@Suite struct StatuspageImportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/statuspage-v1")
    static let page = "y1lw3pbnf7zk"

    final class Fixture {
        let process = Process()
        let input = Pipe()
        let folder: URL
        let port: Int

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("sp-fixture-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for name in ["component-groups", "components", "incidents", "subscribers"] {
                try FileManager.default.copyItem(
                    at: StatuspageImportTests.fixtures.appendingPathComponent(name + ".json"),
                    to: folder.appendingPathComponent(name + ".json"))
            }
            let output = Pipe()
            process.executableURL = URL(fileURLWithPath: WebSocketTests.python)
            process.arguments = [
                URL(fileURLWithPath: StatuspageTests.script).deletingLastPathComponent()
                    .appendingPathComponent("statuspage_fixture.py").path, folder.path, StatuspageImportTests.page,
                "sp-key",
            ]
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            let ports = try JSONSerialization.jsonObject(with: Data(PipeReader.line(output.fileHandleForReading).utf8))
            port = (ports as? [String: Int])?["port"] ?? 0
        }

        /// Rewrites one recorded list through `change`.
        func edit(_ name: String, _ change: (inout [[String: Any]]) -> Void) throws {
            let file = folder.appendingPathComponent(name + ".json")
            var items = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [[String: Any]] ?? []
            change(&items)
            try JSONSerialization.data(withJSONObject: items).write(to: file)
        }

        func stop() {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    static func importing(_ fixture: Fixture, into data: String, key: String = "sp-key", slug: String = "acme") throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        try CommandLineTests.runCapturing(
            [
                "import", "statuspage", "--page-id", page, "--base-url", "http://127.0.0.1:\(fixture.port)/v1",
                "--into",
                slug, "--data-dir", data,
            ], environment: key.isEmpty ? [:] : ["STATUSD_STATUSPAGE_API_KEY": key])
    }

    @Test func import_copiesThePage_idempotently() async throws {
        let fixture = try Fixture()
        defer { fixture.stop() }
        let data = OperatorCommandTests.temporary("import")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let key = try TwoTenants.createOrganization("acme", data: data)

        let first = try Self.importing(fixture, into: data)
        #expect(first.status == 0, "\(first.stderr)")
        for line in [
            "fetched 1 component groups", "fetched 4 components", "fetched 5 incidents (2 scheduled maintenance)",
            "groups: 1 created, 0 updated, 0 unchanged", "services: 3 created, 0 updated, 0 unchanged",
            "incidents: 3 created, 0 updated, 0 unchanged", "maintenance: 2 created, 0 updated, 0 unchanged",
            "fetched 9 subscribers (skipped, no way to reach them here: 1 integration_partner, 1 slack, 1 sms)",
            "subscribers: 6 created, 0 updated, 0 unchanged",
        ] {
            #expect(first.stdout.contains("import: " + line), "\(line) in \(first.stdout)")
        }
        let again = try Self.importing(fixture, into: data)
        #expect(again.status == 0 && again.stdout.contains("incidents: 0 created, 0 updated, 3 unchanged"))
        #expect(again.stdout.contains("services: 0 created, 0 updated, 3 unchanged"), "\(again.stdout)")
        #expect(again.stdout.contains("subscribers: 0 created, 0 updated, 6 unchanged"), "\(again.stdout)")

        // On Statuspage meanwhile: the email incident is resolved and the component is operational.
        try fixture.edit("incidents") { items in
            guard let index = items.firstIndex(where: { $0["id"] as? String == "p31zjtct2jer" }) else { return }
            items[index]["status"] = "resolved"
            items[index]["resolved_at"] = "2026-11-20T16:00:00.000Z"
            var updates = items[index]["incident_updates"] as? [[String: Any]] ?? []
            updates.insert(
                [
                    "id": "s8d2k4f6g1hj", "status": "resolved", "body": "The backlog is cleared.",
                    "created_at": "2026-11-20T16:00:00.000Z", "display_at": "2026-11-20T16:00:00.000Z",
                ], at: 0)
            items[index]["incident_updates"] = updates
        }
        try fixture.edit("components") { items in
            for index in items.indices where items[index]["id"] as? String == "ftgks51sfs2d" {
                items[index]["status"] = "operational"
            }
        }
        let third = try Self.importing(fixture, into: data)
        #expect(third.stdout.contains("incidents: 0 created, 1 updated, 2 unchanged"), "\(third.stdout)")
        #expect(third.stdout.contains("services: 0 created, 1 updated, 2 unchanged"), "\(third.stdout)")

        let refused = try Self.importing(fixture, into: data, key: "wrong")
        #expect(refused.status != 0 && refused.stderr.contains("answered 401"), "\(refused.stderr)")
        let keyless = try Self.importing(fixture, into: data, key: "")
        #expect(keyless.status != 0 && keyless.stderr.contains("set STATUSD_STATUSPAGE_API_KEY"), "\(keyless.stderr)")
        let nowhere = try Self.importing(fixture, into: data, slug: "nobody")
        #expect(nowhere.status != 0 && nowhere.stderr.contains("no organization 'nobody'"), "\(nowhere.stderr)")

        let server = try StatusdProcess(arguments: [], dataDirectory: URL(fileURLWithPath: data))
        defer { server.stop() }
        let held = try Self.importing(fixture, into: data)
        #expect(held.status != 0 && held.stderr.contains("in use by another statusd"), "\(held.stderr)")
        let api = APIClient(token: key).with(server)
        let incidents = try await api.call("GET", "/api/incidents").items
        let names = incidents.compactMap { $0["name"] as? String }
        #expect(names == ["Delayed email delivery", "Elevated API error rates", "Login failures"], "newest first")
        let errors = try #require(incidents.first { $0["name"] as? String == "Elevated API error rates" })
        #expect(errors["created_at"] as? String == "2026-10-01T09:58:03Z", "Statuspage's times are kept")
        #expect(errors["resolved_at"] as? String == "2026-10-01T11:30:00Z" && errors["impact"] as? String == "major")
        let bodies = (errors["updates"] as? [[String: Any]])?.compactMap { $0["body"] as? String } ?? []
        #expect(bodies.contains("We are seeing <b>5xx</b> errors on the API."), "text kept as text: \(bodies)")
        #expect(incidents.first?["status"] as? String == "resolved", "the third import's change")
        let windows = try await api.call("GET", "/api/maintenance").items
        #expect(windows.compactMap { $0["status"] as? String }.sorted() == ["completed", "scheduled"])
        let summary = try await api.call("GET", "/api/status/acme").json
        let services = (summary["services"] as? [[String: Any]]) ?? []
        #expect(
            Dictionary(
                uniqueKeysWithValues: services.compactMap { service in
                    (service["name"] as? String).map { ($0, service["status"] as? String ?? "") }
                }) == ["API": "partial_outage", "Website": "operational", "Email Delivery": "operational"])
        #expect((summary["groups"] as? [[String: Any]])?.first?["name"] as? String == "Platform")

        // Subscribers in the state they had, at their times, following the imported components; no
        // confirmation mail asked for (no mail server here: an email subscriber would be refused by the API).
        let subscribers = try await api.call("GET", "/api/subscribers").items
        func subscriber(_ address: String) -> [String: Any]? {
            subscribers.first { ($0["email"] as? String ?? $0["endpoint"] as? String) == address }
        }
        #expect(subscribers.count == 6, "\(subscribers)")
        let lead = try #require(subscriber("ops-lead@example.org"))
        #expect(lead["state"] as? String == "active" && lead["created_at"] as? String == "2026-03-02T10:11:12Z")
        #expect((lead["component_ids"] as? [String])?.count == 2)
        #expect(subscriber("not.yet@example.org")?["state"] as? String == "unconfirmed")
        let bounced = try #require(subscriber("bounced@example.org"))
        #expect(
            bounced["state"] as? String == "quarantined" && bounced["purge_at"] as? String == "2027-01-28T02:00:00Z")
        let hook = try #require(subscriber("https://hooks.example.org/…"))
        #expect(hook["type"] as? String == "webhook" && hook["contact_email"] as? String == "oncall@example.org")
        #expect(subscriber("https://example.webhook.office.com/…")?["type"] as? String == "teams")
        let counts = try await api.call("GET", "/api/subscribers/counts").json
        #expect((counts["by_state"] as? [String: Int])?["active"] == 4)
    }
}
