package import Crypto
package import Engine
import Foundation

/// The links in notifications: confirm, manage and unsubscribe, each carrying a token that is the
/// HMAC-SHA256 of what it does, the organization and the subscriber under a server key (derived from
/// the session key: one key per cluster, rotated with it). Nothing secret is stored per subscriber, and
/// links in old mails keep working until the subscriber is gone or the key is rotated.
package struct SubscriptionLinks: Sendable {
    package enum Purpose: String, Sendable, CaseIterable {
        case confirm, manage, unsubscribe
    }

    private let key: SymmetricKey

    package init(key: SymmetricKey) { self.key = key }

    package init(sessions: SessionTokens) { self.init(key: sessions.derivedKey("statusd subscription links v1")) }

    package func token(_ purpose: Purpose, _ subscriber: SubscriberID, org: OrgID) -> String {
        let message = Data("\(purpose.rawValue)|\(org.rawValue)|\(subscriber.rawValue)".utf8)
        return SessionTokens.base64URL(Data(HMAC<SHA256>.authenticationCode(for: message, using: key)))
    }

    /// Whether `token` is this server's for the purpose, organization and subscriber (compared in
    /// constant time).
    package func verify(_ token: String, _ purpose: Purpose, _ subscriber: SubscriberID, org: OrgID) -> Bool {
        constantTimeEqual(Array(self.token(purpose, subscriber, org: org).utf8), Array(token.utf8))
    }

    /// `<base>/subscriptions/<org>/<subscriber>/<purpose>?token=...`
    package func url(_ purpose: Purpose, _ subscriber: SubscriberID, org: OrgID, base: String) -> String {
        "\(base)/subscriptions/\(org.rawValue)/\(subscriber.rawValue)/\(purpose.rawValue)?token="
            + token(purpose, subscriber, org: org)
    }
}
