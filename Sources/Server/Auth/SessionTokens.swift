package import Crypto
package import Engine
import Foundation
import Wire

/// Session tokens as clients hold them: `<session id>.<base64url HMAC-SHA256 of the id>`, keyed by the
/// `session-secret` setting, or else, in cluster mode, by a key every node reads from the log's
/// database, or else by a key kept in `<data>/secrets/session.key` (mode 0600, made on first start). The MAC proves
/// statusd issued the id; the directory's session table decides whether it is still open, so logout,
/// a password change or an expiry revoke a token at once.
package struct SessionTokens: Sendable {
    private let key: SymmetricKey

    package init(key: SymmetricKey) { self.key = key }

    /// The key a cluster's nodes share, kept in the log's database (`LogSchema.sharedSecret`).
    package init(clusterKey bytes: [UInt8]) { self.init(key: SymmetricKey(data: bytes)) }

    /// The key of a data directory, created (32 random bytes, 0600 in a 0700 folder) if missing.
    /// The key derived from the `session-secret` setting (a configuration secret), for servers that
    /// must agree on one key (several nodes, or a data directory restored elsewhere): its SHA-256.
    /// - Throws: when the secret is shorter than 32 characters (`openssl rand -hex 32` makes one).
    package init(secret: String) throws {
        guard secret.utf8.count >= 32 else {
            throw OperationFailure("session-secret must be at least 32 characters (openssl rand -hex 32 makes one)")
        }
        self.init(key: SymmetricKey(data: SHA256.hash(data: Data("statusd session key|\(secret)".utf8))))
    }

    package static func load(dataDirectory path: String) throws -> SessionTokens {
        let folder = path + "/secrets"
        let file = folder + "/session.key"
        let manager = FileManager.default
        if !manager.fileExists(atPath: file) {
            try manager.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let key = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
            guard manager.createFile(atPath: file, contents: key, attributes: [.posixPermissions: 0o600]) else {
                throw OperationFailure("cannot create \(file)")
            }
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        guard bytes.count == 32 else { throw OperationFailure("\(file) is not a 32-byte key") }
        return SessionTokens(key: SymmetricKey(data: bytes))
    }

    /// A key for another purpose derived from this one (HKDF-SHA256 with `label`): one secret per
    /// cluster covers sessions and subscription links, and the two can never be confused.
    package func derivedKey(_ label: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data(label.utf8), outputByteCount: 32)
    }

    package func token(for session: SessionID) -> String {
        session.rawValue + "."
            + Self.base64URL(Data(HMAC<SHA256>.authenticationCode(for: Data(session.rawValue.utf8), using: key)))
    }

    /// The session id a token carries, if statusd issued it (MAC compared in constant time).
    package func session(from token: String) -> SessionID? {
        let parts = token.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let id = SessionID(parts[0]) else { return nil }
        let expected = Array(
            Self.base64URL(Data(HMAC<SHA256>.authenticationCode(for: Data(id.rawValue.utf8), using: key))).utf8)
        return constantTimeEqual(expected, Array(parts[1].utf8)) ? id : nil
    }

    /// The dashboard's CSRF token for a session: a second MAC of its id, which a page of statusd's
    /// origin reads from a JSON answer and sends back in `X-CSRF-Token`; another site can neither read
    /// it nor set the header.
    package func csrf(for session: SessionID) -> String {
        Self.base64URL(Data(HMAC<SHA256>.authenticationCode(for: Data("csrf|\(session.rawValue)".utf8), using: key)))
    }

    static func base64URL(_ data: Data) -> String {
        // Byte by byte: Foundation's replacingOccurrences was 8% of a mail's CPU (three links a mail).
        var bytes: [UInt8] = []
        bytes.reserveCapacity((data.count + 2) / 3 * 4)
        for byte in data.base64EncodedData() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): bytes.append(UInt8(ascii: "_"))
            case UInt8(ascii: "="): continue
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
