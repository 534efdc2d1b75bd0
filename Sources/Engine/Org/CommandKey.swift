public import Foundation  // Date is part of the public values.

/// A client's name for one command (its `Idempotency-Key`), and what the request that carried it was
/// (`fingerprint`: its method, path and caller, hashed by the server): a retry with the same key gets
/// the first command's outcome instead of applying it again. Kept in the organization's own stream
/// (`OrgChange.commandKeyed`), so it holds on either log, across restarts and across nodes.
public struct CommandKey: Hashable, Sendable, Codable {
    public let key: String
    public let fingerprint: String

    /// Keys are 1 to 255 visible ASCII characters (a UUID fits; so does anything a client library makes).
    public static let lengthMax = 255

    /// nil when `key` is empty, too long or holds anything but visible ASCII.
    public init?(key: String, fingerprint: String) {
        guard (1...Self.lengthMax).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else { return nil }
        self.key = key
        self.fingerprint = fingerprint
    }

    /// The key of the `step`th command of one request (a request that runs two commands, such as an
    /// incident's edit and update, keys each).
    public func step(_ step: Int) -> CommandKey {
        step == 1 ? self : CommandKey(unchecked: "\(key)#\(step)", fingerprint: fingerprint)
    }

    /// For the codec: a key read back from the log was checked when it was written.
    package init(unchecked key: String, fingerprint: String) {
        self.key = key
        self.fingerprint = fingerprint
    }
}

/// A keyed command an organization remembers: what it was sent as, when, and the events it wrote (a
/// retry is answered with them).
public struct KeyedCommand: Hashable, Sendable {
    public let fingerprint: String
    public let at: Date
    public internal(set) var events: [OrgEvent]

    package init(fingerprint: String, at: Date, events: [OrgEvent]) {
        self.fingerprint = fingerprint
        self.at = at
        self.events = events
    }
}
