import Foundation
import Testing

/// The public HTML pages over HTTP: complete without JavaScript, escaped, cached like the JSON, under
/// a Content-Security-Policy; and, in `BrowserTests`, live in a real Chromium.
@Suite struct PublicPageTests {
    /// An organization with a group, services, an incident whose text carries markup, and maintenance.
    static func organization(on server: StatusdProcess) async throws -> (APIClient, incident: String, window: String) {
        let (owner, _) = try await AccountTests.signUp("pages@example.com", on: server)
        let org = try await owner.call(
            "POST", "/api/organizations",
            ["slug": "acme", "name": "Acme <Corp> & \"Sons\"", "time_zone": "Europe/Paris", "accent_color": "#aa3377"])
        #expect(org.status == 201, "\(org.text)")
        let group = try #require(
            try await owner.call("POST", "/api/service-groups", ["name": "Platform"]).json["id"] as? String)
        let api = try #require(
            try await owner.call("POST", "/api/services", ["name": "API", "group_id": group]).json["id"] as? String)
        _ = try await owner.call("POST", "/api/services", ["name": "Website"])
        let incident = try #require(
            try await owner.call(
                "POST", "/api/incidents",
                [
                    "name": "Errors <img src=x onerror=alert(1)>", "impact": "major",
                    "body": "<script>alert(1)</script> and \"quotes\"",
                    "affected_services": [["service_id": api, "status": "partial_outage"]],
                ]
            ).json["id"] as? String)
        let start = Date().addingTimeInterval(86_400)
        let window = try #require(
            try await owner.call(
                "POST", "/api/maintenance",
                [
                    "name": "Upgrade", "description": "Planned", "scheduled_start": start.formatted(.iso8601),
                    "scheduled_end": start.addingTimeInterval(3_600).formatted(.iso8601), "affected_services": [api],
                ]
            ).json["id"] as? String)
        return (owner, incident, window)
    }

    @Test func statusPage_isCompleteEscapedAndCached() async throws {
        let server = try StatusdProcess(arguments: ["--fsync", "none"])
        defer { server.stop() }
        let (_, incident, window) = try await Self.organization(on: server)

        let (status, headers, body) = try await server.request("/status/acme")
        let html = String(decoding: body, as: UTF8.self)
        #expect(status == 200 && headers["content-type"] == "text/html; charset=utf-8")
        let csp = headers["content-security-policy"] ?? ""
        #expect(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe"))
        #expect(headers["x-content-type-options"] == "nosniff" && headers["referrer-policy"] != nil)
        #expect(html.contains("<title>Acme &lt;Corp&gt; &amp; &quot;Sons&quot; status</title>"), "names are escaped")
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; and &quot;quotes&quot;"), "update text is text")
        #expect(!html.contains("<script>alert") && !html.contains("<img src=x"), "no markup from users")
        #expect(!html.contains("<style") && !html.contains(" style=") && !html.contains("onclick"), "nothing inline")
        #expect(html.contains("class=\"banner indicator-major\""), "the indicator: \(html.prefix(0))")
        #expect(html.contains("Platform") && html.contains("Website") && html.contains("Partial outage"))
        #expect(html.components(separatedBy: "class=\"bar ").count - 1 == 180, "90 bars for each of 2 services")
        #expect(
            html.contains("/status/acme/incidents/\(incident)") && html.contains("/status/acme/maintenance/\(window)"))
        #expect(html.contains("data-seq=\"") && html.contains("<script src=\"/static/status.js\" defer></script>"))
        #expect(html.contains("GMT+1") || html.contains("CET"), "times in the organization's zone")

        let etag = try #require(headers["etag"])
        #expect(try await server.request("/status/acme", headers: ["If-None-Match": etag]).status == 304)
        let gzip = try await server.request("/status/acme", headers: ["Accept-Encoding": "gzip"])
        // URLSession inflates the body it reads; the length on the wire is the compressed one.
        let compressed = Int(gzip.headers["content-length"] ?? "") ?? .max
        #expect(
            gzip.headers["content-encoding"] == "gzip" && compressed < body.count / 3, "\(compressed) of \(body.count)")
        let theme = try await server.request("/status/acme/theme.css")
        #expect(String(decoding: theme.body, as: UTF8.self).contains("--accent: #aa3377"))
        for path in ["/static/status.css", "/static/status.js"] {
            let asset = try await server.request(path)
            #expect(asset.status == 200 && asset.headers["etag"] != nil, "\(path)")
        }
        #expect(try await server.request("/status/nobody").status == 404)
        #expect(try await server.request("/status/acme/incidents/inc_nothing").status == 404)
        #expect(
            try await server.request("/status/acme/incidents/\(window)").status == 404, "a window is not an incident")
    }

    @Test func permalinks_andHistory() async throws {
        let server = try StatusdProcess(arguments: ["--fsync", "none"])
        defer { server.stop() }
        let (owner, incident, window) = try await Self.organization(on: server)
        _ = try await owner.call("POST", "/api/incidents/\(incident)/updates", ["status": "resolved", "body": "Fixed"])
        for name in ["Second", "Third"] {
            let id = try #require(
                try await owner.call("POST", "/api/incidents", ["name": name, "body": "x"]).json["id"] as? String)
            _ = try await owner.call("PUT", "/api/incidents/\(id)/resolve")
        }
        let permalink = String(
            decoding: try await server.request("/status/acme/incidents/\(incident)").body, as: UTF8.self)
        #expect(permalink.contains("Resolved") && permalink.contains("Fixed") && permalink.contains("resolved "))
        let maintenance = String(
            decoding: try await server.request("/status/acme/maintenance/\(window)").body, as: UTF8.self)
        #expect(maintenance.contains("Upgrade") && maintenance.contains("Planned"))
        let history = String(decoding: try await server.request("/status/acme/history").body, as: UTF8.self)
        let order = ["Third", "Second", "Errors"].compactMap { history.range(of: $0)?.lowerBound }
        #expect(order.count == 3 && order == order.sorted(), "newest first")
        #expect(try await server.request("/status/acme/history?cursor=nonsense").status == 422)
    }
}

/// The status page in a real headless Chromium (`Scripts/browser_public_page.py`): live without a
/// reload, user text shown as text, usable at 360 px and in dark mode; screenshots for the README.
@Suite struct BrowserTests {
    /// Where screenshots go: `STATUSD_TEST_SCREENSHOTS` (`docs/screenshots` refreshes the README's), else a
    /// folder under `.build`, so that a test run leaves the tree clean.
    static var screenshots: String {
        ProcessInfo.processInfo.environment["STATUSD_TEST_SCREENSHOTS"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/screenshots").path
    }

    @Test func statusPage_followsAnIncidentLive() async throws {
        let server = try StatusdProcess(arguments: ["--fsync", "none"])
        defer { server.stop() }
        let (owner, _) = try await AccountTests.signUp("browser@example.com", on: server)
        #expect(
            try await owner.call(
                "POST", "/api/organizations", ["slug": "acme", "name": "Acme Cloud", "time_zone": "Europe/Paris"]
            ).status == 201)
        let key = try #require(
            try await owner.call("POST", "/api/keys", ["name": "b", "role": "editor"]).json["token"] as? String)
        let group = try #require(
            try await owner.call("POST", "/api/service-groups", ["name": "Platform"]).json["id"] as? String)
        let api = try #require(
            try await owner.call("POST", "/api/services", ["name": "API", "group_id": group]).json["id"] as? String)
        for name in ["Checkout", "Dashboard"] {
            _ = try await owner.call("POST", "/api/services", ["name": name, "group_id": group])
        }
        _ = try await owner.call("POST", "/api/services", ["name": "Website"])

        let result = try StatuspageTests.read(
            server, script: "browser_public_page.py", "acme", key, api, Self.screenshots)
        #expect((result["problems"] as? [String]) == [], "\(result["problems"] ?? "")")
        #expect(result["banner_before"] as? String == "All Systems Operational")
        #expect(result["banner_during"] as? String == "Major System Outage")
        #expect((result["status_during"] as? String)?.contains("Major outage") == true)
        #expect(result["same_document"] as? Bool == true && result["still_same_document"] as? Bool == true, "no reload")
        #expect(result["body_shown"] as? String == "<script>window.__xss = 1</script> Looking into it", "shown as text")
        #expect(result["script_ran"] as? Bool == false && result["script_elements_in_main"] as? Int == 0)
        #expect(result["banner_after"] as? String == "All Systems Operational")
        #expect(result["permalink_updates"] as? Int == 2 && result["history"] as? String == "Checkout errors")
        #expect(result["viewport_360"] as? Int == 360 && result["overflow_360_light"] as? Int == 0)
        #expect(result["overflow_360_dark"] as? Int == 0)
        #expect(result["background_dark"] as? String == "rgb(13, 17, 23)")
        #expect((result["screenshots"] as? [String])?.count == 5)
    }
}
