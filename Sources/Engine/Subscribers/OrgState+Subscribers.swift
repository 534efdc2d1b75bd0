public import Foundation  // Date is part of the public signatures.
import HashTreeCollections

/// How many active subscribers each channel has.
public struct SubscriberTally: Hashable, Sendable {
    private var counts: [SubscriberChannel: Int] = [:]

    public init() {}

    public subscript(_ channel: SubscriberChannel) -> Int { counts[channel, default: 0] }
    public var total: Int { counts.values.reduce(0, +) }

    mutating func add(_ subscriber: Subscriber, _ delta: Int) {
        guard subscriber.state == .active else { return }
        let count = counts[subscriber.channel, default: 0] + delta
        counts[subscriber.channel] = count == 0 ? nil : count  // equal tallies are equal maps
    }
}

extension OrgState {
    /// Subscribers: added (confirmed or not), confirmed, re-pointed at components, quarantined,
    /// reactivated, removed, purged; the page's subscription settings; notifications marked done.
    func decideSubscriberCommand(_ command: OrgCommand, at now: Date) throws -> [OrgChange] {
        switch command {
        case .addSubscriber(let draft):
            let subscriber = try checkedSubscriber(draft, at: now)
            guard subscriber.state == .unconfirmed, subscriber.channel == .email else {
                return [.subscriberAdded(subscriber)]
            }
            return [.subscriberAdded(subscriber), .noticeRequested(.subscription(subscriber.id, .confirm))]
        case .requestSubscription(var draft):
            draft.confirmed = false
            let address = try Self.checkedAddress(draft.address, channel: draft.channel)
            if let known = subscriber(channel: draft.channel, address: address, incident: draft.incident) {
                return [.noticeRequested(.subscription(known.id, known.state == .unconfirmed ? .confirm : .manage))]
            }
            let subscriber = try checkedSubscriber(draft, at: now)
            return [.subscriberAdded(subscriber), .noticeRequested(.subscription(subscriber.id, .confirm))]
        case .confirmSubscriber(let id):
            let subscriber = try existingSubscriber(id)
            return subscriber.state == .unconfirmed ? [.subscriberConfirmed(id)] : []
        case .setSubscriberComponents(let id, let components):
            let subscriber = try existingSubscriber(id)
            let checked = try checkedComponents(components)
            return checked == subscriber.components ? [] : [.subscriberComponentsChanged(id, checked)]
        case .quarantineSubscriber(let id, let reason):
            let subscriber = try existingSubscriber(id)
            guard subscriber.state != .quarantined else { return [] }
            let quarantined = OrgChange.subscriberQuarantined(id, reason: String(reason.prefix(200)))
            // A webhook's contact is told; an email address that refused mail is not mailed again.
            guard subscriber.contactEmail != nil else { return [quarantined] }
            return [quarantined, .noticeRequested(.subscription(id, .quarantined))]
        case .reactivateSubscribers(let ids):
            return try existingSubscribers(ids).filter { $0.state == .quarantined }.map {
                .subscriberReactivated($0.id)
            }
        case .removeSubscribers(let ids):
            return try existingSubscribers(ids).map { .subscriberRemoved($0.id) }
        case .resendConfirmations(let ids):
            return try existingSubscribers(ids).map { subscriber in
                guard subscriber.state == .unconfirmed, subscriber.channel == .email else {
                    throw EngineError.invalid(
                        ids.count == 1 ? "id" : "subscribers[\(ids.firstIndex(of: subscriber.id) ?? 0)]",
                        "only an unconfirmed email subscriber has a confirmation to send")
                }
                return .noticeRequested(.subscription(subscriber.id, .confirm))
            }
        case .updateSubscriptionSettings(let settings):
            return settings == subscriptionSettings ? [] : [.subscriptionSettingsChanged(settings)]
        case .completeNotices(let seqs):
            let done = seqs.filter { pendingNotices[$0] != nil }
            return done.isEmpty ? [] : [.noticesCompleted(done)]
        case .purgeSubscribers:
            return purgeable(at: now).map { .subscriberRemoved($0) }
        default:
            preconditionFailure("not a subscriber command: \(command)")
        }
    }

    /// Whether any subscriber is due to be forgotten at `now` (the hourly timer asks before it submits).
    public func hasPurgeableSubscribers(at now: Date) -> Bool {
        !purgeable(at: now).isEmpty
    }

    /// Subscribers due to be forgotten at `now`: quarantined ones past their purge time, unconfirmed
    /// ones whose confirmation link expired; at most 1,000 a command, so that one purge never puts a
    /// long run of events in front of the organization's writes (the timer comes back for the rest).
    private func purgeable(at now: Date) -> [SubscriberID] {
        var due: [SubscriberID] = []
        for subscriber in subscribers.values where due.count < 1_000 {
            let expired =
                switch subscriber.state {
                case .quarantined: subscriber.purgeAt.map { $0 <= now } ?? false
                case .unconfirmed: subscriber.createdAt.addingTimeInterval(SubscriberPolicy.confirmationExpiry) <= now
                case .active: false
                }
            if expired { due.append(subscriber.id) }
        }
        return due.sorted()
    }

    private func checkedSubscriber(_ draft: SubscriberDraft, at now: Date) throws -> Subscriber {
        guard subscriptionSettings.channels.contains(draft.channel) else {
            throw EngineError.invalid("type", "this page does not take \(draft.channel.rawValue) subscribers")
        }
        guard subscribers.count < SubscriberPolicy.subscribersMax else {
            throw EngineError(
                .quotaExceeded, field: "subscribers", "at most \(SubscriberPolicy.subscribersMax) subscribers")
        }
        let address = try Self.checkedAddress(draft.address, channel: draft.channel)
        var contact: String? = nil
        if let email = draft.contactEmail { contact = try Validate.email(email, field: "contact_email") }
        if draft.channel == .webhook && contact == nil {
            throw EngineError.invalid("contact_email", "a webhook needs an email address to tell when it fails")
        }
        if let incident = draft.incident {
            guard subscriptionSettings.allowIncidentSubscribers else {
                throw EngineError.invalid("incident_id", "this page does not take subscribers to one incident")
            }
            _ = try existingIncident(incident)
        }
        if let secret = draft.signingSecret {
            guard draft.channel == .webhook else {
                throw EngineError.invalid("secret", "only webhooks are signed")
            }
            guard SubscriberPolicy.signingSecretBytes.contains(secret.count) else {
                throw EngineError.invalid("secret", "must be 16 to 64 bytes")
            }
        }
        let subscriber = Subscriber(
            id: .random(), channel: draft.channel, address: address, contactEmail: contact,
            components: try checkedComponents(draft.components), incident: draft.incident,
            state: draft.confirmed ? .active : .unconfirmed, signingSecret: draft.signingSecret, createdAt: now,
            confirmedAt: draft.confirmed ? now : nil, quarantinedAt: nil, quarantineReason: nil)
        guard subscriberKeys[subscriber.addressKey] == nil else {
            throw EngineError.conflict(Self.addressField(draft.channel), "this address is already subscribed")
        }
        return subscriber
    }

    /// The API's name for a channel's address.
    static func addressField(_ channel: SubscriberChannel) -> String {
        switch channel {
        case .email: "email"
        case .sms: "phone_number"
        case .webhook, .slack, .teams, .discord: "endpoint"
        }
    }

    /// An address as its channel reads it: an email address, a phone number in E.164 form, or an
    /// http(s) URL without credentials.
    static func checkedAddress(_ text: String, channel: SubscriberChannel) throws -> String {
        switch channel {
        case .email:
            let email = try Validate.email(text, field: "email")
            // Characters with a meaning in a mail header never reach one (no header injection).
            guard !email.contains(where: { "<>()[],;:\"\\".contains($0) }), email.allSatisfy(\.isASCII) else {
                throw EngineError.invalid("email", "must be a plain email address")
            }
            return email
        case .sms:
            let digits = text.dropFirst()
            guard text.hasPrefix("+"), (8...15).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber })
            else {
                throw EngineError.invalid(addressField(channel), "must be a phone number in E.164 form (+15551234567)")
            }
            return text
        case .webhook, .slack, .teams, .discord:
            return try Validate.webURL(text, field: "endpoint")
        }
    }

    private func checkedComponents(_ components: [ServiceID]) throws -> [ServiceID] {
        if !components.isEmpty && !subscriptionSettings.allowComponentSubscribers {
            throw EngineError.invalid("component_ids", "this page does not take subscribers to components")
        }
        var seen = Set<ServiceID>()
        for (index, id) in components.enumerated() {
            _ = try existingService(id, field: "component_ids[\(index)]")
            guard seen.insert(id).inserted else {
                throw EngineError.invalid("component_ids[\(index)]", "names a component twice")
            }
        }
        return components.sorted()
    }

    /// The subscribers of a bulk command, each once, in the order given; at most
    /// `SubscriberPolicy.bulkMax`, so that one command never puts a long run of events in front of the
    /// organization's writes.
    private func existingSubscribers(_ ids: [SubscriberID]) throws -> [Subscriber] {
        guard ids.count <= SubscriberPolicy.bulkMax else {
            throw EngineError.invalid("subscribers", "at most \(SubscriberPolicy.bulkMax) subscribers at once")
        }
        var seen = Set<SubscriberID>()
        return try ids.enumerated().compactMap { index, id in
            guard let subscriber = subscribers[id] else {
                throw EngineError.notFound(ids.count == 1 ? "id" : "subscribers[\(index)]", "subscriber")
            }
            return seen.insert(id).inserted ? subscriber : nil
        }
    }

    func existingSubscriber(_ id: SubscriberID) throws -> Subscriber {
        guard let subscriber = subscribers[id] else { throw EngineError.notFound("id", "subscriber") }
        return subscriber
    }

    /// The subscriber of a channel and address (and followed incident), if any.
    public func subscriber(channel: SubscriberChannel, address: String, incident: IncidentID? = nil) -> Subscriber? {
        subscriberKeys[Subscriber.addressKey(channel, address, incident)].flatMap { subscribers[$0] }
    }

    mutating func applySubscriberChange(_ change: OrgChange, at: Date) {
        switch change {
        case .subscriberAdded(let subscriber):
            indexSubscriber(subscriber)
        case .subscriberConfirmed(let id):
            updateSubscriber(id) {
                $0.state = .active
                $0.confirmedAt = at
            }
        case .subscriberComponentsChanged(let id, let components):
            updateSubscriber(id) { $0.components = components }
        case .subscriberQuarantined(let id, let reason):
            updateSubscriber(id) {
                $0.state = .quarantined
                $0.quarantinedAt = at
                $0.quarantineReason = reason
            }
        case .subscriberReactivated(let id):
            updateSubscriber(id) {
                $0.state = .active
                $0.quarantinedAt = nil
                $0.quarantineReason = nil
            }
        case .subscriberRemoved(let id):
            guard let subscriber = subscribers.removeValue(forKey: id) else { return }
            subscriberKeys[subscriber.addressKey] = nil
            activeSubscribers.add(subscriber, -1)
        case .subscriptionSettingsChanged(let settings):
            subscriptionSettings = settings
        case .noticesCompleted(let seqs):
            for seq in seqs { pendingNotices[seq] = nil }
        default:
            preconditionFailure("not a subscriber change: \(change)")
        }
    }

    /// Adds a subscriber to the map and the derived index and tally.
    mutating func indexSubscriber(_ subscriber: Subscriber) {
        subscribers[subscriber.id] = subscriber
        subscriberKeys[subscriber.addressKey] = subscriber.id
        activeSubscribers.add(subscriber, 1)
    }

    private mutating func updateSubscriber(_ id: SubscriberID, _ edit: (inout Subscriber) -> Void) {
        guard var subscriber = subscribers[id] else { return }
        activeSubscribers.add(subscriber, -1)
        edit(&subscriber)
        activeSubscribers.add(subscriber, 1)
        subscribers[id] = subscriber
    }
}
