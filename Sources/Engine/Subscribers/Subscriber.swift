public import Foundation  // Date is part of the public values.

/// How a subscriber is told: the channels Statuspage offers, and the chat webhooks people use instead
/// of its Slack app (Microsoft Teams workflows, Discord).
public enum SubscriberChannel: String, CaseIterable, Hashable, Sendable, Codable {
    case email
    /// The model exists; sending needs a provider, so creating one is refused until one is configured.
    case sms
    case webhook
    case slack
    case teams
    case discord

    /// Whether the address is a URL statusd posts to (webhooks and chat); else an email address or a
    /// phone number.
    public var postsToURL: Bool {
        switch self {
        case .webhook, .slack, .teams, .discord: true
        case .email, .sms: false
        }
    }
}

/// Where a subscriber stands. Only `active` subscribers are notified.
public enum SubscriberState: String, CaseIterable, Hashable, Sendable, Codable {
    /// Subscribed through the public page; waits for the confirmation link (double opt-in).
    case unconfirmed
    case active
    /// Deliveries failed for good (a webhook's failure budget, an SMTP 5xx): nothing is sent until an
    /// admin or the subscriber reactivates it; purged after `SubscriberPolicy.purgeAfter`.
    case quarantined
}

/// One person or system told about an organization's incidents and maintenance.
///
/// The address of a URL channel (webhook, Slack, Teams, Discord) is a bearer secret, as is the signing
/// secret: the API masks both (the secret is shown once, when the subscriber is made).
public struct Subscriber: Hashable, Sendable, Codable, Identifiable {
    public let id: SubscriberID
    public let channel: SubscriberChannel
    /// An email address (lowercased), a phone number, or a URL.
    public let address: String
    /// Whom to tell when a webhook is quarantined (Statuspage's webhook contact email).
    public let contactEmail: String?
    /// The services this subscriber follows; empty follows every one.
    public var components: [ServiceID]
    /// Set when the subscriber follows one incident only.
    public let incident: IncidentID?
    public var state: SubscriberState
    /// HMAC-SHA256 key signing webhook bodies, when the subscriber asked for signatures.
    public let signingSecret: [UInt8]?
    public let createdAt: Date
    public var confirmedAt: Date?
    public var quarantinedAt: Date?
    /// Why deliveries stopped (for the admin; never an address or a body).
    public var quarantineReason: String?

    /// Every field, as the codec and tests build values.
    package init(
        id: SubscriberID, channel: SubscriberChannel, address: String, contactEmail: String?, components: [ServiceID],
        incident: IncidentID?, state: SubscriberState, signingSecret: [UInt8]?, createdAt: Date, confirmedAt: Date?,
        quarantinedAt: Date?, quarantineReason: String?
    ) {
        self.id = id
        self.channel = channel
        self.address = address
        self.contactEmail = contactEmail
        self.components = components
        self.incident = incident
        self.state = state
        self.signingSecret = signingSecret
        self.createdAt = createdAt
        self.confirmedAt = confirmedAt
        self.quarantinedAt = quarantinedAt
        self.quarantineReason = quarantineReason
    }

    /// When a quarantined subscriber is deleted for good.
    public var purgeAt: Date? {
        quarantinedAt.map { $0.addingTimeInterval(SubscriberPolicy.purgeAfter) }
    }

    /// The key two subscriptions of the same address share: one per channel, address and followed
    /// incident (subscribing again changes nothing).
    var addressKey: String { Self.addressKey(channel, address, incident) }

    static func addressKey(_ channel: SubscriberChannel, _ address: String, _ incident: IncidentID?) -> String {
        channel.rawValue + " " + address + (incident.map { " " + $0.rawValue } ?? "")
    }

    /// Whether a notice about `services` (empty: the whole page) reaches this subscriber's component
    /// choice. A subscriber following every component hears everything.
    func follows(_ services: [ServiceID]) -> Bool {
        components.isEmpty || services.isEmpty || services.contains(where: components.contains)
    }
}

/// A new subscriber as a command asks for it.
public struct SubscriberDraft: Sendable {
    public var channel: SubscriberChannel
    public var address: String
    public var contactEmail: String?
    public var components: [ServiceID]
    public var incident: IncidentID?
    /// Active at once (an admin adding someone, Statuspage's `skip_confirmation_notification`); a
    /// self-service subscription starts unconfirmed.
    public var confirmed: Bool
    public var signingSecret: [UInt8]?

    public init(
        channel: SubscriberChannel, address: String, contactEmail: String? = nil, components: [ServiceID] = [],
        incident: IncidentID? = nil, confirmed: Bool, signingSecret: [UInt8]? = nil
    ) {
        self.channel = channel
        self.address = address
        self.contactEmail = contactEmail
        self.components = components
        self.incident = incident
        self.confirmed = confirmed
        self.signingSecret = signingSecret
    }
}

/// The times of the subscriber life cycle, as Statuspage documents them.
public enum SubscriberPolicy {
    /// A confirmation link works this long; an unconfirmed subscriber is forgotten after it.
    public static let confirmationExpiry: TimeInterval = 90 * 86_400
    /// A quarantined subscriber is deleted this long after its quarantine.
    public static let purgeAfter: TimeInterval = 90 * 86_400
    /// At most this many subscribers per organization.
    public static let subscribersMax = 1_000_000
    /// At most this many subscribers in one bulk command (Statuspage's bulk routes take 100).
    public static let bulkMax = 1_000
    /// A signing secret's length in bytes, when given.
    public static let signingSecretBytes = 16...64
}
