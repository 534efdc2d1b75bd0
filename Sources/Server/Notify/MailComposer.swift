import Auth
import Engine
import Foundation
import Mail
import Mustache
import Wire

/// The mails statusd writes: a notification to an email subscriber, and the mails about a subscription
/// (confirm, manage, quarantined), from templates in `Resources/` (a text part and an HTML part each;
/// the HTML escapes every value). The sender is the operator's address with the page's name beside it.
package struct MailComposer: Sendable {
    /// `smtp-from`: the address every mail comes from.
    let from: String
    private let library: MustacheLibrary

    package init(from: String) throws {
        self.from = from
        var library = MustacheLibrary()
        for (name, bytes) in [
            ("notice.txt", PackageResources.mail_notice_txt_mustache),
            ("notice.html", PackageResources.mail_notice_html_mustache),
            ("subscription.txt", PackageResources.mail_subscription_txt_mustache),
            ("subscription.html", PackageResources.mail_subscription_html_mustache),
        ] {
            try library.register(MustacheTemplate(string: String(decoding: bytes, as: UTF8.self)), named: name)
        }
        self.library = library
    }

    /// A subscriber's link for a purpose (made only for the links a mail carries: each is an HMAC).
    typealias Link = (SubscriptionLinks.Purpose) -> String

    /// A notification's mail rendered once for all its recipients: the text and HTML with a marker where
    /// each subscriber's address and links go, cut at the markers. Rendering the templates per recipient
    /// was a fifth of a mail's CPU (BENCHMARKS.md, "Email").
    struct PreparedNotice: Sendable {
        /// What differs per recipient.
        enum Field: Int, CaseIterable, Sendable {
            case address, manageURL, unsubscribeURL
        }

        enum Piece: Sendable {
            case literal(String)
            case field(Field)
        }

        let from: String
        let fromName: String
        let subject: String
        let text: [Piece]
        let html: [Piece]

        func mail(to subscriber: Subscriber, link: Link, messageID: String) -> MailMessage {
            let manage = link(.manage)
            let unsubscribe = link(.unsubscribe)
            func value(_ field: Field, html: Bool) -> String {
                let value =
                    switch field {
                    case .address: subscriber.address
                    case .manageURL: manage
                    case .unsubscribeURL: unsubscribe
                    }
                return html ? MailComposer.htmlEscaped(value) : value
            }
            func joined(_ pieces: [Piece], html: Bool) -> String {
                var text = ""
                for piece in pieces {
                    switch piece {
                    case .literal(let literal): text += literal
                    case .field(let field): text += value(field, html: html)
                    }
                }
                return text
            }
            return MailMessage(
                from: from, fromName: fromName, to: subscriber.address, subject: subject, messageID: messageID,
                headers: [
                    ("Auto-Submitted", "auto-generated"),
                    // RFC 2369 and RFC 8058: mail clients offer "unsubscribe", and POST it in one click.
                    ("List-Unsubscribe", "<\(unsubscribe)>"),
                    ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                ],
                text: joined(text, html: false), html: joined(html, html: true))
        }
    }

    /// The mail about the page (an incident, a window) that every email subscriber of `content` gets.
    func prepare(_ content: NoticeContent) -> PreparedNotice {
        // Markers no template text or tenant value can contain (a fresh UUID), and that neither
        // escaping changes (letters and digits).
        let nonce = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let markers = PreparedNotice.Field.allCases.map { ($0, "statusdfield\($0.rawValue)x\(nonce)") }
        var model = model(content)
        for (field, marker) in markers {
            switch field {
            case .address: model["address"] = marker
            case .manageURL: model["manageURL"] = marker
            case .unsubscribeURL: model["unsubscribeURL"] = marker
            }
        }
        func pieces(_ rendered: String) -> [PreparedNotice.Piece] {
            var pieces: [PreparedNotice.Piece] = []
            var rest = Substring(rendered)
            while true {
                let next = markers.compactMap { field, marker in rest.range(of: marker).map { (field, $0) } }
                    .min { $0.1.lowerBound < $1.1.lowerBound }
                guard let (field, range) = next else { break }
                pieces.append(.literal(String(rest[..<range.lowerBound])))
                pieces.append(.field(field))
                rest = rest[range.upperBound...]
            }
            pieces.append(.literal(String(rest)))
            return pieces
        }
        return PreparedNotice(
            from: from, fromName: content.pageName, subject: "[\(content.pageName)] \(content.title)",
            text: pieces(library.render(model, withTemplate: "notice.txt") ?? content.text),
            html: pieces(library.render(model, withTemplate: "notice.html") ?? ""))
    }

    /// A mail about one subscription (confirm, manage, quarantined): one recipient, rendered for it.
    /// Nil for a notice about the page, or a webhook without a contact.
    func subscriptionMail(_ content: NoticeContent, to subscriber: Subscriber, link: Link, messageID: String)
        -> MailMessage?
    {
        guard case .subscription(let kind) = content.subject else { return nil }
        var model = model(content)
        model["heading"] = content.title
        let to: String
        var headers: [(String, String)] = [("Auto-Submitted", "auto-generated")]
        switch kind {
        case .confirm:
            to = subscriber.address
            model["message"] =
                "Someone, probably you, asked to be told by email about incidents and maintenance on "
                + "\(content.pageName)'s status page. Nothing is sent until you confirm."
            model["button"] = "Confirm the subscription"
            model["actionURL"] = link(.confirm)
            model["footnote"] =
                "If it was not you, ignore this mail: the request is forgotten after 90 days."
        case .manage:
            to = subscriber.address
            model["message"] =
                "This address asked to subscribe to \(content.pageName)'s status page again. It is "
                + "subscribed already; here you can choose what you hear about, or unsubscribe."
            model["button"] = "Manage the subscription"
            model["actionURL"] = link(.manage)
            let unsubscribe = link(.unsubscribe)
            model["unsubscribeURL"] = unsubscribe
            headers.append(("List-Unsubscribe", "<\(unsubscribe)>"))
            headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
            model["footnote"] = "If it was not you, ignore this mail: nothing was changed."
        case .quarantined:
            guard let contact = subscriber.contactEmail else { return nil }
            to = contact
            model["message"] =
                "\(content.pageName) could not deliver to the webhook at "
                + "\(SubscriberBody.masked(subscriber.address)) and stopped sending to it. "
                + "The last failure: \(content.text)"
            model["button"] = "View the status page"
            model["actionURL"] = content.pageURL
            model["footnote"] =
                "An admin of the page can reactivate it once it answers again; it is deleted after 90 days."
        }
        return MailMessage(
            from: from, fromName: content.pageName, to: to, subject: content.title, messageID: messageID,
            headers: headers, text: library.render(model, withTemplate: "subscription.txt") ?? content.text,
            html: library.render(model, withTemplate: "subscription.html"))
    }

    /// What every mail's templates are given.
    private func model(_ content: NoticeContent) -> [String: Any] {
        [
            "pageName": content.pageName, "pageURL": content.pageURL, "accent": content.accentColor,
            "title": content.title, "text": content.text, "time": Self.time(content.at),
        ]
    }

    /// An address in HTML text, as Mustache escapes values.
    static func htmlEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// `2026-12-03 09:26 UTC`: one unambiguous form, whatever the reader's zone.
    private static func time(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
            parts.hour ?? 0, parts.minute ?? 0)
    }
}
