import Foundation
import Testing

/// Every class of bad input on every write route answers a 4xx `application/problem+json` naming the
/// field, and changes nothing (invariant 6, docs/ARCHITECTURE.md).
@Suite(.sameOnEitherLog) struct BadInputTests {
    struct Case: CustomStringConvertible {
        let method: String
        let path: String
        let body: Data
        let status: Int
        let field: String?
        let label: String

        var description: String { "\(label): \(method) \(path)" }
    }

    static func json(_ value: Any) -> Data { try! JSONSerialization.data(withJSONObject: value) }

    /// The cases for one write route; `valid` is a body it accepts, `field` a string field it reads.
    static func cases(_ method: String, _ path: String, valid: [String: Any], field: String, enumField: String?)
        -> [Case]
    {
        var cases = [
            Case(
                method: method, path: path, body: Data("{\"name\": ".utf8), status: 400, field: nil, label: "malformed"),
            Case(
                method: method, path: path, body: Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]), status: 400,
                field: nil, label: "bad UTF-8"),
            Case(
                method: method, path: path, body: Data("[1, 2]".utf8), status: 422, field: nil, label: "not an object"),
            Case(
                method: method, path: path, body: json(valid.merging([field: 42]) { $1 }), status: 422, field: field,
                label: "wrong type"),
            Case(
                method: method, path: path,
                body: json(valid.merging([field: String(repeating: "x", count: 70_000)]) { $1 }),
                status: 413, field: nil, label: "oversized"),
        ]
        if field == "name" {
            cases.append(
                Case(
                    method: method, path: path,
                    body: json(valid.merging([field: String(repeating: "é", count: 201)]) { $1 }),
                    status: 422, field: field, label: "overlong"))
        }
        if let enumField {
            cases.append(
                Case(
                    method: method, path: path, body: json(valid.merging([enumField: "on_fire"]) { $1 }), status: 422,
                    field: enumField, label: "unknown enum value"))
        }
        return cases
    }

    @Test func everyWriteRoute_refusesEveryClassOfBadInput() async throws {
        let tenants = try TwoTenants()
        defer { tenants.stop() }
        let api = tenants.acme
        let service = try #require(try await api.call("POST", "/api/services", ["name": "API"]).json["id"] as? String)
        let group = try #require(try await api.call("POST", "/api/service-groups", ["name": "G"]).json["id"] as? String)
        let incident = try #require(
            try await api.call("POST", "/api/incidents", ["name": "Down", "body": "Down"]).json["id"] as? String)
        let start = Date().addingTimeInterval(7_200)
        let times = [
            "scheduled_start": start.formatted(.iso8601),
            "scheduled_end": start.addingTimeInterval(60).formatted(.iso8601),
        ]
        let window = try #require(
            try await api.call("POST", "/api/maintenance", times.merging(["name": "W"]) { $1 }).json["id"] as? String)
        let before = try await tenants.server.request("/api/status/acme").body

        var all: [Case] = []
        all += Self.cases("POST", "/api/services", valid: ["name": "S"], field: "name", enumField: "status")
        all += Self.cases("PUT", "/api/services/\(service)", valid: [:], field: "name", enumField: "status")
        all += Self.cases(
            "PUT", "/api/services/\(service)/status", valid: ["status": "operational"], field: "status",
            enumField: "status")
        all += Self.cases("POST", "/api/service-groups", valid: ["name": "G2"], field: "name", enumField: nil)
        all += Self.cases("PUT", "/api/service-groups/\(group)", valid: [:], field: "description", enumField: nil)
        all += Self.cases(
            "POST", "/api/incidents", valid: ["name": "I", "body": "b"], field: "name", enumField: "impact")
        all += Self.cases("PUT", "/api/incidents/\(incident)", valid: [:], field: "name", enumField: "impact")
        all += Self.cases(
            "POST", "/api/incidents/\(incident)/updates", valid: ["body": "b"], field: "body", enumField: "status")
        all += Self.cases(
            "PUT", "/api/incidents/\(incident)/status", valid: ["status": "identified"], field: "body",
            enumField: "status")
        all += Self.cases(
            "POST", "/api/maintenance", valid: times.merging(["name": "M"]) { $1 }, field: "name", enumField: nil)
        all += Self.cases("PUT", "/api/maintenance/\(window)", valid: [:], field: "name", enumField: nil)
        all += Self.cases(
            "PUT", "/api/maintenance/\(window)/status", valid: ["status": "cancelled"], field: "body",
            enumField: "status")
        all += Self.cases(
            "POST", "/api/keys", valid: ["name": "k", "role": "viewer"], field: "name", enumField: "role")
        for test in all {
            let answer = try await api.call(test.method, test.path, test.body)
            #expect(answer.status == test.status, "\(test): \(answer.status) \(answer.text.prefix(200))")
            #expect(answer.headers["content-type"] == "application/problem+json", "\(test)")
            if let field = test.field { #expect(answer.field == field, "\(test): \(answer.text.prefix(200))") }
        }

        let missing: [(String, String, String)] = [
            ("/api/services", "{}", "name"), ("/api/service-groups", "{}", "name"),
            ("/api/incidents", "{\"name\": \"x\"}", "body"),
            ("/api/maintenance", "{\"name\": \"x\"}", "scheduled_start"),
            ("/api/keys", "{\"name\": \"x\"}", "role"),
        ]
        for (path, body, field) in missing {
            let answer = try await api.call("POST", path, Data(body.utf8))
            #expect(answer.status == 422 && answer.field == field, "missing \(field) on \(path): \(answer.text)")
        }
        let badReferences: [(String, String, Any, String)] = [
            ("POST", "/api/services", ["name": "S", "group_id": "grp_nope"], "group_id"),
            (
                "POST", "/api/incidents", ["name": "I", "body": "b", "affected_services": [["service_id": 7]]],
                "affected_services.0.service_id"
            ),
            (
                "POST", "/api/maintenance", times.merging(["name": "M", "scheduled_end": "tomorrow"]) { $1 },
                "scheduled_end"
            ),
        ]
        for (method, path, body, field) in badReferences {
            let answer = try await api.call(method, path, body)
            #expect(answer.status == 422 && answer.field == field, "\(field) on \(path): \(answer.text)")
        }
        for path in ["/api/services/svc_nope", "/api/incidents/42", "/api/maintenance/inc_00000000000000000000"] {
            let answer = try await api.call("PUT", path, ["name": "x"])
            #expect(answer.status == 404 && answer.field == "id", "\(path): \(answer.text)")
        }
        #expect(try await api.call("GET", "/api/services?limit=0").field == "limit")
        #expect(try await api.call("GET", "/api/incidents?cursor=zzz").field == "cursor")
        #expect(try await api.call("GET", "/api/incidents?status=on_fire").field == "status")
        #expect(try await tenants.server.request("/api/status/acme").body == before, "nothing changed")
    }
}
