package import Engine
import Wire

/// Organization API keys as clients hold them: `sk_<key id>_<secret>`. Only the
/// SHA-256 of the secret is stored; `Authenticator` hashes a presented secret and compares with
/// `constantTimeEqual`.
package enum APIKeyToken {
    package static let prefix = "sk_"

    /// A new secret and the hash the organization stores.
    package static func makeSecret() -> (secret: String, hash: [UInt8]) { RandomSecret.make() }

    /// The token shown once, at creation.
    package static func token(id: KeyID, secret: String) -> String { prefix + id.rawValue + "_" + secret }

    package static func hash(_ secret: String) -> [UInt8] { RandomSecret.hash(secret) }
}
