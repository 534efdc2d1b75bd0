import Foundation
import Testing

/// A real statusd over real sockets: health, the demo summary, caching headers, problem+json.
@Suite struct PublicReadTests {
    @Test func health_answersOK_withTheLogKind() async throws {
        let server = try StatusdProcess()
        let (status, headers, body) = try await server.request("/health")
        #expect(status == 200)
        #expect(headers["content-type"]?.hasPrefix("application/json") == true)
        let json = try JSONSerialization.jsonObject(with: body) as! [String: Any]
        #expect(json["status"] as? String == "ok")
        #expect(json["organizations"] as? Int == 1)
        let log = try #require(json["log"] as? [String: Any])
        #expect(log["fsync"] as? String == "always")
        #expect((log["records"] as? Int ?? 0) >= 12, "the demo's events went through this log")
        #expect((log["batches"] as? Int ?? 0) >= 1)
        #expect(log["failure"] == nil || log["failure"] is NSNull)
        #expect(try await server.request("/ready").status == 200)
    }

    @Test func demoSummary_hasTheDocumentOfAPIMd() async throws {
        let server = try StatusdProcess()
        let (status, _, body) = try await server.request("/api/status/demo")
        #expect(status == 200)
        let json = try JSONSerialization.jsonObject(with: body) as! [String: Any]
        for key in [
            "organization", "status", "services", "groups", "active_incidents", "active_maintenance",
            "upcoming_maintenance", "updated_at", "seq",
        ] {
            #expect(json[key] != nil, "missing \(key)")
        }
        let page = json["status"] as! [String: Any]
        #expect(page["indicator"] as? String == "minor", "the demo has a minor incident and a degraded service")
        let services = json["services"] as! [[String: Any]]
        #expect(services.count == 5)
        #expect(services.allSatisfy { ($0["id"] as? String)?.hasPrefix("svc_") == true })
        #expect((json["upcoming_maintenance"] as! [Any]).count == 1)
        let aliased = try await server.request("/api/public/demo/status")
        #expect(aliased.body == body, "the other seed's path serves the same bytes")
    }

    @Test func summary_carriesCachingHeaders_and304OnIfNoneMatch() async throws {
        let server = try StatusdProcess()
        let first = try await server.request("/api/status/demo")
        let etag = try #require(first.headers["etag"])
        #expect(etag.hasPrefix("\"org_"))
        #expect(first.headers["cache-control"]?.contains("stale-while-revalidate") == true)
        #expect(first.headers["last-modified"]?.hasSuffix("GMT") == true)
        let second = try await server.request("/api/status/demo", headers: ["If-None-Match": etag])
        #expect(second.status == 304)
        #expect(second.body.isEmpty)
        let other = try await server.request("/api/status/demo", headers: ["If-None-Match": "\"something-else\""])
        #expect(other.status == 200)
        #expect(other.body == first.body, "the same view serves the same bytes")
    }

    @Test func unknownSlugAndRoute_answerProblemJSON() async throws {
        let server = try StatusdProcess()
        for path in ["/api/status/no-such-org", "/no/such/route", "/api/status/%FF%FE"] {
            let (status, headers, body) = try await server.request(path)
            #expect(status == 404, "\(path)")
            #expect(headers["content-type"] == "application/problem+json", "\(path)")
            let json = try JSONSerialization.jsonObject(with: body) as! [String: Any]
            #expect(json["status"] as? Int == 404)
            #expect(json["title"] as? String == "Not Found")
        }
    }
}
