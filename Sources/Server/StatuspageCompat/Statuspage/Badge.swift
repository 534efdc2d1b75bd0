package import Engine
import Foundation
import HTTP
import Mustache
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

    /// shields.io's flat badge (`Resources/badge.svg.mustache`), its values escaped for XML here.
    package var svg: String {
        let labelWidth = Self.width(label)
        let messageWidth = Self.width(message)
        let width = labelWidth + messageWidth
        let values: [String: Any] = [
            "width": width, "labelWidth": labelWidth, "messageWidth": messageWidth, "color": color,
            "labelCenter": labelWidth / 2, "messageCenter": labelWidth + messageWidth / 2,
            "text": XMLMarkup.escape(label + ": " + message), "label": XMLMarkup.escape(label),
            "message": XMLMarkup.escape(message),
        ]
        return Self.template.render(values)
    }

    private static let template = XMLMarkup.template(PackageResources.badge_svg_mustache)

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
