package import Engine
package import Foundation
import HashTreeCollections

/// A subscriber as the API shows it to admins. The URL of a webhook, Slack, Teams or Discord
/// subscriber is a bearer secret (whoever holds it can post there): shown as its scheme and host only.
/// The signing secret is never shown, except once in the answer that made it.
package struct SubscriberBody: Encodable {
    package let id: String
    package let type: String
    package let state: String
    package let email: String?
    package let phoneNumber: String?
    package let endpoint: String?
    package let contactEmail: String?
    package let componentIds: [String]
    package let incidentId: String?
    package let signed: Bool
    package let signingSecret: String?
    package let createdAt: Date
    package let confirmedAt: Date?
    package let quarantinedAt: Date?
    package let quarantineReason: String?
    package let purgeAt: Date?

    package init(_ subscriber: Subscriber, signingSecret: String? = nil) {
        id = subscriber.id.rawValue
        type = subscriber.channel.rawValue
        state = subscriber.state.rawValue
        email = subscriber.channel == .email ? subscriber.address : nil
        phoneNumber = subscriber.channel == .sms ? subscriber.address : nil
        endpoint = subscriber.channel.postsToURL ? Self.masked(subscriber.address) : nil
        contactEmail = subscriber.contactEmail
        componentIds = subscriber.components.map(\.rawValue)
        incidentId = subscriber.incident?.rawValue
        signed = subscriber.signingSecret != nil
        self.signingSecret = signingSecret
        createdAt = subscriber.createdAt
        confirmedAt = subscriber.confirmedAt
        quarantinedAt = subscriber.quarantinedAt
        quarantineReason = subscriber.quarantineReason
        purgeAt = subscriber.purgeAt
    }

    /// A subscriber's address as the API, the export, the log and searches show it: an email address
    /// or phone number as it is, a URL masked.
    package static func shownAddress(_ subscriber: Subscriber) -> String {
        subscriber.channel.postsToURL ? masked(subscriber.address) : subscriber.address
    }

    /// `https://hooks.slack.com/…`: enough to recognise, nothing to post with.
    package static func masked(_ url: String) -> String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, let host = parsed.host else { return "…" }
        return "\(scheme)://\(host)/…"
    }

    /// Absent fields stay absent rather than null, except the dates a client filters on.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(state, forKey: .state)
        try container.encodeIfPresent(email, forKey: .email)
        try container.encodeIfPresent(phoneNumber, forKey: .phoneNumber)
        try container.encodeIfPresent(endpoint, forKey: .endpoint)
        try container.encodeIfPresent(contactEmail, forKey: .contactEmail)
        try container.encode(componentIds, forKey: .componentIds)
        try container.encode(incidentId, forKey: .incidentId)
        try container.encode(signed, forKey: .signed)
        try container.encodeIfPresent(signingSecret, forKey: .signingSecret)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(confirmedAt, forKey: .confirmedAt)
        try container.encode(quarantinedAt, forKey: .quarantinedAt)
        try container.encode(quarantineReason, forKey: .quarantineReason)
        try container.encode(purgeAt, forKey: .purgeAt)
    }

    private enum CodingKeys: String, CodingKey {
        case id, type, state, email, phoneNumber, endpoint, contactEmail, componentIds, incidentId, signed
        case signingSecret, createdAt, confirmedAt, quarantinedAt, quarantineReason, purgeAt
    }
}

/// How many subscribers an organization has, by state and by type: what editors may see.
package struct SubscriberCountsBody: Encodable {
    package let total: Int
    package let byState: [String: Int]
    package let byType: [String: Int]

    package init(_ state: OrgState) {
        var byState = Dictionary(uniqueKeysWithValues: SubscriberState.allCases.map { ($0.rawValue, 0) })
        var byType = Dictionary(uniqueKeysWithValues: SubscriberChannel.allCases.map { ($0.rawValue, 0) })
        for subscriber in state.subscribers.values {
            byState[subscriber.state.rawValue, default: 0] += 1
            byType[subscriber.channel.rawValue, default: 0] += 1
        }
        total = state.subscribers.count
        self.byState = byState
        self.byType = byType
    }
}

/// The page's subscription switches (Statuspage's `allow_*_subscribers`).
package struct SubscriptionSettingsBody: Encodable {
    package let types: [String]
    package let allowIncidentSubscribers: Bool
    package let allowComponentSubscribers: Bool

    package init(_ settings: SubscriptionSettings) {
        types = SubscriberChannel.allCases.filter(settings.channels.contains).map(\.rawValue)
        allowIncidentSubscribers = settings.allowIncidentSubscribers
        allowComponentSubscribers = settings.allowComponentSubscribers
    }
}
