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

    /// The per-subscriber links a mail carries.
    struct Links {
        let confirm: String
        let manage: String
        let unsubscribe: String
    }

    /// The mail for `content` to `subscriber`, or nil when there is none (a subscription mail to a
    /// webhook without a contact).
    func mail(_ content: NoticeContent, to subscriber: Subscriber, links: Links, messageID: String) -> MailMessage? {
        var model: [String: Any] = [
            "pageName": content.pageName, "pageURL": content.pageURL, "accent": content.accentColor,
            "title": content.title, "text": content.text, "time": Self.time(content.at),
        ]
        let to: String
        var headers: [(String, String)] = [("Auto-Submitted", "auto-generated")]
        let template: String
        switch content.subject {
        case .incident, .component:
            to = subscriber.address
            template = "notice"
            model["address"] = subscriber.address
            model["manageURL"] = links.manage
            model["unsubscribeURL"] = links.unsubscribe
            // RFC 2369 and RFC 8058: mail clients offer "unsubscribe", and POST it in one click.
            headers.append(("List-Unsubscribe", "<\(links.unsubscribe)>"))
            headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        case .subscription(let kind):
            template = "subscription"
            model["heading"] = content.title
            switch kind {
            case .confirm:
                to = subscriber.address
                model["message"] =
                    "Someone, probably you, asked to be told by email about incidents and maintenance on "
                    + "\(content.pageName)'s status page. Nothing is sent until you confirm."
                model["button"] = "Confirm the subscription"
                model["actionURL"] = links.confirm
                model["footnote"] =
                    "If it was not you, ignore this mail: the request is forgotten after 90 days."
            case .manage:
                to = subscriber.address
                model["message"] =
                    "This address asked to subscribe to \(content.pageName)'s status page again. It is "
                    + "subscribed already; here you can choose what you hear about, or unsubscribe."
                model["button"] = "Manage the subscription"
                model["actionURL"] = links.manage
                model["unsubscribeURL"] = links.unsubscribe
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
        }
        return MailMessage(
            from: from, fromName: content.pageName, to: to,
            subject: content.aboutThePage ? "[\(content.pageName)] \(content.title)" : content.title,
            messageID: messageID, headers: headers,
            text: library.render(model, withTemplate: template + ".txt") ?? content.text,
            html: library.render(model, withTemplate: template + ".html"))
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
