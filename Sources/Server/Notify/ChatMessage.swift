import Engine
import Foundation

/// Slack, Microsoft Teams and Discord messages, each within its platform's limits: a text past a limit
/// is cut and ends with a visible "… (truncated)", never rejected by the platform.
enum ChatMessage {
    /// Slack's limit for a section block's text.
    static let slackSectionLimit = 3_000
    /// Discord's limits for a message's content, an embed's title and an embed's description.
    static let discordContentLimit = 2_000
    static let discordTitleLimit = 256
    static let discordDescriptionLimit = 4_096
    /// Teams accepts about 28 KB per card; the text is kept well below it.
    static let teamsTextLimit = 20_000

    /// An incoming-webhook message: a plain `text` (notifications and old clients) and one section.
    static func slack(_ content: NoticeContent) throws -> [UInt8] {
        let heading = "*\(slackEscaped(content.pageName))*: \(slackEscaped(content.title))"
        let link = "<\(content.pageURL)|View the status page>"
        let text = truncated(heading + "\n" + slackEscaped(content.text), to: slackSectionLimit - link.count - 1)
        let message: [String: Any] = [
            "text": truncated(heading, to: slackSectionLimit),
            "blocks": [["type": "section", "text": ["type": "mrkdwn", "text": text + "\n" + link]]],
        ]
        return try json(message)
    }

    /// A Workflows webhook message carrying an Adaptive Card (the old Office 365 connectors are retired).
    static func teams(_ content: NoticeContent) throws -> [UInt8] {
        let card: [String: Any] = [
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard", "version": "1.4",
            "body": [
                ["type": "TextBlock", "text": content.pageName, "size": "Small", "isSubtle": true, "wrap": true],
                ["type": "TextBlock", "text": truncated(content.title, to: 500), "weight": "Bolder", "wrap": true],
                ["type": "TextBlock", "text": truncated(content.text, to: teamsTextLimit), "wrap": true],
            ],
            "actions": [["type": "Action.OpenUrl", "title": "View the status page", "url": content.pageURL]],
        ]
        let message: [String: Any] = [
            "type": "message",
            "attachments": [["contentType": "application/vnd.microsoft.card.adaptive", "content": card]],
        ]
        return try json(message)
    }

    /// An incoming-webhook message with one embed; mentions are switched off (`allowed_mentions`), so an
    /// update's text can never ping `@everyone`.
    static func discord(_ content: NoticeContent) throws -> [UInt8] {
        var embed: [String: Any] = [
            "title": truncated(content.title, to: discordTitleLimit),
            "description": truncated(content.text, to: discordDescriptionLimit),
            "url": content.pageURL,
            "footer": ["text": truncated(content.pageName, to: 2_048)],
        ]
        if let accent = content.accent { embed["color"] = accent }
        let message: [String: Any] = [
            "content": truncated("\(content.pageName): \(content.title)", to: discordContentLimit),
            "embeds": [embed],
            "allowed_mentions": ["parse": [String]()],
        ]
        return try json(message)
    }

    /// `text` cut to at most `limit` characters, ending with a visible mark when cut.
    static func truncated(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        let mark = "… (truncated)"
        return String(text.prefix(max(0, limit - mark.count))) + mark
    }

    /// Slack's three control characters in mrkdwn, escaped as Slack documents.
    private static func slackEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    private static func json(_ value: [String: Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]))
    }
}
