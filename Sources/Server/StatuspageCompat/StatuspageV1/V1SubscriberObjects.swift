package import Engine
import Foundation
import HashTreeCollections
package import Wire

/// Subscribers as Statuspage's management API v1 shows them (`Tests/EndToEndTests/Schemas/statuspage-v1/
/// subscriber.json`). A URL subscriber's `endpoint` is a bearer secret and is masked as in our own API;
/// the members statusd has no notion of (Slack workspaces, audience-specific pages) are `null`.
extension StatuspagePublic {
    package func v1Subscriber(_ subscriber: Subscriber) -> JSONValue {
        let phone = subscriber.channel == .sms ? JSONValue.string(subscriber.address) : .null
        let email: JSONValue =
            switch subscriber.channel {
            case .email: .string(subscriber.address)
            case .webhook: subscriber.contactEmail.map { .string($0) } ?? .null  // Statuspage's webhook contact
            default: .null
            }
        return [
            "id": .string(subscriber.id.rawValue), "page_id": .string(state.id.rawValue),
            "mode": .string(subscriber.channel.rawValue), "state": .string(subscriber.state.rawValue),
            "email": email,
            "endpoint": subscriber.channel.postsToURL ? .string(SubscriberBody.masked(subscriber.address)) : .null,
            "phone_number": phone, "phone_country": .null, "display_phone_number": phone,
            "obfuscated_channel_name": .null, "workspace_name": .null,
            "components": .array(subscriber.components.map { .string($0.rawValue) }),
            "incident_id": subscriber.incident.map { .string($0.rawValue) } ?? .null,
            "quarantined_at": subscriber.quarantinedAt.map(Self.date) ?? .null,
            "purge_at": subscriber.purgeAt.map(Self.date) ?? .null, "page_access_user_id": .null,
            "created_at": Self.date(subscriber.createdAt),
        ]
    }

    /// Statuspage's subscriber types as counting keys: its own (`integration_partner` counts none
    /// here) and statusd's chat channels.
    package static let v1SubscriberTypes =
        SubscriberChannel.allCases.map(\.rawValue) + ["integration_partner"]

    /// `GET …/subscribers/count`: how many subscribers of each type are in `states`.
    package func v1SubscriberCount(states: Set<SubscriberState>, type: SubscriberChannel?) -> JSONValue {
        var counts = Dictionary(uniqueKeysWithValues: Self.v1SubscriberTypes.map { ($0, 0) })
        for subscriber in state.subscribers.values
        where states.contains(subscriber.state) && (type == nil || subscriber.channel == type) {
            counts[subscriber.channel.rawValue, default: 0] += 1
        }
        return .object(counts.mapValues { .integer($0) })
    }

    /// `GET …/subscribers/histogram_by_state`: each type's subscribers by state.
    package var v1SubscriberHistogram: JSONValue {
        let empty = Dictionary(uniqueKeysWithValues: SubscriberState.allCases.map { ($0.rawValue, 0) })
        var histogram = Dictionary(uniqueKeysWithValues: Self.v1SubscriberTypes.map { ($0, empty) })
        for subscriber in state.subscribers.values {
            histogram[subscriber.channel.rawValue]?[subscriber.state.rawValue]? += 1
        }
        return .object(histogram.mapValues { .object($0.mapValues { .integer($0) }) })
    }
}
