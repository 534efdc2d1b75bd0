import Crypto
package import Engine
import Foundation
import Live

/// What proves that an organization controls its custom domain: a token bound to the organization
/// and the domain, published either as a DNS TXT record at `_statusd-challenge.<domain>` or as the
/// body of `http://<domain>/.well-known/statusd-challenge/<organization id>`.
///
/// The token is a hash of the two, not a secret: it proves control because only whoever runs the
/// domain's DNS or web server can publish it there, and it names one organization, so it verifies
/// that one alone. statusd never serves the challenge path itself, so a domain pointed at statusd
/// cannot pass the HTTP check by statusd's own answer.
package struct DomainChallenge: Sendable, Equatable {
    package let organization: OrgID
    package let domain: String

    package var token: String {
        let digest = SHA256.hash(data: Data("statusd custom domain|\(organization.rawValue)|\(domain)".utf8))
        return "statusd-verification=" + digest.prefix(20).hexText
    }

    /// The DNS name the TXT record goes under.
    package var dnsName: String { "_statusd-challenge." + domain }

    package static let wellKnownPrefix = "/.well-known/statusd-challenge/"

    /// The path the HTTP check fetches.
    package var httpPath: String { Self.wellKnownPrefix + organization.rawValue }
}
