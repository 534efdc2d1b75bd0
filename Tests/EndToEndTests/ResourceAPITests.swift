import Foundation
import Testing

/// Two organizations made by `statusd org create`, served by a real statusd, and a client per owner key.
struct TwoTenants {
    let server: StatusdProcess
    let acme: APIClient
    let globex: APIClient
    private let data: String
    var dataDirectory: String { data }

    init() throws {
        data = OperatorCommandTests.temporary("api")
        acme = APIClient(token: try Self.createOrganization("acme", data: data))
        globex = APIClient(token: try Self.createOrganization("globex", data: data))
        server = try StatusdProcess(arguments: [], dataDirectory: URL(fileURLWithPath: data))
        acme.server = server
        globex.server = server
    }

    static func createOrganization(_ slug: String, data: String) throws -> String {
        let created = try OperatorCommandTests.statusd(
            "org", "create", "--slug", slug, "--name", slug.capitalized, "--owner-email", "owner@\(slug).example",
            "--data-dir", data)
        precondition(created.status == 0, created.stderr)
        return created.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            ?? ""
    }

    func stop() {
        server.stop()
        try? FileManager.default.removeItem(atPath: data)
    }
}

/// A client holding one credential.
final class APIClient: @unchecked Sendable {
    let token: String
    var server: StatusdProcess!

    init(token: String) { self.token = token }

    struct Answer {
        let status: Int
        let headers: [String: String]
        let body: Data

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
        var text: String { String(decoding: body, as: UTF8.self) }
        /// The field the first validation error names, if any.
        var field: String? { (json["errors"] as? [[String: Any]])?.first?["field"] as? String }
    }

    func call(_ method: String, _ path: String, _ body: Any? = nil, headers: [String: String] = [:]) async throws
        -> Answer
    {
        let data = try body.map { body in
            if let raw = body as? Data { return raw }
            return try JSONSerialization.data(withJSONObject: body)
        }
        var all = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
        all.merge(headers) { $1 }
        let (status, fields, answer) = try await server.request(path, method: method, headers: all, body: data)
        return Answer(status: status, headers: fields, body: answer)
    }
}

/// The resource endpoints over real sockets: shapes, coupling rules, the list envelope.
@Suite struct ResourceAPITests {
    @Test func services_crud_andThePublicPageFollows() async throws {
        let tenants = try TwoTenants()
        defer { tenants.stop() }
        let api = tenants.acme
        let group = try await api.call("POST", "/api/service-groups", ["name": "Core"])
        #expect(group.status == 201)
        let groupID = try #require(group.json["id"] as? String)
        let created = try await api.call(
            "POST", "/api/services", ["title": "API", "description": "The REST API", "group_id": groupID])
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.json["id"] as? String)
        #expect(id.hasPrefix("svc_") && created.headers["location"] == "/api/services/\(id)")
        #expect(created.json["name"] as? String == "API" && created.json["status"] as? String == "operational")
        #expect(created.json["group_id"] as? String == groupID && created.json["created_at"] is String)

        _ = try await api.call("POST", "/api/services", ["name": "Website"])
        let status = try await api.call("PUT", "/api/services/\(id)/status", ["status": "Major Outage"])
        #expect(status.status == 200 && status.json["status"] as? String == "major_outage")
        let page = try await tenants.server.request("/api/status/acme")
        let summary = try #require(try JSONSerialization.jsonObject(with: page.body) as? [String: Any])
        #expect((summary["status"] as? [String: Any])?["indicator"] as? String == "major")

        let renamed = try await api.call("PUT", "/api/services/\(id)", ["name": "Public API", "group_id": NSNull()])
        #expect(renamed.status == 200 && renamed.json["name"] as? String == "Public API")
        #expect(renamed.json["group_id"] is NSNull)
        for index in 0..<3 { _ = try await api.call("POST", "/api/services", ["name": "S\(index)"]) }
        let first = try await api.call("GET", "/api/services?limit=3")
        #expect(first.items.count == 3)
        let cursor = try #require(first.json["next_cursor"] as? String)
        let second = try await api.call("GET", "/api/services?limit=3&cursor=\(cursor)")
        #expect(second.items.count == 2 && second.json["next_cursor"] is NSNull)
        #expect(Set((first.items + second.items).compactMap { $0["id"] as? String }).count == 5)

        #expect(try await api.call("DELETE", "/api/services/\(id)").status == 204)
        #expect(try await api.call("GET", "/api/services/\(id)").status == 404)
        #expect(try await api.call("DELETE", "/api/service-groups/\(groupID)").status == 204)
    }

    @Test func incidents_setAndRestoreServiceStatus_underTheCouplingRules() async throws {
        let tenants = try TwoTenants()
        defer { tenants.stop() }
        let api = tenants.acme
        let service = try #require(try await api.call("POST", "/api/services", ["name": "API"]).json["id"] as? String)
        let opened = try await api.call(
            "POST", "/api/incidents",
            [
                "title": "Elevated errors", "impact": "major", "message": "Looking into it",
                "affected_services": [["service_id": service, "status": "partial_outage"]],
            ])
        #expect(opened.status == 201, "\(opened.text)")
        let id = try #require(opened.json["id"] as? String)
        #expect(opened.json["status"] as? String == "investigating")
        #expect(try await api.call("GET", "/api/services/\(service)").json["status"] as? String == "partial_outage")

        let update = try await api.call(
            "POST", "/api/incidents/\(id)/updates", ["status": "identified", "body": "A bad deploy"])
        #expect(update.status == 200 && (update.json["updates"] as? [[String: Any]])?.count == 2)
        let resolved = try await api.call("PUT", "/api/incidents/\(id)/resolve")
        #expect(resolved.status == 200, "\(resolved.text)")
        #expect(resolved.json["status"] as? String == "resolved" && resolved.json["resolved_at"] is String)
        #expect(try await api.call("GET", "/api/services/\(service)").json["status"] as? String == "operational")

        let active = try await api.call("GET", "/api/incidents?status=active")
        #expect(active.items.isEmpty)
        let all = try await api.call("GET", "/api/incidents?service=\(service)")
        #expect(all.items.compactMap { $0["id"] as? String } == [id])
        #expect(try await api.call("GET", "/api/incidents/\(id)").json["name"] as? String == "Elevated errors")

        let history = try await api.call("GET", "/api/services/\(service)/status-history")
        #expect(
            history.items.compactMap { $0["to"] as? String } == ["operational", "partial_outage", "operational"],
            "newest first: restored, set by the incident, created")
        #expect(history.items.first?["reason"] as? String == "restored_after_incident")
        #expect(history.items.first?["reason_id"] as? String == id)
        let uptime = try await api.call("GET", "/api/services/\(service)/uptime?days=7")
        let days = try #require(uptime.json["days"] as? [[String: Any]])
        #expect(days.count == 7 && days.last?["worst_status"] as? String == "partial_outage", "\(uptime.text)")
        #expect(days.first?["uptime"] is NSNull, "no data before the service existed")
        #expect(try await api.call("GET", "/api/services/\(service)/uptime?days=0").field == "days")
        let publicUptime = try await tenants.server.request("/api/status/acme/uptime?days=3")
        #expect(publicUptime.status == 200)
        // The ETag names the view, the days asked for and the organization's day.
        let etag = try #require(publicUptime.headers["etag"])
        #expect(etag.contains("-u3-"), "\(etag)")
        let again = try await tenants.server.request("/api/status/acme/uptime?days=3", headers: ["If-None-Match": etag])
        #expect(again.status == 304)
        let other = try await tenants.server.request("/api/status/acme/uptime?days=4", headers: ["If-None-Match": etag])
        #expect(other.status == 200, "another number of days is another representation")
        _ = try await api.call("PUT", "/api/services/\(service)/status", ["status": "major_outage"])
        let changed = try await tenants.server.request(
            "/api/status/acme/uptime?days=3", headers: ["If-None-Match": etag])
        #expect(changed.status == 200, "a change publishes a new view")
        for path in ["/api/status/acme/incidents", "/api/public/acme/incidents"] {
            let answer = try await tenants.server.request(path)
            let text = String(decoding: answer.body, as: UTF8.self)
            #expect(answer.status == 200 && text.contains(id), "\(path)")
            #expect(!text.contains("author") && !text.contains("key_"), "the public history names no writer")
        }
    }

    @Test func maintenance_movesServicesUnderMaintenance_andBack() async throws {
        let tenants = try TwoTenants()
        defer { tenants.stop() }
        let api = tenants.acme
        let service = try #require(try await api.call("POST", "/api/services", ["name": "DB"]).json["id"] as? String)
        let start = Date().addingTimeInterval(3_600)
        let created = try await api.call(
            "POST", "/api/maintenance",
            [
                "name": "Upgrade", "scheduled_start": start.formatted(.iso8601),
                "scheduled_end": start.addingTimeInterval(3_600).formatted(.iso8601), "affected_services": [service],
            ])
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.json["id"] as? String)
        #expect(created.json["auto_start"] as? Bool == true && created.json["status"] as? String == "scheduled")
        let started = try await api.call("PUT", "/api/maintenance/\(id)/status", ["status": "in_progress"])
        #expect(started.status == 200, "\(started.text)")
        #expect(try await api.call("GET", "/api/services/\(service)").json["status"] as? String == "under_maintenance")
        _ = try await api.call("PUT", "/api/maintenance/\(id)/status", ["status": "completed", "body": "Done"])
        #expect(try await api.call("GET", "/api/services/\(service)").json["status"] as? String == "operational")
        #expect(try await api.call("GET", "/api/maintenance?status=completed").items.count == 1)
    }

    @Test func postedUpdates_textCanBeCorrected() async throws {
        let tenants = try TwoTenants()
        defer { tenants.stop() }
        let api = tenants.acme
        let incident = try await api.call("POST", "/api/incidents", ["name": "Errors", "body": "Investigatign"]).json
        let id = try #require(incident["id"] as? String)
        let update = try #require((incident["updates"] as? [[String: Any]])?.first?["id"] as? String)
        let corrected = try await api.call("PUT", "/api/incidents/\(id)/updates/\(update)", ["body": "Investigating"])
        #expect(corrected.status == 200, "\(corrected.text)")
        let updates = try #require(corrected.json["updates"] as? [[String: Any]])
        #expect(updates.count == 1 && updates[0]["body"] as? String == "Investigating")
        #expect(
            updates[0]["created_at"] as? String == (incident["updates"] as? [[String: Any]])?[0]["created_at"]
                as? String)
        #expect(try await api.call("PUT", "/api/incidents/\(id)/updates/\(update)", ["body": " "]).status == 422)
        #expect(try await api.call("PUT", "/api/incidents/\(id)/updates/upd_nothing", ["body": "x"]).status == 404)
        #expect(
            try await tenants.globex.call("PUT", "/api/incidents/\(id)/updates/\(update)", ["body": "x"]).status == 404,
            "another tenant's incident")
        let start = Date().addingTimeInterval(3_600)
        let window = try await api.call(
            "POST", "/api/maintenance",
            [
                "name": "Upgrade", "scheduled_start": start.formatted(.iso8601),
                "scheduled_end": start.addingTimeInterval(3_600).formatted(.iso8601),
            ]
        ).json
        let windowID = try #require(window["id"] as? String)
        let started = try await api.call(
            "PUT", "/api/maintenance/\(windowID)/status", ["status": "in_progress", "body": "Strated"]
        ).json
        let note = try #require((started["updates"] as? [[String: Any]])?.first?["id"] as? String)
        let fixed = try await api.call("PUT", "/api/maintenance/\(windowID)/updates/\(note)", ["body": "Started"])
        #expect(
            fixed.status == 200 && (fixed.json["updates"] as? [[String: Any]])?.first?["body"] as? String == "Started")
    }
}

/// Credentials, roles and tenants: 401, 403, 404 in that order, and nothing of B reachable from A.
@Suite struct AuthorizationTests {
    @Test func missingOrWrongCredentials_answer401() async throws {
        let tenants = try TwoTenants()
        defer { tenants.stop() }
        let anonymous = try await tenants.server.request("/api/services")
        #expect(anonymous.status == 401 && anonymous.headers["www-authenticate"] == "Bearer")
        #expect(anonymous.headers["content-type"] == "application/problem+json")
        // The owner's key with its last character changed (to another one: a "0" put over a "0" would be
        // the valid key, one run in 32).
        let altered = String(tenants.acme.token.dropLast()) + (tenants.acme.token.hasSuffix("0") ? "1" : "0")
        for token in ["nonsense", "sk_", "sk_key_00000000000000000000_x", altered] {
            #expect(try await APIClient(token: token).with(tenants.server).call("GET", "/api/services").status == 401)
        }
    }

    @Test func roles_andRevocation() async throws {
        let tenants = try TwoTenants()
        defer { tenants.stop() }
        let made = try await tenants.acme.call("POST", "/api/keys", ["name": "status bot", "role": "viewer"])
        #expect(made.status == 201, "\(made.text)")
        let viewer = APIClient(token: try #require(made.json["token"] as? String)).with(tenants.server)
        #expect(try await viewer.call("GET", "/api/services").status == 200)
        #expect(try await viewer.call("POST", "/api/services", ["name": "X"]).status == 403)
        #expect(try await viewer.call("POST", "/api/services", Data("{oops".utf8)).status == 403, "403 before 422")
        #expect(try await viewer.call("POST", "/api/keys", ["name": "k", "role": "owner"]).status == 403)
        let listed = try await tenants.acme.call("GET", "/api/keys")
        #expect(listed.items.count == 2 && !listed.text.contains("token") && !listed.text.contains("secret"))
        let keyID = try #require(made.json["id"] as? String)
        #expect(try await tenants.acme.call("DELETE", "/api/keys/\(keyID)").status == 204)
        #expect(try await viewer.call("GET", "/api/services").status == 401, "a revoked key stops at once")
    }

    @Test func keyLastUse_isShown_andSurvivesARestart() async throws {
        let tenants = try TwoTenants()
        defer { tenants.stop() }
        let made = try await tenants.acme.call("POST", "/api/keys", ["name": "monitor", "role": "editor"])
        let keyID = try #require(made.json["id"] as? String)
        let monitor = APIClient(token: try #require(made.json["token"] as? String)).with(tenants.server)
        func lastUse(_ client: APIClient) async throws -> Any? {
            try await client.call("GET", "/api/keys").items.first { $0["id"] as? String == keyID }?["last_used_at"]
        }
        #expect(try await lastUse(tenants.acme) == nil, "never used yet")
        #expect(try await monitor.call("GET", "/api/services").status == 200)
        let used = try #require(try await lastUse(tenants.acme) as? String)
        tenants.server.stop()  // a graceful stop writes the times
        let restarted = try StatusdProcess(arguments: [], dataDirectory: tenants.server.dataDirectory)
        tenants.acme.server = restarted
        let after = try await lastUse(tenants.acme) as? String
        #expect(after == used, "kept across a restart")
        restarted.stop()
    }

    @Test func anotherTenantsIds_answer404_andChangeNothing() async throws {
        let tenants = try TwoTenants()
        defer { tenants.stop() }
        let acme = tenants.acme
        let service = try #require(try await acme.call("POST", "/api/services", ["name": "API"]).json["id"] as? String)
        let incident = try #require(
            try await acme.call("POST", "/api/incidents", ["name": "Down", "body": "Down"]).json["id"] as? String)
        let group = try #require(
            try await acme.call("POST", "/api/service-groups", ["name": "G"]).json["id"] as? String)
        let start = Date().addingTimeInterval(7_200)
        let window = try #require(
            try await acme.call(
                "POST", "/api/maintenance",
                [
                    "name": "W", "scheduled_start": start.formatted(.iso8601),
                    "scheduled_end": start.addingTimeInterval(60).formatted(.iso8601),
                ]
            ).json["id"] as? String)
        let keyID = try #require(
            try await acme.call("POST", "/api/keys", ["name": "ci", "role": "editor"]).json["id"] as? String)
        let member = try #require(try await acme.call("GET", "/api/team/members").items.first?["id"] as? String)
        let acmeID = try #require(try await acme.call("GET", "/api/organizations/current").json["id"] as? String)
        let before = try await tenants.server.request("/api/status/acme").body

        let globex = tenants.globex
        let attempts: [(String, String, Any?)] = [
            ("GET", "/api/services/\(service)", nil), ("PUT", "/api/services/\(service)", ["name": "Hacked"]),
            ("PUT", "/api/services/\(service)/status", ["status": "major_outage"]),
            ("DELETE", "/api/services/\(service)", nil), ("GET", "/api/service-groups/\(group)", nil),
            ("PUT", "/api/service-groups/\(group)", ["name": "Hacked"]),
            ("DELETE", "/api/service-groups/\(group)", nil),
            ("GET", "/api/incidents/\(incident)", nil), ("PUT", "/api/incidents/\(incident)", ["name": "Hacked"]),
            ("POST", "/api/incidents/\(incident)/updates", ["body": "Hacked"]),
            ("PUT", "/api/incidents/\(incident)/status", ["status": "resolved"]),
            ("PUT", "/api/incidents/\(incident)/resolve", nil), ("DELETE", "/api/incidents/\(incident)", nil),
            ("GET", "/api/maintenance/\(window)", nil), ("PUT", "/api/maintenance/\(window)", ["name": "Hacked"]),
            ("PUT", "/api/maintenance/\(window)/status", ["status": "cancelled"]),
            ("DELETE", "/api/maintenance/\(window)", nil), ("DELETE", "/api/keys/\(keyID)", nil),
            ("PUT", "/api/team/members/\(member)", ["role": "viewer"]), ("DELETE", "/api/team/members/\(member)", nil),
            ("PUT", "/api/organizations/\(acmeID)", ["name": "Hacked"]),
            ("DELETE", "/api/organizations/\(acmeID)", nil),
            ("GET", "/api/organizations/\(acmeID)/export", nil), ("PUT", "/api/organizations/acme", ["name": "Hacked"]),
        ]
        for (method, path, body) in attempts {
            let answer = try await globex.call(method, path, body)
            #expect(answer.status == 404, "\(method) \(path): \(answer.status) \(answer.text)")
        }
        #expect(try await globex.call("GET", "/api/services").items.isEmpty)
        #expect(try await globex.call("GET", "/api/incidents").items.isEmpty)
        let switched = try await globex.call("GET", "/api/services", headers: ["X-Organization": "acme"])
        #expect(switched.status == 404, "a key never switches organization")
        #expect(try await tenants.server.request("/api/status/acme").body == before, "acme unchanged")
        #expect(try await acme.call("GET", "/api/keys").items.count == 2)
        #expect(try await acme.call("GET", "/api/team/members").items.count == 1)
        #expect(try await globex.call("GET", "/api/team/members").items.count == 1, "only globex's own owner")
    }
}

extension APIClient {
    func with(_ server: StatusdProcess) -> APIClient {
        self.server = server
        return self
    }
}
