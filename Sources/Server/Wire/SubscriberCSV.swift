package import Engine
import Foundation

/// An organization's subscribers as CSV (RFC 4180: CRLF lines, fields quoted when they hold a comma,
/// a quote or a line break), for the admin's export. The address is what the API shows: a URL
/// subscriber's endpoint is a bearer secret and appears masked. A field a spreadsheet would read as a
/// formula (`=`, `+`, `-`, `@`, tab, carriage return first) is prefixed with `'` (OWASP's advice on
/// CSV injection): an address is chosen by whoever subscribed.
package enum SubscriberCSV {
    package static let columns = [
        "id", "type", "state", "address", "contact_email", "component_ids", "incident_id", "created_at",
        "confirmed_at", "quarantined_at", "purge_at",
    ]

    package static func render(_ subscribers: some Sequence<Subscriber>) -> [UInt8] {
        var text = line(columns)
        for subscriber in subscribers {
            text += line([
                subscriber.id.rawValue, subscriber.channel.rawValue, subscriber.state.rawValue,
                SubscriberBody.shownAddress(subscriber),
                subscriber.contactEmail ?? "", subscriber.components.map(\.rawValue).joined(separator: " "),
                subscriber.incident?.rawValue ?? "", time(subscriber.createdAt), time(subscriber.confirmedAt),
                time(subscriber.quarantinedAt), time(subscriber.purgeAt),
            ])
        }
        return Array(text.utf8)
    }

    private static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    package static func field(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func time(_ date: Date?) -> String {
        date.map { $0.formatted(.iso8601) } ?? ""
    }
}
