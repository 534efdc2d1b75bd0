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

/// The pages in a real headless Chromium, one test at a time (each drives several browsers, and two
/// cores do not carry two such tests at once): the status page (`Scripts/browser_public_page.py`)
/// live without a reload, user text shown as text, usable at 360 px and in dark mode; and the
/// dashboard (`Scripts/browser_dashboard.py`). Screenshots for the README.
@Suite(.serialized, .sameOnEitherLog) struct BrowserTests {
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

        let result = try await StatuspageTests.read(
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

    /// Email subscription as a person does it, with a real SMTP server (`SMTPSink`): the page's form,
    /// the confirmation mail's link and button, the manage page, the incident mail, and unsubscribe
    /// (opening the link changes nothing; the mail client's one-click POST unsubscribes).
    @Test func emailSubscription_formConfirmManageNotifyUnsubscribe() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let server = try StatusdProcess(
            arguments: ["--fsync", "none", "--public-url", "https://status.acme.example"] + sink.arguments,
            environment: SMTPSink.environment)
        defer { server.stop() }
        let (owner, _) = try await AccountTests.signUp("mail@example.com", on: server)
        #expect(
            try await owner.call("POST", "/api/organizations", ["slug": "acme", "name": "Acme Cloud"]).status == 201)
        let key = try #require(
            try await owner.call("POST", "/api/keys", ["name": "b", "role": "admin"]).json["token"] as? String)
        _ = try await owner.call("POST", "/api/services", ["name": "API"])
        let web = try #require(try await owner.call("POST", "/api/services", ["name": "Web"]).json["id"] as? String)

        let result = try await StatuspageTests.read(
            server, script: "browser_email_flow.py", "acme", key, web, sink.spool, Self.screenshots)
        #expect((result["problems"] as? [String]) == [], "\(result["problems"] ?? "")")
        #expect(result["form_answer"] as? String == "Check your inbox")
        #expect(result["state_after_form"] as? String == "unconfirmed")
        #expect(result["state_after_opening"] as? String == "unconfirmed", "opening the link confirms nothing")
        #expect(result["state_after_button"] as? String == "active")
        #expect(result["components"] as? [String] == [web])
        #expect(result["incident_created"] as? Int == 201 && result["text_has_body"] as? Bool == true)
        #expect(result["list_unsubscribe_post"] as? String == "List-Unsubscribe=One-Click")
        #expect(result["list_unsubscribe_matches"] as? Bool == true)
        #expect(result["subscribed_after_opening"] as? Bool == true, "opening the unsubscribe link changes nothing")
        #expect(result["one_click"] as? Int == 200 && result["subscribed_after_one_click"] as? Bool == false)
    }

    /// The API page's "Try it": a public read, a write with an API key pasted once, errors shown as
    /// they came; the browser's login cookie is never sent with the tried requests.
    @Test func docsPage_tryIt_readWriteAndErrors_withoutTheLoginCookie() async throws {
        let server = try StatusdProcess(arguments: ["--demo", "--fsync", "none"])
        defer { server.stop() }
        let (owner, _) = try await AccountTests.signUp("docs@example.com", on: server)
        #expect(try await owner.call("POST", "/api/organizations", ["slug": "acme", "name": "Acme"]).status == 201)
        let key = try #require(
            try await owner.call("POST", "/api/keys", ["name": "docs", "role": "editor"]).json["token"] as? String)
        let result = try await StatuspageTests.read(
            server, script: "browser_docs.py", "docs@example.com", "correct horse battery", key)
        #expect((result["problems"] as? [String]) == [], "\(result["problems"] ?? "")")
        #expect(
            result["operations_with_try_it"] as? Int == result["operations_in_document"] as? Int,
            "every operation of /openapi.json is shown, each with its form")
        #expect(result["cookie_login"] as? Int == 200 && result["cookie_set"] as? Bool == true, "signed in by cookie")
        #expect((result["read_status"] as? String)?.hasPrefix("200") == true, "\(result)")
        #expect(result["read_content_type"] as? Bool == true && result["read_body_has_organization"] as? Bool == true)
        #expect(
            (result["me_without_token"] as? String)?.hasPrefix("401") == true,
            "the login cookie is not sent: \(result["me_without_token"] ?? "")")
        #expect(result["error_body"] as? Bool == true)
        #expect((result["write_status"] as? String)?.hasPrefix("201") == true, "\(result)")
        #expect(result["write_location"] as? Bool == true)
        #expect((result["invalid_status"] as? String)?.hasPrefix("422") == true, "\(result["invalid_body"] ?? "")")
        #expect(result["token_stored"] as? Int == 0, "the token is kept in the page's memory only")
        #expect((result["csp_violations"] as? [String]) == [], "\(result["csp_violations"] ?? "")")
        let incidents = try await owner.call("GET", "/api/incidents")
        #expect(incidents.text.contains("Tried from the docs"))
    }

    /// Sign up, create an organization, add services, open an incident that the public page shows
    /// live, resolve it, invite a viewer who joins in a third browser profile and cannot edit.
    @Test func dashboard_ownerAndViewer() async throws {
        let server = try StatusdProcess(arguments: ["--fsync", "none"])
        defer { server.stop() }
        let result = try await StatuspageTests.read(server, script: "browser_dashboard.py", BrowserTests.screenshots)
        #expect((result["problems"] as? [String]) == [], "\(result["problems"] ?? "")")
        #expect((result["password_error"] as? String)?.contains("password") == true, "beside the field")
        #expect(result["service_error"] as? String == "must not be empty")
        #expect(result["dashboard_body"] as? String == "<script>window.__xss = 1</script> We are investigating.")
        #expect(result["dashboard_script_ran"] as? Bool == false && result["public_script_ran"] as? Bool == false)
        #expect(result["public_banner_during"] as? String == "Major System Outage")
        #expect(result["public_banner_after"] as? String == "All Systems Operational")
        #expect(
            result["public_same_document"] as? Bool == true && result["public_still_same_document"] as? Bool == true)
        #expect(result["invitation_link"] as? Bool == true)
        #expect(result["order_changed"] as? Bool == true, "the move refused: \(result["move_refusals"] ?? "")")
        #expect(result["maintenance_made"] as? Int == 201)
        #expect(
            (result["email_refused"] as? String)?.contains("no mail server") == true, "\(result["email_refused"] ?? "")"
        )
        #expect(result["signing_secret_shown"] as? Bool == true)
        #expect(
            result["subscribers_listed"] as? [String] == ["https://hooks.example.com/…", "https://hooks.slack.com/…"])
        #expect(result["endpoints_masked"] as? Bool == true && result["csv_masked"] as? Bool == true)
        #expect(result["csv_rows"] as? Int == 3, "the header and both subscribers: the search does not narrow it")
        #expect(result["viewer_sees_addresses"] as? Bool == false)
        #expect((result["delivery_log"] as? String)?.hasSuffix("is degraded performance") == true)
        #expect(result["viewer_role"] as? String == "Your role: viewer")
        #expect(result["viewer_can_add"] as? Bool == false && result["viewer_selects_disabled"] as? Bool == true)
        #expect(result["viewer_post"] as? Int == 403, "the server refuses a viewer's change, not only the page")
        #expect(result["viewer_post_without_csrf"] as? Int == 403 && result["owner_post_without_csrf"] as? Int == 403)
        #expect((result["screenshots"] as? [String])?.count == 4)
    }
}

/// The dashboard's session cookie: HttpOnly, SameSite=Strict, good for reads, and for changes only
/// with the session's CSRF token; logout ends it.
@Suite struct SessionCookieTests {
    @Test func cookie_needsCSRFForChanges_andEndsAtLogout() async throws {
        let server = try StatusdProcess(arguments: ["--fsync", "none"])
        defer { server.stop() }
        let body = try JSONSerialization.data(withJSONObject: [
            "email": "cookie@example.com", "password": "correct horse battery",
        ])
        let signup = try await server.request("/api/auth/signup", method: "POST", body: body)
        let setCookie = try #require(signup.headers["set-cookie"])
        #expect(
            setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && !setCookie.contains("Secure"))
        let session = try JSONSerialization.jsonObject(with: signup.body) as? [String: Any] ?? [:]
        let csrf = try #require(session["csrf_token"] as? String)
        let cookie = String(setCookie.split(separator: ";")[0])
        let me = try await server.request("/api/auth/me", headers: ["Cookie": cookie])
        #expect(me.status == 200)
        #expect((try JSONSerialization.jsonObject(with: me.body) as? [String: Any])?["csrf_token"] as? String == csrf)
        let org = try JSONSerialization.data(withJSONObject: ["slug": "cookies", "name": "Cookies"])
        let forged = try await server.request(
            "/api/organizations", method: "POST", headers: ["Cookie": cookie], body: org)
        #expect(forged.status == 403, "a cookie alone cannot change anything")
        let wrong = try await server.request(
            "/api/organizations", method: "POST", headers: ["Cookie": cookie, "X-CSRF-Token": "x" + csrf], body: org)
        #expect(wrong.status == 403)
        let made = try await server.request(
            "/api/organizations", method: "POST", headers: ["Cookie": cookie, "X-CSRF-Token": csrf], body: org)
        #expect(made.status == 201)
        let out = try await server.request(
            "/api/auth/logout", method: "POST", headers: ["Cookie": cookie, "X-CSRF-Token": csrf])
        #expect(out.status == 204 && out.headers["set-cookie"]?.contains("Max-Age=0") == true)
        #expect(try await server.request("/api/auth/me", headers: ["Cookie": cookie]).status == 401)
        let secure = try StatusdProcess(arguments: ["--fsync", "none", "--public-url", "https://status.example.com"])
        defer { secure.stop() }
        let https = try await secure.request("/api/auth/signup", method: "POST", body: body)
        #expect(https.headers["set-cookie"]?.contains("; Secure") == true, "Secure behind an https public URL")
    }
}
