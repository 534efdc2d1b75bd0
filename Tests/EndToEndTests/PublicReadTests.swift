import Foundation
import TestSupport
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
        if TestLog.onPostgres {
            #expect(log["kind"] as? String == "postgresql")
            #expect(log["fsync"] == nil, "PostgreSQL's synchronous_commit, not --fsync, says what acknowledged means")
        } else {
            #expect(log["kind"] as? String == "wal")
            #expect(log["fsync"] as? String == "always")
        }
        #expect(log["reachable"] as? Bool == true)
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

/// The gzip variant of public reads, checked on the raw bytes: Python's http.client neither asks for
/// nor undoes compression, unlike URLSession.
@Suite(.sameOnEitherLog) struct CompressionTests {
    /// Fetches `path` with the given headers; prints the status, the two headers and whether the
    /// gunzipped body equals the plain one.
    static let script = #"""
        import gzip, http.client, json, sys
        port, path, etag_gz = int(sys.argv[1]), sys.argv[2], sys.argv[3]
        def get(headers):
            c = http.client.HTTPConnection("127.0.0.1", port); c.request("GET", path, headers=headers)
            r = c.getresponse(); body = r.read(); c.close(); return r, body
        plain_r, plain = get({})
        gz_r, gz = get({"Accept-Encoding": "gzip, deflate"})
        again_r, again = get({"Accept-Encoding": "gzip", "If-None-Match": gz_r.getheader("ETag")})
        refused_r, refused = get({"Accept-Encoding": "gzip;q=0, identity"})
        print(json.dumps({
            "plain_encoding": plain_r.getheader("Content-Encoding"), "gz_encoding": gz_r.getheader("Content-Encoding"),
            "same_content": gzip.decompress(gz) == plain, "smaller": len(gz) < len(plain),
            "etags_differ": plain_r.getheader("ETag") != gz_r.getheader("ETag"),
            "revalidated": again_r.status, "vary": gz_r.getheader("Vary"),
            "refused_encoding": refused_r.getheader("Content-Encoding"), "refused_same": refused == plain}))
        """#

    @Test func gzipVariant_isTheSameDocument_underItsOwnETag() async throws {
        let server = try StatusdProcess()
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, "\(server.baseURL.port ?? 0)", "/api/status/demo", ""]
        process.standardOutput = output
        try process.run()
        let data = try await OffThePool.output(of: process, output)
        let result = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(result["plain_encoding"] is NSNull, "no Accept-Encoding, no compression")
        #expect(result["gz_encoding"] as? String == "gzip")
        #expect(result["same_content"] as? Bool == true && result["smaller"] as? Bool == true)
        #expect(result["etags_differ"] as? Bool == true)
        #expect(result["revalidated"] as? Int == 304)
        #expect(result["vary"] as? String == "Accept-Encoding")
        #expect(result["refused_encoding"] is NSNull && result["refused_same"] as? Bool == true, "q=0 is a no")
    }
}

/// `/metrics`: Prometheus text with route templates as labels, never the slugs or ids asked for.
@Suite struct MetricsTests {
    @Test func metrics_countRequestsByRouteTemplate_andShowTheLog() async throws {
        let server = try StatusdProcess()
        _ = try await server.request("/api/status/demo")
        _ = try await server.request("/api/status/no-such-page-xyz")
        let (status, headers, body) = try await server.request("/metrics")
        let text = String(decoding: body, as: UTF8.self)
        #expect(status == 200 && headers["content-type"]?.hasPrefix("text/plain") == true)
        #expect(text.contains(#"route="/api/status/{slug}""#), "\(text.prefix(400))")
        #expect(text.contains(#"status="404""#) && text.contains(#"status="200""#))
        #expect(text.contains("statusd_http_requests_total{") && text.contains("statusd_http_request_duration_seconds"))
        #expect(!text.contains("no-such-page-xyz") && !text.contains(#"/api/status/demo""#), "no slugs in labels")
        #expect(text.contains("statusd_organizations 1"))
        if TestLog.onPostgres {
            #expect(text.contains("statusd_log_records ") && text.contains("statusd_log_reachable 1"))
            #expect(!text.contains("statusd_wal_"), "no WAL figures when the log is PostgreSQL")
        } else {
            #expect(text.contains("statusd_wal_records ") && text.contains("statusd_wal_failed 0"))
        }
    }

    @Test func metrics_haveWALHistograms_andMemoRenders() async throws {
        let server = try StatusdProcess()
        for _ in 0..<10 { _ = try await server.request("/api/status/demo") }
        let text = String(decoding: try await server.request("/metrics").body, as: UTF8.self)
        // The WAL's batches and fdatasyncs, or the batches and COMMITs of the log on PostgreSQL.
        let (batches, durable) =
            TestLog.onPostgres
            ? ("statusd_log_batch_records", "statusd_log_commit_seconds")
            : ("statusd_wal_batch_records", "statusd_wal_fdatasync_seconds")
        #expect(text.contains("# TYPE \(batches) histogram"))
        #expect(text.contains("# TYPE \(durable) histogram"))
        let syncs = text.split(separator: "\n").first { $0.hasPrefix("\(durable)_count ") }
        #expect((syncs?.split(separator: " ").last.flatMap { Int($0) } ?? 0) >= 1, "the demo's writes were durable")
        #expect(text.contains(#"\#(batches)_bucket{le="+Inf"}"#))
        let renders = text.split(separator: "\n").first { $0.hasPrefix("statusd_memo_renders ") }
        // One render per published view: the start-up maintenance pass may publish one more view.
        let count = renders?.split(separator: " ").last.flatMap { Double($0) } ?? 0
        #expect((1...2).contains(count), "ten reads, a render per view: \(renders ?? "none")")
    }
}
