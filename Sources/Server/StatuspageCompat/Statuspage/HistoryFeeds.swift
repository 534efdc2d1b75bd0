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
                ["at": formatter.string(from: $0.at), "body": XMLMarkup.escape(XMLMarkup.escape($0.body))]
            })
    }

    package var atom: String {
        Self.atomTemplate.render(
            document(updated: Self.time(lastUpdate)) { ["at": Self.time($0.at), "body": XMLMarkup.escape($0.body)] })
    }

    /// The templates' values, every one escaped for XML here: the templates insert them as they are
    /// (`{{{...}}}`), since Mustache's own escaping is HTML's, not XML 1.0's.
    private func document(updated: String, _ dated: (Item) -> [String: String]) -> [String: Any] {
        [
            "name": XMLMarkup.escape(state.settings.name), "pageURL": XMLMarkup.escape(pageURL), "updated": updated,
            "items": items.map { item in
                [
                    "id": XMLMarkup.escape(item.id), "title": XMLMarkup.escape(item.title),
                    "link": XMLMarkup.escape(item.link),
                ]
                .merging(dated(item)) { $1 }
            },
        ]
    }

    private static let rssTemplate = XMLMarkup.template(PackageResources.feed_rss_mustache)
    private static let atomTemplate = XMLMarkup.template(PackageResources.feed_atom_mustache)

    /// The newest update, or the organization's last change when there is none.
    private var lastUpdate: Date { items.first?.at ?? state.updatedAt }

    private static func time(_ date: Date) -> String { date.formatted(.iso8601) }

    /// `in_progress` -> `In progress`.
    private static func words(_ status: String) -> String {
        let spaced = status.replacingOccurrences(of: "_", with: " ")
        return spaced.prefix(1).uppercased() + spaced.dropFirst()
    }
}
