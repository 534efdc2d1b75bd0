import Crypto
import Engine
import Foundation

/// Organization API keys as clients hold them: `sk_<key id>_<secret>`, the secret 256 random bits in
/// the ids' base32 alphabet (DESIGN "Auth"). Only the SHA-256 of the secret's text is stored; checking
/// a presented key (the accounts issue) hashes its secret and compares with `constantTimeEqual`.
enum APIKeyToken {
    static let prefix = "sk_"

    /// A new secret and the hash the organization stores.
    static func makeSecret() -> (secret: String, hash: [UInt8]) {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)
        // 52 characters of 5 bits: 260 bits, of which 256 carry the key's strength.
        let secret = String(
            decoding: (0..<52).map { _ in alphabet[Int(generator.next(upperBound: UInt8(32)))] }, as: UTF8.self)
        return (secret, hash(secret))
    }

    /// The token shown once, at creation.
    static func token(id: KeyID, secret: String) -> String { prefix + id.rawValue + "_" + secret }

    static func hash(_ secret: String) -> [UInt8] { Array(SHA256.hash(data: Data(secret.utf8))) }
}
