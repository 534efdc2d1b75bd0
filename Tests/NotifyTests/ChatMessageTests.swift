import Engine
import Foundation
import Testing

@testable import Notify

/// Chat messages stay within each platform's limits, cutting long texts visibly.
@Suite struct ChatMessageTests {
    static func content(text: String) throws -> NoticeContent {
        var state = OrgState(id: .random())
        let service = Service(
            id: .random(), name: "API", description: "", status: .operational, statusReason: .created, groupID: nil,
            position: 0, createdAt: Date(), updatedAt: Date())
        let update = IncidentUpdate(
            id: .random(), status: .investigating, body: text, author: .system, createdAt: Date())
        let incident = Incident(
            id: .random(), name: "Outage <@everyone>", status: .investigating, impact: .major,
            affected: [AffectedService(serviceID: service.id, status: .majorOutage)], updates: [update],
            createdAt: Date(), updatedAt: Date(), resolvedAt: nil)
        for (seq, change) in [
            OrgChange.organizationCreated(
                state.id, OrgSettings(slug: "acme", name: "Acme", timeZone: "UTC"),
                owner: Member(id: .random(), accountID: .random(), role: .owner, joinedAt: Date())),
            .serviceCreated(service), .incidentCreated(incident),
        ].enumerated() {
            state.evolve(OrgEvent(seq: Seq(UInt64(seq + 1)), at: Date(), by: .system, change: change))
        }
        let notice = PendingNotice(seq: Seq(9), subject: .incident(incident.id, update.id), at: Date())
        return try #require(NoticeContent(notice, org: state, publicURL: "https://status.example"))
    }

    @Test func longTexts_areCutVisibly_withinEachLimit() throws {
        let content = try Self.content(text: String(repeating: "a long update ", count: 2_000))
        let discord = try #require(
            try JSONSerialization.jsonObject(with: Data(ChatMessage.discord(content))) as? [String: Any])
        let embed = try #require((discord["embeds"] as? [[String: Any]])?.first)
        let description = try #require(embed["description"] as? String)
        #expect(description.count == ChatMessage.discordDescriptionLimit && description.hasSuffix("… (truncated)"))
        #expect((discord["content"] as? String).map { $0.count <= ChatMessage.discordContentLimit } == true)
        #expect((discord["allowed_mentions"] as? [String: Any])?["parse"] as? [String] == [])
        let slack = try #require(
            try JSONSerialization.jsonObject(with: Data(ChatMessage.slack(content))) as? [String: Any])
        let section = try #require((slack["blocks"] as? [[String: Any]])?.first?["text"] as? [String: Any])
        let text = try #require(section["text"] as? String)
        #expect(text.count <= ChatMessage.slackSectionLimit && text.contains("… (truncated)"))
        #expect(text.contains("&lt;@everyone&gt;"))
        let teams = try #require(
            try JSONSerialization.jsonObject(with: Data(ChatMessage.teams(content))) as? [String: Any])
        let attachment = try #require((teams["attachments"] as? [[String: Any]])?.first)
        #expect(attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
        #expect((attachment["content"] as? [String: Any])?["type"] as? String == "AdaptiveCard")
    }

    @Test func shortTexts_areLeftWhole() throws {
        let content = try Self.content(text: "We are looking into it.")
        let discord = try #require(
            try JSONSerialization.jsonObject(with: Data(ChatMessage.discord(content))) as? [String: Any])
        #expect((discord["embeds"] as? [[String: Any]])?.first?["description"] as? String == "We are looking into it.")
    }
}
