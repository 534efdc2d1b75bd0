import Foundation
import Testing

/// `/openapi.json` and `/docs` from a real statusd. That the document matches the router is checked
/// by statusd itself before it listens (every test here would fail to start otherwise); that answers
/// match the document is schemathesis's job (scripts/contract-test.sh).
@Suite(.sameOnEitherLog) struct OpenAPITests {
    @Test func document_isOpenAPI31_withEveryAreaOfAPIMd() async throws {
        let server = try StatusdProcess()
        let (status, headers, body) = try await server.request("/openapi.json")
        #expect(status == 200)
        #expect(headers["content-type"]?.hasPrefix("application/json") == true)
        let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect(json["openapi"] as? String == "3.1.0")
        let paths = try #require(json["paths"] as? [String: [String: Any]])
        for (path, method) in [
            ("/api/status/{slug}", "get"), ("/api/status/{slug}/services", "get"), ("/api/services/{id}", "put"),
            ("/api/incidents/{id}/resolve", "put"), ("/api/team/invitations/{token}/accept", "post"),
            ("/api/keys/{id}", "delete"), ("/api/auth/signup", "post"), ("/health", "get"),
        ] {
            #expect(paths[path]?[method] != nil, "\(method) \(path) is documented")
        }
        let signup = try #require(paths["/api/auth/signup"]?["post"] as? [String: Any])
        #expect((signup["security"] as? [Any])?.isEmpty == true, "sign-up needs no credential")
        let responses = try #require(signup["responses"] as? [String: Any])
        #expect(responses["201"] != nil && responses["422"] != nil && responses["413"] != nil)
        // The role of every operation on an organization comes from the engine's table (`OrgAccess`).
        for (path, method, role) in [
            ("/api/services", "get", "viewer"), ("/api/incidents", "post", "editor"),
            ("/api/subscribers/counts", "get", "editor"), ("/api/subscribers", "get", "admin"),
            ("/api/keys", "post", "admin"), ("/api/organizations/{id}", "delete", "owner"),
            ("/v1/pages/{page_id}/incidents", "post", "editor"), ("/v1/pages/{page_id}/subscribers", "get", "admin"),
        ] {
            let operation = paths[path]?[method] as? [String: Any]
            #expect(operation?["x-statusd-role"] as? String == role, "\(method) \(path) needs \(role)")
            #expect((operation?["description"] as? String)?.hasPrefix("Needs the \(role) role.") == true)
        }
        for (path, operations) in paths {
            for (method, operation) in operations {
                guard let operation = operation as? [String: Any], operation["security"] == nil else { continue }
                // A person's own: their account, an organization they make, an invitation they take.
                let personal =
                    path.hasPrefix("/api/auth") || path.hasPrefix("/api/team/invitations")
                    || (path == "/api/organizations" && method == "post")
                #expect(
                    personal || operation["x-statusd-role"] is String, "\(method) \(path) says which role it needs")
            }
        }
        let schemas = try #require((json["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let service = try #require(schemas["Service"] as? [String: Any])
        #expect(service["additionalProperties"] as? Bool == false, "answers may not carry undocumented members")
        let statuses = ((service["properties"] as? [String: Any])?["status"] as? [String: Any])?["enum"] as? [String]
        #expect(statuses?.contains("under_maintenance") == true, "enumerations come from the engine's types")
    }

    @Test func document_andViewer_revalidateWith304() async throws {
        let server = try StatusdProcess()
        for path in ["/openapi.json", "/docs", "/docs/viewer.js", "/docs/viewer.css"] {
            let first = try await server.request(path)
            #expect(first.status == 200, "\(path)")
            let etag = try #require(first.headers["etag"], "\(path)")
            let again = try await server.request(path, headers: ["If-None-Match": etag])
            #expect(again.status == 304, "\(path)")
            #expect(again.body.isEmpty)
        }
    }

    @Test func docsPage_isSelfContained_underAContentSecurityPolicy() async throws {
        let server = try StatusdProcess()
        let (status, headers, body) = try await server.request("/docs")
        #expect(status == 200)
        #expect(headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(headers["content-security-policy"]?.contains("default-src 'self'") == true)
        let html = String(decoding: body, as: UTF8.self)
        #expect(html.contains("src=\"/docs/viewer.js\"") && html.contains("href=\"/docs/viewer.css\""))
        #expect(!html.contains("http://") && !html.contains("https://"), "nothing is fetched from elsewhere")
        let script = String(decoding: try await server.request("/docs/viewer.js").body, as: UTF8.self)
        #expect(script.contains("fetch(\"/openapi.json\")"))
    }

    @Test func publicParts_areTheSummarysPieces_withTheSameCaching() async throws {
        let server = try StatusdProcess()
        let summary = try #require(
            try JSONSerialization.jsonObject(with: try await server.request("/api/status/demo").body)
                as? [String: Any])
        let services = try await server.request("/api/status/demo/services")
        #expect(services.status == 200)
        let servicesJSON = try #require(try JSONSerialization.jsonObject(with: services.body) as? [String: Any])
        #expect((servicesJSON["services"] as? [Any])?.count == (summary["services"] as? [Any])?.count)
        #expect((servicesJSON["groups"] as? [Any])?.count == (summary["groups"] as? [Any])?.count)
        let maintenance = try await server.request("/api/status/demo/maintenance")
        let maintenanceJSON = try #require(
            try JSONSerialization.jsonObject(with: maintenance.body) as? [String: Any])
        #expect((maintenanceJSON["upcoming"] as? [Any])?.count == 1)
        #expect((maintenanceJSON["active"] as? [Any])?.isEmpty == true)
        let etag = try #require(maintenance.headers["etag"])
        #expect(
            try await server.request("/api/status/demo/maintenance", headers: ["If-None-Match": etag]).status == 304)
        #expect(try await server.request("/api/status/nobody-here/services").status == 404)
    }

    @Test func publicTimeline_listsUpdatesNewestFirst_andPages() async throws {
        let server = try StatusdProcess()
        let first = try await server.request("/api/status/demo/timeline")
        #expect(first.status == 200 && first.headers["etag"] != nil)
        let page = try #require(try JSONSerialization.jsonObject(with: first.body) as? [String: Any])
        let items = try #require(page["items"] as? [[String: Any]])
        #expect(items.count == 1, "the demo's incident has one update; its maintenance none yet")
        #expect(items.first?["kind"] as? String == "incident_update")
        #expect((items.first?["incident_id"] as? String)?.hasPrefix("inc_") == true)
        #expect(items.first?["author"] == nil, "the public never learns who wrote it")
        let id = try #require(items.first?["id"] as? String)
        let after = try await server.request("/api/status/demo/timeline?limit=5&cursor=\(id)")
        #expect(after.status == 200)
        #expect(
            ((try JSONSerialization.jsonObject(with: after.body) as? [String: Any])?["items"] as? [Any])?.isEmpty
                == true)
        #expect(try await server.request("/api/status/demo/timeline?cursor=upd_nope").status == 422)
        #expect(try await server.request("/api/status/demo/timeline?limit=0").status == 422)
    }
}
