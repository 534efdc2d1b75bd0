import Engine
import Foundation
package import NIOCore
import NIOPosix
import Outbound
package import OutboundClient

/// Runs the ownership checks of a custom domain (`DomainChallenge`): the DNS TXT record, then the
/// HTTP well-known path, and says what each found. The HTTP check goes through the outbound guard
/// (`OutboundClient`): a domain that resolves, or redirects, to loopback, a private network or cloud
/// metadata is refused before any connection, and the answer says why.
package struct DomainVerifier: Sendable {
    package enum Method: String, Sendable, CaseIterable {
        case dns
        case http
    }

    /// The DNS server asked for the TXT record (`--dns-server`, else the system's first nameserver);
    /// nil: no DNS check.
    package let dnsServer: SocketAddress?
    package let client: OutboundClient
    /// The port the HTTP check connects to instead of 80: only set by tests
    /// (`STATUSD_TEST_DOMAIN_HTTP_PORT`), whose listeners cannot take port 80 on every loopback address.
    package let httpPortOverride: Int?

    /// The most of the well-known file read: the token is short.
    static let bodyLimit = 4_096

    package struct Outcome: Sendable {
        /// The method that proved control, if one did.
        package let passed: Method?
        /// What each method tried found, for the answer when none passed.
        package let findings: [String]
    }

    package func verify(_ challenge: DomainChallenge, methods: [Method]) async -> Outcome {
        var findings: [String] = []
        for method in methods {
            let finding = method == .dns ? await dns(challenge) : await http(challenge)
            guard let finding else { return Outcome(passed: method, findings: []) }
            findings.append(finding)
        }
        return Outcome(passed: nil, findings: findings)
    }

    /// nil when the TXT record holds the token; otherwise what was found.
    private func dns(_ challenge: DomainChallenge) async -> String? {
        let place = "DNS TXT \(challenge.dnsName)"
        guard let server = dnsServer else { return "\(place): no DNS server configured (--dns-server)" }
        let lookup = DNSClient(server: server)
        do {
            let records = try await NIOThreadPool.singleton.runIfActive { try lookup.textRecords(challenge.dnsName) }
            let published = records.map { $0.trimmingCharacters(in: .whitespaces) }
            if published.contains(challenge.token) { return nil }  // the challenge is public, not a secret
            return records.isEmpty
                ? "\(place): no TXT record" : "\(place): \(records.count) TXT record(s), none holds the token"
        } catch {
            return "\(place): \(error)"
        }
    }

    /// nil when the well-known path answers 200 with the token; otherwise what was found. The body of an
    /// answer is never repeated: only its status, or that it is not the token.
    private func http(_ challenge: DomainChallenge) async -> String? {
        let shown = "HTTP http://\(challenge.domain)\(challenge.httpPath)"
        let port = httpPortOverride.map { ":\($0)" } ?? ""
        guard let url = URL(string: "http://\(challenge.domain)\(port)\(challenge.httpPath)") else {
            return "\(shown): bad URL"
        }
        do {
            let answer = try await client.get(url, purpose: .domainCheck, bodyLimit: Self.bodyLimit)
            guard answer.status == 200 else { return "\(shown): answered \(answer.status)" }
            let body = String(decoding: answer.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return body == challenge.token ? nil : "\(shown): the body is not the token"  // the token is public
        } catch {
            return "\(shown): \(error)"
        }
    }

    package init(dnsServer: SocketAddress?, client: OutboundClient, httpPortOverride: Int?) {
        self.dnsServer = dnsServer
        self.client = client
        self.httpPortOverride = httpPortOverride
    }
}
