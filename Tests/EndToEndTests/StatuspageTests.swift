import Foundation
import TestSupport
import Testing

/// Statuspage's public API v2 under `/s/{slug}/api/v2/`, read by a strict client
/// (`Scripts/statuspage_client.py`): Statuspage's members and enumerations only, its time format,
/// explicit nulls, the same caching as our own public JSON.
@Suite(.sameOnEitherLog) struct StatuspageTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Scripts/statuspage_client.py").path

    @Test func publicV2_documents_haveStatuspagesShapes() async throws {
        let server = try StatusdProcess(arguments: ["--fsync", "none", "--public-url", "https://status.example.com"])
        let (owner, _) = try await AccountTests.signUp("sp@example.com", on: server)
        #expect(try await owner.call("POST", "/api/organizations", ["slug": "acme", "name": "Acme"]).status == 201)
        let group = try #require(
            try await owner.call("POST", "/api/service-groups", ["name": "Platform"]).json["id"] as? String)
        let api = try #require(
            try await owner.call("POST", "/api/services", ["name": "API", "group_id": group]).json["id"] as? String)
        _ = try await owner.call("POST", "/api/services", ["name": "Web", "group_id": group])
        _ = try await owner.call("POST", "/api/services", ["name": "Docs", "description": ""])
        let incident = try #require(
            try await owner.call(
                "POST", "/api/incidents",
                [
                    "name": "API errors", "body": "Investigating", "impact": "major",
                    "affected_services": [["service_id": api, "status": "major_outage"]],
                ]
            ).json["id"] as? String)
        _ = try await owner.call(
            "POST", "/api/incidents/\(incident)/updates", ["status": "monitoring", "body": "Fixed"])
        let start = Date().addingTimeInterval(86_400)
        let window: [String: Any] = [
            "name": "Upgrade", "scheduled_start": start.formatted(.iso8601),
            "scheduled_end": start.addingTimeInterval(3_600).formatted(.iso8601), "affected_services": [api],
        ]
        let upcoming = try #require(try await owner.call("POST", "/api/maintenance", window).json["id"] as? String)
        let cancelled = try #require(try await owner.call("POST", "/api/maintenance", window).json["id"] as? String)
        #expect(
            try await owner.call("PUT", "/api/maintenance/\(cancelled)/status", ["status": "cancelled"]).status == 200)

        let result = try await Self.read(server, "acme")
        #expect((result["problems"] as? [String]) == [], "\(result["problems"] ?? "")")
        #expect(result["revalidated"] as? Int == 304)
        #expect(result["unknown_slug"] as? Int == 404)

        let summary = try #require(result["summary"] as? [String: Any])
        let page = try #require(summary["page"] as? [String: Any])
        #expect(page["url"] as? String == "https://status.example.com/status/acme" && page["name"] as? String == "Acme")
        #expect((summary["status"] as? [String: Any])?["indicator"] as? String == "major")
        let components = try #require(summary["components"] as? [[String: Any]])
        #expect(components.compactMap { $0["name"] as? String } == ["Docs", "Platform", "API", "Web"], "page order")
        let platform = try #require(components.first { $0["group"] as? Bool == true })
        #expect(platform["status"] as? String == "major_outage", "a group shows its worst member")
        #expect((platform["components"] as? [String])?.count == 2)
        #expect(components.first { $0["name"] as? String == "Docs" }?["description"] is NSNull, "explicit null")

        let open = try #require((summary["incidents"] as? [[String: Any]])?.first)
        #expect(open["status"] as? String == "monitoring" && open["impact"] as? String == "major")
        #expect(open["monitoring_at"] is String && open["resolved_at"] is NSNull)
        #expect(open["shortlink"] as? String == "https://status.example.com/status/acme/incidents/\(incident)")
        let updates = try #require(open["incident_updates"] as? [[String: Any]])
        #expect(updates.compactMap { $0["status"] as? String } == ["monitoring", "investigating"], "newest first")
        let change = try #require((updates.last?["affected_components"] as? [[String: Any]])?.first)
        #expect(change["code"] as? String == api && change["name"] as? String == "API")
        #expect(change["old_status"] as? String == "operational" && change["new_status"] as? String == "major_outage")
        #expect(updates.first?["affected_components"] is NSNull, "an update that changed nothing")

        let scheduled = try #require(summary["scheduled_maintenances"] as? [[String: Any]])
        #expect(scheduled.compactMap { $0["id"] as? String } == [upcoming], "upcoming and active only")
        #expect(scheduled.first?["impact"] as? String == "maintenance" && scheduled.first?["scheduled_for"] is String)
        let all = try #require(result["maintenances"] as? [[String: Any]])
        #expect(
            all.first { $0["id"] as? String == cancelled }?["status"] as? String == "completed",
            "cancelled is shown as Statuspage's completed")
        #expect((result["upcoming"] as? [Any])?.count == 1 && (result["active"] as? [Any])?.isEmpty == true)
        #expect((result["incidents"] as? [Any])?.count == 3, "incidents.json lists maintenance too")

        _ = try await owner.call("POST", "/api/incidents/\(incident)/updates", ["status": "resolved", "body": "Done"])
        let after = try await Self.read(server, "acme")
        #expect((after["problems"] as? [String]) == [])
        #expect((after["unresolved"] as? [Any])?.isEmpty == true)
        let resolved = (after["incidents"] as? [[String: Any]])?.first { $0["id"] as? String == incident }
        #expect(resolved?["status"] as? String == "resolved" && resolved?["resolved_at"] is String)
        #expect(((after["summary"] as? [String: Any])?["status"] as? [String: Any])?["indicator"] as? String == "none")
    }

    @Test func feeds_badges_embed() async throws {
        let server = try StatusdProcess(arguments: ["--fsync", "none", "--public-url", "https://status.example.com"])
        let (owner, _) = try await AccountTests.signUp("feeds@example.com", on: server)
        #expect(
            try await owner.call("POST", "/api/organizations", ["slug": "acme", "name": "Acme & Co"]).status == 201)
        let api = try #require(try await owner.call("POST", "/api/services", ["name": "API"]).json["id"] as? String)
        let incident = try #require(
            try await owner.call(
                "POST", "/api/incidents",
                [
                    "name": "Errors <b>", "body": "<script>alert(1)</script> \u{1} & more", "impact": "minor",
                    "affected_services": [["service_id": api, "status": "partial_outage"]],
                ]
            ).json["id"] as? String)
        _ = try await owner.call("POST", "/api/incidents/\(incident)/updates", ["status": "resolved", "body": "Fixed"])
        _ = try await owner.call("PUT", "/api/services/\(api)/status", ["status": "degraded_performance"])

        let result = try await Self.read(server, script: "feeds_client.py", "acme", api)
        let feeds = try #require(result["feeds"] as? [String: [String: Any]])
        #expect(feeds.count == 4)
        for (path, feed) in feeds {
            #expect(feed["status"] as? Int == 200 && feed["bozo"] as? Bool == false, "\(path): \(feed)")
            #expect(feed["version"] as? String == (path.hasSuffix("rss") ? "rss20" : "atom10"), "\(path)")
            #expect(feed["title"] as? String == "Acme & Co status")
            #expect(feed["revalidated"] as? Int == 304)
            let entries = try #require(feed["entries"] as? [[String: Any]])
            #expect(
                entries.compactMap { $0["title"] as? String } == ["Errors <b>: Resolved", "Errors <b>: Investigating"])
            #expect(entries.first?["link"] as? String == "https://status.example.com/status/acme/incidents/\(incident)")
            // Shown as the text it is: escaped as HTML in RSS's HTML description, as is in Atom's text.
            let shown = path.hasSuffix("rss") ? "&lt;script&gt;alert(1)&lt;/script&gt;" : "<script>alert(1)</script>"
            #expect((entries.last?["summary"] as? String)?.contains(shown) == true, "\(path): \(entries)")
        }
        #expect(feeds["/s/acme/history.atom"]?["type"] as? String == "application/atom+xml; charset=utf-8")

        let pageBadge = try #require(result["page_badge"] as? [String: Any])
        #expect(pageBadge["title"] as? String == "status: degraded system performance")
        #expect(pageBadge["type"] as? String == "image/svg+xml; charset=utf-8")
        let shields = try #require(result["page_badge_json"] as? [String: Any])
        #expect(shields["schemaVersion"] as? Int == 1 && shields["color"] as? String == "#dfb317")
        let serviceBadge = try #require(result["service_badge"] as? [String: Any])
        #expect((serviceBadge["title"] as? String)?.hasPrefix("API: degraded performance · ") == true)
        #expect((serviceBadge["title"] as? String)?.hasSuffix("%") == true, "with its uptime")
        #expect((result["service_badge_json"] as? [String: Any])?["message"] as? String == "degraded performance")
        #expect(result["unknown_service"] as? Int == 404 && result["bad_uptime"] as? Int == 422)
        let embed = try #require(result["embed"] as? [String: Any])
        #expect(embed["status"] as? Int == 200 && embed["type"] as? String == "text/javascript; charset=utf-8")
        #expect(embed["innerHTML"] as? Bool == false, "the banner sets text, never HTML")
        #expect(result["embed_unknown"] as? Int == 404)
    }

    static func read(_ server: StatusdProcess, script: String = "statuspage_client.py", _ arguments: String...)
        async throws -> [String: Any]
    {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: WebSocketTests.python)
        process.arguments =
            [
                URL(fileURLWithPath: Self.script).deletingLastPathComponent().appendingPathComponent(script).path,
                "\(server.baseURL.port ?? 0)",
            ] + arguments
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("script-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let data = try await OffThePool.output(of: process, output)
        let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        return try #require(
            try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            "\(script) printed no JSON: \(String(decoding: data, as: UTF8.self)) \(stderr.suffix(2_000))")
    }
}
