import Auth
import Engine
import Foundation
import Mail
import Testing

@testable import Notify

/// A notification's mail is rendered once and filled in per recipient: each gets its own address and
/// links, escaped in the HTML, and no marker is ever left in a mail.
@Suite struct MailComposerTests {
    @Test func thePreparedMail_carriesEachRecipientsAddressAndLinks_escaped() throws {
        let content = try ChatMessageTests.content(text: "Payments <fail> & retry")
        let composer = try MailComposer(from: "status@example.test")
        let prepared = composer.prepare(content)
        let subscriber = Subscriber(
            id: .random(), channel: .email, address: "o'brien&co@example.test", contactEmail: nil, components: [],
            incident: nil, state: .active, signingSecret: nil, createdAt: Date(), confirmedAt: Date(),
            quarantinedAt: nil, quarantineReason: nil)
        let mail = prepared.mail(
            to: subscriber, link: { "https://status.example/\($0.rawValue)?token=t\(subscriber.id.rawValue)" },
            messageID: "ntf_1@status.example")
        #expect(mail.to == subscriber.address)
        #expect(mail.subject == "[Acme] Outage <@everyone>: investigating")
        #expect(mail.text.contains("as o'brien&co@example.test."))
        #expect(mail.text.contains("Unsubscribe: https://status.example/unsubscribe?token=t\(subscriber.id.rawValue)"))
        #expect(mail.text.contains("Payments <fail> & retry"))
        let html = try #require(mail.html)
        #expect(html.contains("o&#39;brien&amp;co@example.test"))
        #expect(html.contains("Payments &lt;fail&gt; &amp; retry"))
        #expect(html.contains("href=\"https://status.example/manage?token=t\(subscriber.id.rawValue)\""))
        #expect(!mail.text.contains("statusdfield") && !html.contains("statusdfield"))
        #expect(
            mail.headers.contains { $0 == "List-Unsubscribe" && $1.hasPrefix("<https://status.example/unsubscribe") })
    }
}
