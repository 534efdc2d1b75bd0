import Foundation
package import JWTKit
package import Logging
import Wire

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// OpenID Connect bearer tokens from one configured provider (Auth0, Clerk, Keycloak, ...), verified
/// with jwt-kit against the provider's JWKS: RS256 or ES256 only, the configured
/// issuer and audience, expiry and not-before. The JWKS is a file, or a URL fetched at start and again
/// when a token names a key id it does not know (providers rotate keys); a fetch that did not bring
/// the key holds the next one back for 30 seconds, so a flood of made-up key ids costs the provider
/// two requests a minute.
package actor OIDCVerifier {
    package struct Configuration: Sendable {
        package let issuer: String
        package let audience: String
        /// A file path, or an `http(s)://` URL.
        package let jwks: String

        package init(issuer: String, audience: String, jwks: String) {
            self.issuer = issuer
            self.audience = audience
            self.jwks = jwks
        }
    }

    /// The claims statusd reads from a verified token.
    package struct Claims: JWTPayload {
        package let iss: IssuerClaim
        package let sub: SubjectClaim
        package let aud: AudienceClaim
        package let exp: ExpirationClaim
        package let nbf: NotBeforeClaim?
        package let email: String?
        package let emailVerified: Bool?
        package let name: String?
        /// An organization (slug or id) the provider says the person acts in: it chooses among the
        /// person's memberships, never grants one.
        package let organization: String?

        package enum CodingKeys: String, CodingKey {
            case iss, sub, aud, exp, nbf, email, name
            case emailVerified = "email_verified"
            case organization = "statusd_org"
        }

        package func verify(using algorithm: some JWTAlgorithm) throws {
            try exp.verifyNotExpired()
            try nbf?.verifyNotBefore()
        }
    }

    package struct Rejected: Error, CustomStringConvertible {
        package let description: String
    }

    package let configuration: Configuration
    private var keys = JWTKeyCollection()
    /// The key ids of the loaded JWKS: a token must name one of them (jwt-kit would otherwise try its
    /// default key for an id it does not know).
    private var keyIDs: Set<String> = []
    /// When a fetch last failed to bring an unknown key id.
    private var lastUselessFetch: ContinuousClock.Instant?
    private let logger: Logger

    /// Loads the JWKS. - Throws: when it cannot be read or holds no usable key (start-up stops).
    package init(configuration: Configuration, logger: Logger) async throws {
        self.configuration = configuration
        self.logger = logger
        try await reload()
    }

    /// The claims of a valid token. - Throws: `Rejected` naming what was wrong (for the log, not
    /// the client, which gets one 401 for every reason).
    package func verify(_ token: String) async throws -> Claims {
        let header = try Self.header(token)
        guard header.algorithm == "RS256" || header.algorithm == "ES256" else {
            throw Rejected(description: "algorithm \(header.algorithm) is not accepted (RS256 or ES256 only)")
        }
        let keyID = header.keyID ?? ""
        if !keyIDs.contains(keyID) && refreshAllowed {
            try await reload()
            if !keyIDs.contains(keyID) { lastUselessFetch = .now }
        }
        guard keyIDs.contains(keyID) else { throw Rejected(description: "unknown key id '\(keyID.prefix(64))'") }
        let claims = try await keys.verify(token, as: Claims.self)
        guard claims.iss.value == configuration.issuer else {
            throw Rejected(description: "issuer \(claims.iss.value) is not \(configuration.issuer)")
        }
        try claims.aud.verifyIntendedAudience(includes: configuration.audience)
        return claims
    }

    private var refreshAllowed: Bool {
        configuration.jwks.hasPrefix("http")
            && (lastUselessFetch.map { ContinuousClock.now - $0 >= .seconds(30) } ?? true)
    }

    private func reload() async throws {
        let json: String
        if configuration.jwks.hasPrefix("http://") || configuration.jwks.hasPrefix("https://") {
            guard let url = URL(string: configuration.jwks) else {
                throw Rejected(description: "--oidc-jwks is not a URL: \(configuration.jwks)")
            }
            let (data, response) = try await URLSession.shared.data(from: url)
            guard (response as? HTTPURLResponse)?.statusCode == 200 else {
                throw Rejected(description: "JWKS \(url) answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
            }
            json = String(decoding: data, as: UTF8.self)
        } else {
            json = try String(contentsOfFile: configuration.jwks, encoding: .utf8)
        }
        let fresh = JWTKeyCollection()
        try await fresh.add(jwksJSON: json)
        keys = fresh
        let set = try JSONDecoder().decode(KeyIDs.self, from: Data(json.utf8))
        keyIDs = Set(set.keys.map { $0.kid ?? "" })
        logger.info("OpenID Connect keys loaded", metadata: ["jwks": "\(configuration.jwks)"])
    }

    private struct KeyIDs: Decodable {
        package struct Key: Decodable { let kid: String? }
        package let keys: [Key]
    }

    /// The `alg` and `kid` of a token's header, read before any key is chosen, so that `none` and
    /// HMAC never reach a verifier.
    private static func header(_ token: String) throws -> (algorithm: String, keyID: String?) {
        guard let header = token.split(separator: ".").first else { throw Rejected(description: "not a JWT") }
        var text = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        guard let data = Data(base64Encoded: text),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let algorithm = object["alg"] as? String
        else { throw Rejected(description: "the JWT header is unreadable") }
        return (algorithm, object["kid"] as? String)
    }
}
