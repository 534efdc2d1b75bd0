import Engine
import Foundation
import Live
package import NIOCore
import NIOPosix
import Outbound
import Wire

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Runs the ownership checks of a custom domain (`DomainChallenge`): the DNS TXT record, then the
/// HTTP well-known path, and says what each found.
package struct DomainVerifier: Sendable {
    package enum Method: String, Sendable, CaseIterable {
        case dns
        case http
    }

    /// The DNS server asked (`--dns-server`, else the system's first nameserver); nil: no DNS check.
    package let dnsServer: SocketAddress?
    /// Where the HTTP check connects instead of the domain itself: only set by tests
    /// (`STATUSD_TEST_DOMAIN_HTTP_ADDRESS`), whose domains resolve nowhere.
    package let httpAddressOverride: String?

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
        let lookup = DNSTXTLookup(server: server)
        do {
            let records = try await NIOThreadPool.singleton.runIfActive { try lookup.records(challenge.dnsName) }
            let published = records.map { $0.trimmingCharacters(in: .whitespaces) }
            if published.contains(challenge.token) { return nil }  // the challenge is public, not a secret
            return records.isEmpty
                ? "\(place): no TXT record" : "\(place): \(records.count) TXT record(s), none holds the token"
        } catch {
            return "\(place): \(error)"
        }
    }

    /// nil when the well-known path answers 200 with the token; otherwise what was found.
    private func http(_ challenge: DomainChallenge) async -> String? {
        let authority = httpAddressOverride ?? challenge.domain
        let shown = "HTTP http://\(challenge.domain)\(challenge.httpPath)"
        guard let url = URL(string: "http://\(authority)\(challenge.httpPath)") else { return "\(shown): bad URL" }
        var request = URLRequest(url: url, timeoutInterval: 5)
        request.setValue("statusd domain check", forHTTPHeaderField: "User-Agent")
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard status == 200 else { return "\(shown): answered \(status)" }
            let body = String(decoding: data.prefix(1_024), as: UTF8.self).trimmingCharacters(
                in: .whitespacesAndNewlines)
            let matches = body == challenge.token  // the challenge is public, not a secret
            return matches ? nil : "\(shown): the body is not the token"
        } catch {
            return "\(shown): \((error as NSError).localizedDescription)"
        }
    }

    package init(dnsServer: SocketAddress?, httpAddressOverride: String?) {
        self.dnsServer = dnsServer
        self.httpAddressOverride = httpAddressOverride
    }
}
