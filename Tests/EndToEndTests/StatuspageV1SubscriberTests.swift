import Foundation
import TestSupport
import Testing

/// The subscriber routes of Statuspage's management API v1, driven by
/// `Scripts/statuspage_v1_subscribers.py` with every answer held to `Schemas/statuspage-v1`, on a
/// statusd that mails through a real SMTP server: a subscriber created without
/// `skip_confirmation_notification` is mailed its link, and so is every resend.
@Suite struct StatuspageV1SubscriberTests {
    @Test func v1Subscribers_listCountChangeAndMail_asStatuspageDocumentsThem() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let data = OperatorCommandTests.temporary("v1-subscribers")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let owner = APIClient(token: try TwoTenants.createOrganization("acme", data: data))
        let stranger = APIClient(token: try TwoTenants.createOrganization("globex", data: data))
        let server = try StatusdProcess(
            arguments: ["--fsync", "none", "--public-url", "https://status.acme.example"] + sink.arguments,
            dataDirectory: URL(fileURLWithPath: data), environment: SMTPSink.environment)
        defer { server.stop() }
        owner.server = server
        stranger.server = server

        let admin = try #require(
            try await owner.call("POST", "/api/keys", ["name": "v1", "role": "admin"]).json["token"] as? String)
        let editor = try #require(
            try await owner.call("POST", "/api/keys", ["name": "ed", "role": "editor"]).json["token"] as? String)
        let api = try #require(try await owner.call("POST", "/api/services", ["name": "API"]).json["id"] as? String)
        let web = try #require(try await owner.call("POST", "/api/services", ["name": "Web"]).json["id"] as? String)
        let incident = try #require(
            try await owner.call("POST", "/api/incidents", ["name": "Slow", "body": "Looking"]).json["id"] as? String)
        let foreign = try #require(
            try await stranger.call(
                "POST", "/api/subscribers",
                ["type": "webhook", "endpoint": "https://hooks.globex.example/x", "contact_email": "o@globex.example"]
            ).json["id"] as? String)

        let result = try await StatuspageTests.read(
            server, script: "statuspage_v1_subscribers.py", "acme", admin, editor, api, web, incident, foreign)
        #expect((result["problems"] as? [String]) == [], "\(result["problems"] ?? "")")
        #expect((result["checks"] as? Int ?? 0) > 80, "the client ran to its end")

        // Created, resent alone, resent in bulk: three confirmation mails, each with a working link.
        let waiting = try #require(result["waiting"] as? String)
        let mails = await sink.mails(to: waiting, atLeast: 3, "three confirmation mails")
        #expect(mails.count == 3)
        #expect(mails.allSatisfy { $0.headers["subject"]?.hasPrefix("Confirm your subscription") == true })
        #expect(mails.allSatisfy { $0.link("confirm") != nil })
        // Mail goes out in the order it was asked for: by the third mail to the waiting address, a
        // confirmation for the subscriber added after it with skip_confirmation_notification would be there.
        let active = try #require(result["active"] as? String)
        #expect(sink.received().filter { $0.recipients.contains(active) }.isEmpty, "skip_confirmation_notification")
    }
}
