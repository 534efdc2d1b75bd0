import Crypto
import Foundation

/// The secrets statusd hands out once (API key secrets, invitation tokens): 52 characters of the ids'
/// base32 alphabet, 260 random bits of which 256 carry the strength. Only their
/// SHA-256 is kept.
package enum RandomSecret {
    package static func make() -> (secret: String, hash: [UInt8]) {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)
        let secret = String(
            decoding: (0..<52).map { _ in alphabet[Int(generator.next(upperBound: UInt8(32)))] }, as: UTF8.self)
        return (secret, hash(secret))
    }

    /// `count` bytes from the system's cryptographic random source (a webhook's signing key).
    package static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    package static func hash(_ secret: String) -> [UInt8] { Array(SHA256.hash(data: Data(secret.utf8))) }
}
