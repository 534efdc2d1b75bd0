import Foundation
import TestSupport
import Testing

/// Email subscribers end to end: a real statusd sending through a real SMTP server (aiosmtpd on
/// 127.0.0.2, STARTTLS on a test CA that statusd verifies, AUTH with the password from the
/// environment). Double opt-in from the public form, the confirm page's button, the manage and
/// one-click unsubscribe links, the notification's headers, and an address the server refuses.
@Suite struct SubscriberEmailTests {
    struct Setup {
        let sink: SMTPSink
        let server: StatusdProcess
        let owner: APIClient
        let data: String
        let api: String
        let web: String

        init() async throws {
            sink = try SMTPSink()
            data = OperatorCommandTests.temporary("email-subscribers")
            owner = APIClient(token: try TwoTenants.createOrganization("acme", data: data))
            server = try StatusdProcess(
                arguments: Self.arguments(sink), dataDirectory: URL(fileURLWithPath: data),
                environment: SMTPSink.environment)
            owner.server = server
            api = try await owner.call("POST", "/api/services", ["name": "API"]).json["id"] as? String ?? ""
            web = try await owner.call("POST", "/api/services", ["name": "Web"]).json["id"] as? String ?? ""
        }

        /// Email subscribers added by the admin, confirmed (no confirmation mail).
        func confirmedReaders(_ emails: [String]) async throws {
            for email in emails {
                let added = try await owner.call(
                    "POST", "/api/subscribers",
                    ["type": "email", "email": email, "skip_confirmation_notification": true])
                #expect(added.status == 201, "\(added.text)")
            }
        }

        /// An incident taking the API down: every reader of the page is mailed.
        func postOutageOfTheAPI() async throws {
            _ = try await owner.call(
                "POST", "/api/incidents",
                [
                    "name": "Down", "status": "investigating", "impact": "major", "body": "Looking into it",
                    "affected_services": [["service_id": api, "status": "major_outage"]],
                ])
        }

        static func arguments(_ sink: SMTPSink) -> [String] {
            ["--fsync", "none", "--notify-retry-base-seconds", "0.05", "--public-url", "https://status.acme.example"]
                + sink.arguments
        }

        /// The form on the status page, as a browser without JavaScript posts it.
        func subscribeByForm(_ email: String) async throws -> (status: Int, text: String) {
            let body = "email=" + (email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            let answer = try await server.request(
                "/status/acme/subscribe", method: "POST",
                headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Data(body.utf8))
            return (answer.status, String(decoding: answer.body, as: UTF8.self))
        }

        /// The subscriber the admin API lists for `email`.
        func subscriber(_ email: String) async throws -> [String: Any]? {
            try await owner.call("GET", "/api/subscribers?type=email").items.first { $0["email"] as? String == email }
        }

        /// A link from a mail, as a path on this server (the links carry the public address).
        func path(_ link: String) -> String {
            guard let url = URLComponents(string: link) else { return link }
            return url.path + (url.query.map { "?" + $0 } ?? "")
        }

        func stop() {
            server.stop()
            sink.stop()
            try? FileManager.default.removeItem(atPath: data)
        }
    }

    @Test func theWholeFlow_confirm_notify_manage_unsubscribe() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        let reader = "reader@example.test"

        // The page offers the form; posting it answers the same page for a new address and a known one.
        let page = String(decoding: try await setup.server.request("/status/acme").body, as: UTF8.self)
        #expect(page.contains("action=\"/status/acme/subscribe\""))
        let first = try await setup.subscribeByForm(reader)
        #expect(first.status == 202, "\(first.text)")
        let confirmation = try #require(await setup.sink.mails(to: reader, "the confirmation mail").first)
        #expect(confirmation.tls && confirmation.login == SMTPSink.user, "STARTTLS and AUTH were used")
        #expect(confirmation.envelopeFrom == "status@statusd.example")
        #expect(confirmation.headers["subject"]?.hasPrefix("Confirm your subscription") == true)
        #expect(confirmation.headers["message-id"]?.hasPrefix("<ntf_") == true)
        #expect(try await setup.subscriber(reader)?["state"] as? String == "unconfirmed")

        // A GET of the link shows a button and changes nothing; the POST confirms.
        let confirm = setup.path(try #require(confirmation.link("confirm"), "\(confirmation.text)"))
        let shown = try await setup.server.request(confirm)
        #expect(shown.status == 200 && String(decoding: shown.body, as: UTF8.self).contains("<form method=\"post\""))
        #expect(try await setup.subscriber(reader)?["state"] as? String == "unconfirmed")
        let confirmed = try await setup.server.request(confirm, method: "POST")
        #expect(confirmed.status == 200)
        #expect(try await setup.subscriber(reader)?["state"] as? String == "active")

        // Subscribing again: the same answer, a manage link mailed, nothing changed.
        let again = try await setup.subscribeByForm(reader)
        #expect(again.status == first.status && again.text == first.text)
        let manageMail = try #require(
            await setup.sink.mails(to: reader, atLeast: 2, "the manage mail").last)
        #expect(manageMail.headers["subject"]?.hasPrefix("Manage your subscription") == true)
        let manage = setup.path(try #require(manageMail.link("manage"), "\(manageMail.text)"))

        // An incident named in more than ASCII: the subject is written in RFC 2047 words. (A name with
        // a line break is refused by the engine; MailHeader's unit tests cover what would reach it.)
        let name = "Zahlungsausfall — API ✓"
        let created = try await setup.owner.call(
            "POST", "/api/incidents",
            [
                "name": name, "status": "investigating", "impact": "major", "body": "Payments fail: we look into it",
                "affected_services": [["service_id": setup.api, "status": "major_outage"]],
            ])
        #expect(created.status == 201, "\(created.text)")
        let notice = try #require(await setup.sink.mails(to: reader, atLeast: 3, "the incident mail").last)
        #expect(notice.recipients == [reader])
        #expect(notice.rawHeaders["subject"]?.hasPrefix("=?UTF-8?B?") == true)
        #expect(notice.headers["subject"]?.contains("Zahlungsausfall — API") == true)
        #expect(notice.text.contains("Payments fail: we look into it"))
        #expect(notice.html.contains("Payments fail: we look into it"))
        let unsubscribeLink = try #require(notice.link("unsubscribe"))
        #expect(notice.headers["list-unsubscribe"] == "<\(unsubscribeLink)>")
        #expect(notice.headers["list-unsubscribe-post"] == "List-Unsubscribe=One-Click")
        #expect(notice.headers["message-id"]?.hasPrefix("<ntf_") == true)
        #expect(notice.headers["from"]?.contains("<status@statusd.example>") == true)

        // The manage link chooses services: Web only; an incident on API then reaches nobody.
        let saved = try await setup.server.request(
            manage, method: "POST", headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: Data("components[]=\(setup.web)".utf8))
        #expect(saved.status == 200)
        #expect(try await setup.subscriber(reader)?["component_ids"] as? [String] == [setup.web])

        // A GET of the unsubscribe link changes nothing; the one-click POST (RFC 8058) unsubscribes.
        let unsubscribe = setup.path(unsubscribeLink)
        _ = try await setup.server.request(unsubscribe)
        #expect(try await setup.subscriber(reader) != nil)
        let done = try await setup.server.request(
            unsubscribe, method: "POST", headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: Data("List-Unsubscribe=One-Click".utf8))
        #expect(done.status == 200)
        #expect(try await setup.subscriber(reader) == nil)
    }

    @Test func aRefusedAddress_isQuarantined_aDeferredOneRetried_andBadInputRefused() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        for email in ["refused@example.test", "deferred@example.test", "fine@example.test"] {
            let added = try await setup.owner.call(
                "POST", "/api/subscribers", ["type": "email", "email": email, "skip_confirmation_notification": true])
            #expect(added.status == 201, "\(added.text)")
        }
        _ = try await setup.owner.call(
            "POST", "/api/incidents",
            [
                "name": "Slow", "status": "investigating", "impact": "minor", "body": "Slow pages",
                "affected_services": [["service_id": setup.web, "status": "degraded_performance"]],
            ])
        _ = await setup.sink.mails(to: "fine@example.test", "the mail to the address that takes it")
        // A 550 to RCPT TO quarantines at once; a 451 is retried (and after 10 attempts quarantined too).
        var refused: [String: Any]? = nil
        #expect(
            await eventually("the refused address quarantined") {
                refused = try await setup.subscriber("refused@example.test")
                return refused?["state"] as? String == "quarantined"
            })
        #expect((refused?["quarantine_reason"] as? String)?.contains("550") == true, "\(refused ?? [:])")
        #expect(
            await eventually("the deferred address quarantined after its retries", within: 120) {
                try await setup.subscriber("deferred@example.test")?["state"] as? String == "quarantined"
            })

        // Bad input on the public form and its JSON twin: no address, a wrong one, a page that
        // does not exist, too many for one address.
        #expect(try await setup.subscribeByForm("").status == 422)
        #expect(try await setup.subscribeByForm("not an address").status == 422)
        let missing = try await setup.server.request(
            "/status/nobody/subscribe", method: "POST",
            headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Data("email=a%40b.test".utf8))
        #expect(missing.status == 404)
        let json = try await setup.server.request(
            "/api/status/acme/subscriptions", method: "POST", headers: ["Content-Type": "application/json"],
            body: Data(#"{"email": "json@example.test"}"#.utf8))
        #expect(json.status == 202)
        var statuses: [Int] = []
        for _ in 0..<6 { statuses.append(try await setup.subscribeByForm("victim@example.test").status) }
        #expect(statuses.prefix(5).allSatisfy { $0 == 202 } && statuses.last == 429, "\(statuses)")
    }

    @Test func aMailServerThatCannotBeUsed_pausesMail_quarantinesNobody_andEveryoneIsToldWhenItIsBack() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        let away = setup.sink.spool + "/away"
        #expect(FileManager.default.createFile(atPath: away, contents: Data()))
        let readers = (1...12).map { "reader\($0)@example.test" }
        try await setup.confirmedReaders(readers)
        try await setup.postOutageOfTheAPI()
        // The server takes no mail (421 to every sender): mail pauses, the admin is told why, and
        // /metrics says so.
        let refused = setup.sink.spool + "/refused-senders"
        // A try costs at most one mail per connection (4), and each try sends the same first mails: past
        // 40 refusals, the first readers were tried more than the 10 times that quarantine an address
        // whose own mails fail.
        #expect(
            await eventually("more than ten tries of the mail server", within: 120) {
                let lines = (try? String(contentsOfFile: refused, encoding: .utf8)) ?? ""
                return lines.split(separator: "\n").count > 40
            })
        let metrics = String(decoding: try await setup.server.request("/metrics").body, as: UTF8.self)
        #expect(metrics.contains("statusd_notifications_mail_paused 1"), "\(metrics.suffix(2_000))")
        let entry = try await setup.owner.call("GET", "/api/notifications").items.first {
            $0["kind"] as? String == "incident"
        }
        let reasons = (entry?["failures"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
        #expect(reasons.contains { $0.contains("mail server is unavailable") }, "\(reasons)")
        for email in readers {
            #expect(try await setup.subscriber(email)?["state"] as? String == "active", "\(email): not its fault")
        }

        // Back: every reader is told, at least once, a repeat only with the same Message-ID.
        try FileManager.default.removeItem(atPath: away)
        for email in readers {
            let mails = await setup.sink.mails(to: email, "the incident's mail to \(email)")
            #expect(Set(mails.compactMap { $0.headers["message-id"] }).count == 1, "\(email): one Message-ID")
            #expect(try await setup.subscriber(email)?["state"] as? String == "active")
        }
        #expect(
            await eventually("the pause over in /metrics") {
                String(decoding: try await setup.server.request("/metrics").body, as: UTF8.self)
                    .contains("statusd_notifications_mail_paused 0")
            })
    }

    @Test func killedDuringAMailBurst_everyAddressIsToldAtLeastOnce_withOneMessageIDEach() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        let readers = (0..<300).map { "reader\($0)@example.test" }
        try await setup.confirmedReaders(readers)
        try await setup.postOutageOfTheAPI()
        await eventually("the burst under way") { setup.sink.received().count >= 20 }
        kill(setup.server.process.processIdentifier, SIGKILL)
        setup.server.process.waitUntilExit()
        let restarted = try StatusdProcess(
            arguments: Setup.arguments(setup.sink), dataDirectory: URL(fileURLWithPath: setup.data),
            environment: SMTPSink.environment)
        defer { restarted.stop() }
        #expect(
            await eventually("every address told", within: 120) {
                Set(setup.sink.received().flatMap(\.recipients)).isSuperset(of: readers)
            })
        let received = setup.sink.received().filter { !Set($0.recipients).isDisjoint(with: readers) }
        var ids: [String: Set<String>] = [:]
        for mail in received {
            for reader in mail.recipients { ids[reader, default: []].insert(mail.headers["message-id"] ?? "") }
        }
        #expect(ids.values.allSatisfy { $0.count == 1 }, "a repeat carries the same Message-ID")
        let repeats = received.count - readers.count
        #expect(repeats <= 256, "at most one batch is sent again")
        print("kill -9 during a burst of 300 mails: \(repeats) repeats")
    }
}
