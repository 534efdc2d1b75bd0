import Crypto
import Engine
package import Foundation
import Wire

/// One request to one subscriber's URL: its body and headers, ready to send.
package struct OutgoingMessage: Sendable {
    package let url: URL
    package let body: [UInt8]
    package let headers: [(String, String)]

    /// The key a receiver drops duplicates by: the same for every attempt at one notification to one
    /// subscriber, on every node (SHA-256 of the organization, the notice's seq and the subscriber).
    static func idempotencyKey(_ key: NoticeKey, _ subscriber: SubscriberID) -> String {
        let digest = SHA256.hash(data: Data("\(key.org.rawValue):\(key.seq.rawValue):\(subscriber.rawValue)".utf8))
        let hex = Array("0123456789abcdef".utf8)
        var text = Array("ntf_".utf8)
        for byte in digest.prefix(16) {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The message for `subscriber`'s channel, or nil for a channel without one (email, SMS) or a URL
    /// that does not parse (it was checked when the subscriber was made, so this is never expected).
    static func make(
        _ content: NoticeContent, webhook: WebhookBody?, for subscriber: Subscriber, unsubscribe: String, now: Date
    ) throws -> OutgoingMessage? {
        guard let url = URL(string: subscriber.address), content.aboutThePage else { return nil }
        let id = idempotencyKey(content.key, subscriber.id)
        let body: [UInt8]
        switch subscriber.channel {
        case .webhook:
            guard let webhook else { return nil }
            body = try webhook.body(unsubscribe: unsubscribe)
        case .slack:
            body = try ChatMessage.slack(content)
        case .teams:
            body = try ChatMessage.teams(content)
        case .discord:
            body = try ChatMessage.discord(content)
        case .email, .sms:
            return nil
        }
        var headers = [("Content-Type", "application/json"), ("Idempotency-Key", id), ("webhook-id", id)]
        if let secret = subscriber.signingSecret {
            let timestamp = String(Int(now.timeIntervalSince1970))
            headers.append(("webhook-timestamp", timestamp))
            headers.append(("webhook-signature", signature(id: id, timestamp: timestamp, body: body, secret: secret)))
        }
        return OutgoingMessage(url: url, body: body, headers: headers)
    }

    /// The Standard Webhooks signature (standardwebhooks.com): `v1,` and the base64 HMAC-SHA256 of
    /// `id.timestamp.body` under the subscriber's secret, so receivers can use that spec's libraries.
    static func signature(id: String, timestamp: String, body: [UInt8], secret: [UInt8]) -> String {
        var signed = Data("\(id).\(timestamp).".utf8)
        signed.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: secret))
        return "v1," + Data(mac).base64EncodedString()
    }

}

/// A notification's webhook body, encoded once: every subscriber's differs only by its unsubscribe
/// link, spliced in where a marker no one can guess stood (encoding the whole payload per subscriber
/// was 12% of a delivery's CPU; BENCHMARKS.md, "Notifications").
struct WebhookBody: Sendable {
    private let prefix: [UInt8]
    private let suffix: [UInt8]

    init(_ content: NoticeContent, documentation: String) throws {
        let marker = "statusd-unsubscribe-" + UUID().uuidString
        let meta = WebhookPayload.Meta(unsubscribe: marker, documentation: documentation)
        let payload: WebhookPayload
        switch content.subject {
        case .incident(let incident):
            payload = WebhookPayload(
                meta: meta, page: content.page, incident: incident, componentUpdate: nil, component: nil)
        case .component(let update, let component):
            payload = WebhookPayload(
                meta: meta, page: content.page, incident: nil, componentUpdate: update, component: component)
        case .subscription:
            throw EncodingError.invalidValue(
                content.title, .init(codingPath: [], debugDescription: "a subscription mail has no webhook body"))
        }
        let bytes = Array(try PublicSummary.makeEncoder().encode(payload))
        guard let range = bytes.firstRange(of: Array(marker.utf8)) else {
            throw EncodingError.invalidValue(marker, .init(codingPath: [], debugDescription: "marker not encoded"))
        }
        prefix = Array(bytes[..<range.lowerBound])
        suffix = Array(bytes[range.upperBound...])
    }

    /// The body with `unsubscribe` in place, JSON-escaped as the encoder would write it.
    func body(unsubscribe: String) throws -> [UInt8] {
        let quoted = Array(try PublicSummary.makeEncoder().encode(unsubscribe))  // "...", escaped
        return prefix + quoted.dropFirst().dropLast() + suffix
    }
}
