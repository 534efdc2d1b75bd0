/// Which ways of subscribing an organization offers (Statuspage's `allow_*_subscribers`).
public struct SubscriptionSettings: Hashable, Sendable, Codable {
    /// Channels people may subscribe with; SMS is off until a provider exists.
    public var channels: Set<SubscriberChannel>
    /// Whether a subscriber may follow one incident only.
    public var allowIncidentSubscribers: Bool
    /// Whether a subscriber may choose components (else every subscriber follows the whole page).
    public var allowComponentSubscribers: Bool

    /// The default of a new organization: every channel but SMS, both kinds of choice.
    public init(
        channels: Set<SubscriberChannel> = [.email, .webhook, .slack, .teams, .discord],
        allowIncidentSubscribers: Bool = true, allowComponentSubscribers: Bool = true
    ) {
        self.channels = channels
        self.allowIncidentSubscribers = allowIncidentSubscribers
        self.allowComponentSubscribers = allowComponentSubscribers
    }
}
