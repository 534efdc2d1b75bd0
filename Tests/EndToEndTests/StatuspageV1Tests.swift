import Foundation
import Testing

/// Statuspage's management API v1 under `/v1`, driven by `Scripts/statuspage_v1_client.py` as its
/// clients drive it (OAuth/Bearer/bare key, `.json` or not, JSON envelopes and forms), every answer
/// held to the JSON Schemas in `Schemas/statuspage-v1`. What v1 writes is the state our own API and
/// the public pages read, and it survives a restart.
@Suite(.sameOnEitherLog) struct StatuspageV1Tests {
    @Test func v1_drivesTheSameEngine() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("statusd-v1-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var server = try StatusdProcess(
            arguments: ["--fsync", "none", "--public-url", "https://status.example.com"], dataDirectory: directory)
        let (owner, _) = try await AccountTests.signUp("v1@example.com", on: server)
        #expect(try await owner.call("POST", "/api/organizations", ["slug": "acme", "name": "Acme"]).status == 201)
        #expect(try await owner.call("POST", "/api/organizations", ["slug": "globex", "name": "Globex"]).status == 201)
        let acme = ["X-Organization": "acme"]
        let globex = ["X-Organization": "globex"]
        let admin = try #require(
            try await owner.call("POST", "/api/keys", ["name": "v1", "role": "admin"], headers: acme).json["token"]
                as? String)
        let viewer = try #require(
            try await owner.call("POST", "/api/keys", ["name": "read", "role": "viewer"], headers: acme).json["token"]
                as? String)
        let foreignService = try #require(
            try await owner.call("POST", "/api/services", ["name": "Theirs"], headers: globex).json["id"] as? String)
        let foreignIncident = try #require(
            try await owner.call("POST", "/api/incidents", ["name": "Theirs", "body": "x"], headers: globex).json["id"]
                as? String)

        let result = try await StatuspageTests.read(
            server, script: "statuspage_v1_client.py", "acme", admin, viewer, foreignService, foreignIncident)
        #expect((result["problems"] as? [String]) == [], "\(result["problems"] ?? "")")
        #expect((result["checks"] as? Int ?? 0) > 200, "the client ran to its end")
        let api = try #require(result["api"] as? String)
        let incident = try #require(result["incident"] as? String)

        // One engine, two dialects: our own API and the public v2 read what v1 wrote.
        func check(_ server: StatusdProcess) async throws {
            let client = owner.with(server)
            let service = try await client.call("GET", "/api/services/\(api)", headers: acme).json
            #expect(service["name"] as? String == "Public API" && service["status"] as? String == "partial_outage")
            let read = try await client.call("GET", "/api/incidents/\(incident)", headers: acme).json
            #expect(read["status"] as? String == "resolved")
            #expect((read["updates"] as? [[String: Any]])?.count == 3, "created, monitoring, resolved")
            let (status, _, body) = try await server.request("/s/acme/api/v2/summary.json")
            let summary = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            #expect(status == 200 && (summary["page"] as? [String: Any])?["name"] as? String == "Acme Status")
            #expect((summary["page"] as? [String: Any])?["time_zone"] as? String == "Europe/Paris")
            let names = (summary["components"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
            #expect(names == ["Public API", "Database"], "Web was deleted, the group too")
        }
        try await check(server)
        server.stop()
        server = try StatusdProcess(
            arguments: ["--fsync", "none", "--public-url", "https://status.example.com"], dataDirectory: directory)
        try await check(server)
        server.stop()
    }
}
