import Auth
package import Engine
package import Foundation
import HTTP
import HashTreeCollections
import Wire

/// An organization's history as RSS 2.0 and Atom 1.0, one item per incident or maintenance update,
/// newest first, as Statuspage's `history.rss` and `history.atom` are read by chat bots and feed
/// readers. Written as text: two small fixed documents need no XML library, only escaping (and the
/// removal of characters XML 1.0 cannot carry, which user text may hold).
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
        let name = Self.escape(state.settings.name)
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
            <channel>
            <title>\(name) status</title>
            <link>\(Self.escape(pageURL))</link>
            <description>\(name) status: incidents and maintenance</description>
            <atom:link href="\(Self.escape(pageURL))/feed.rss" rel="self" type="application/rss+xml"/>
            <lastBuildDate>\(formatter.string(from: lastUpdate))</lastBuildDate>

            """
        for item in items {
            out += """
                <item>
                <title>\(Self.escape(item.title))</title>
                <link>\(Self.escape(item.link))</link>
                <guid isPermaLink="false">\(Self.escape(item.id))</guid>
                <pubDate>\(formatter.string(from: item.at))</pubDate>
                <description>\(Self.escape(Self.escape(item.body)))</description>
                </item>

                """
        }
        return out + "</channel>\n</rss>\n"
    }

    package var atom: String {
        let name = Self.escape(state.settings.name)
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
            <id>\(Self.escape(pageURL))</id>
            <title>\(name) status</title>
            <updated>\(Self.time(lastUpdate))</updated>
            <link rel="alternate" type="text/html" href="\(Self.escape(pageURL))"/>
            <link rel="self" type="application/atom+xml" href="\(Self.escape(pageURL))/feed.atom"/>
            <author><name>\(name)</name></author>

            """
        for item in items {
            out += """
                <entry>
                <id>\(Self.escape(pageURL))#\(Self.escape(item.id))</id>
                <title>\(Self.escape(item.title))</title>
                <updated>\(Self.time(item.at))</updated>
                <link rel="alternate" type="text/html" href="\(Self.escape(item.link))"/>
                <content type="text">\(Self.escape(item.body))</content>
                </entry>

                """
        }
        return out + "</feed>\n"
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
