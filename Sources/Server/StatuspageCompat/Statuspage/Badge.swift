import Auth
package import Engine
import Foundation
import HTTP
package import Wire

/// A status badge: a label, a message and a colour, drawn as a flat SVG in shields.io's style (for a
/// README or a wiki) or given as shields.io's endpoint JSON (for those who render badges with shields).
package struct Badge {
    package let label: String
    package let message: String
    /// `#rrggbb`.
    package let color: String

    /// The page indicator's badge.
    package init(page status: PageStatus) {
        label = "status"
        message = status.description.lowercased()
        color = Self.color(status.indicator)
    }

    /// A service's badge, with its uptime when given (a fraction).
    package init(service: Service, uptime: Double?) {
        label = service.name
        var message = service.status.rawValue.replacingOccurrences(of: "_", with: " ")
        if let uptime { message += String(format: " · %.2f%%", uptime * 100) }
        self.message = message
        color = Self.color(service.status)
    }

    /// shields.io's endpoint format (`https://img.shields.io/endpoint?url=...`).
    package var endpoint: JSONValue {
        ["schemaVersion": 1, "label": .string(label), "message": .string(message), "color": .string(color)]
    }

    package var svg: String {
        let labelWidth = Self.width(label)
        let messageWidth = Self.width(message)
        let width = labelWidth + messageWidth
        let text = HistoryFeeds.escape(label + ": " + message)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="20" role="img" aria-label="\(text)">\
            <title>\(text)</title>\
            <linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>\
            <stop offset="1" stop-opacity=".1"/></linearGradient>\
            <clipPath id="r"><rect width="\(width)" height="20" rx="3" fill="#fff"/></clipPath>\
            <g clip-path="url(#r)"><rect width="\(labelWidth)" height="20" fill="#555"/>\
            <rect x="\(labelWidth)" width="\(messageWidth)" height="20" fill="\(color)"/>\
            <rect width="\(width)" height="20" fill="url(#s)"/></g>\
            <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">\
            <text x="\(labelWidth / 2)" y="14">\(HistoryFeeds.escape(label))</text>\
            <text x="\(labelWidth + messageWidth / 2)" y="14">\(HistoryFeeds.escape(message))</text></g></svg>
            """
    }

    /// A text's width at 11 px Verdana, near enough: the widths of narrow, wide and other characters,
    /// plus the padding.
    private static func width(_ text: String) -> Int {
        var pixels = 0.0
        for character in text {
            switch character {
            case "i", "l", "j", "t", "f", "r", ".", ",", ":", ";", "'", "|", "!", " ": pixels += 4
            case "m", "w", "M", "W", "%", "@": pixels += 10
            case _ where character.isUppercase: pixels += 8
            default: pixels += 7
            }
        }
        return Int(pixels.rounded()) + 12
    }

    private static func color(_ indicator: PageStatus.Indicator) -> String {
        switch indicator {
        case .none: "#44cc11"
        case .minor: "#dfb317"
        case .major: "#fe7d37"
        case .critical: "#e05d44"
        case .maintenance: "#007ec6"
        }
    }

    private static func color(_ status: ServiceStatus) -> String {
        switch status {
        case .operational: "#44cc11"
        case .degradedPerformance: "#dfb317"
        case .partialOutage: "#fe7d37"
        case .majorOutage: "#e05d44"
        case .underMaintenance: "#007ec6"
        }
    }
}
