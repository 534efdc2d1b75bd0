import Foundation
package import OutboundClient

/// How an HTTP message leaves statusd: a POST through the outbound guard in the server, a recorder in
/// tests below the process level. (Mail leaves through a `MailTransport`.)
package protocol NoticeSending: Sendable {
    /// Sends one message once; nil when it was accepted (a 2xx), else why not.
    func send(_ message: OutgoingMessage) async -> String?
}

/// Posts through the guarded client: every address checked, no redirect followed (a redirect is a
/// failure, as Statuspage counts it), a 2xx within the client's total timeout (30 s) is success.
package struct GuardedPosting: NoticeSending {
    let client: OutboundClient

    package init(client: OutboundClient) { self.client = client }

    package func send(_ message: OutgoingMessage) async -> String? {
        do {
            let answer = try await client.post(
                message.url, purpose: .notification, body: message.body, headers: message.headers)
            return (200..<300).contains(answer.status) ? nil : "answered HTTP \(answer.status)"
        } catch {
            return "\(error)"
        }
    }
}
