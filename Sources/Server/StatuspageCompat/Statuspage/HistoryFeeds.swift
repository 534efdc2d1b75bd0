package import Engine
package import Foundation
import HTTP
import HashTreeCollections
import Mustache
import Wire

/// An organization's history as RSS 2.0 and Atom 1.0, one item per incident or maintenance update,
/// newest first, as Statuspage's `history.rss` and `history.atom` are read by chat bots and feed
/// readers. Two small Mustache templates (`Resources/feed.rss.mustache`, `feed.atom.mustache`) need no
/// XML library, only escaping (and the removal of characters XML 1.0 cannot carry, which user text
/// may hold).
package struct HistoryFeeds {
    /// One update on the feed.
    package struct Item {
        package let id: String
        package let title: String
        package let body: String
        package let link: String
        package let at: Date
    }

    package static let itemsMax = 100

    package let state: OrgState
    package let pageURL: String
    package let items: [Item]

    package init(_ state: OrgState, baseURL: String) {
        self.state = state
        pageURL = baseURL + "/status/" + state.settings.slug
        var items: [Item] = []
        for incident in state.incidents.values {
            for update in incident.updates {
                items.append(
                    Item(
                        id: update.id.rawValue, title: "\(incident.name): \(Self.words(update.status.rawValue))",
                        body: update.body, link: pageURL + "/incidents/" + incident.id.rawValue, at: update.createdAt))
            }
        }
        for window in state.maintenance.values {
            for update in window.updates {
                items.append(
                    Item(
                        id: update.id.rawValue, title: "\(window.name): \(Self.words(update.status.rawValue))",
                        body: update.body, link: pageURL + "/maintenance/" + window.id.rawValue, at: update.createdAt))
            }
        }
        self.items = Array(items.sorted { ($0.at, $0.id) > ($1.at, $1.id) }.prefix(Self.itemsMax))
    }

    package var rss: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        // RSS readers show the description as HTML, so the text is escaped once for HTML and once
        // more for the XML that carries it.
        return Self.rssTemplate.render(
            document(updated: formatter.string(from: lastUpdate)) {
                ["at": formatter.string(from: $0.at), "body": Self.escape(Self.escape($0.body))]
            })
    }

    package var atom: String {
        Self.atomTemplate.render(
            document(updated: Self.time(lastUpdate)) { ["at": Self.time($0.at), "body": Self.escape($0.body)] })
    }

    /// The templates' values, every one escaped for XML here: the templates insert them as they are
    /// (`{{{...}}}`), since Mustache's own escaping is HTML's, not XML 1.0's.
    private func document(updated: String, _ dated: (Item) -> [String: String]) -> [String: Any] {
        [
            "name": Self.escape(state.settings.name), "pageURL": Self.escape(pageURL), "updated": updated,
            "items": items.map { item in
                ["id": Self.escape(item.id), "title": Self.escape(item.title), "link": Self.escape(item.link)]
                    .merging(dated(item)) { $1 }
            },
        ]
    }

    private static let rssTemplate = template(PackageResources.feed_rss_mustache)
    private static let atomTemplate = template(PackageResources.feed_atom_mustache)

    /// A template compiled into the binary; one that does not compile is a programming error.
    static func template(_ bytes: [UInt8]) -> MustacheTemplate {
        do {
            return try MustacheTemplate(string: String(decoding: bytes, as: UTF8.self))
        } catch {
            preconditionFailure("a template in StatuspageCompat/Resources does not compile: \(error)")
        }
    }

    /// The newest update, or the organization's last change when there is none.
    private var lastUpdate: Date { items.first?.at ?? state.updatedAt }

    private static func time(_ date: Date) -> String { date.formatted(.iso8601) }

    /// `in_progress` -> `In progress`.
    private static func words(_ status: String) -> String {
        let spaced = status.replacingOccurrences(of: "_", with: " ")
        return spaced.prefix(1).uppercased() + spaced.dropFirst()
    }

    /// Text for an XML (or HTML) element or attribute: the five special characters escaped, and the
    /// characters XML 1.0 does not allow (most control characters) dropped. RSS's `description` is
    /// HTML inside XML, so a body is escaped twice there: readers show the text people wrote, never
    /// markup.
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value): continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
