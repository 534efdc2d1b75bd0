/// The kind of a typed identifier: its prefix on the wire (`svc_`, `inc_`, ...).
public protocol IdentifierKind: Sendable {
    /// The prefix before the underscore, e.g. `svc`.
    static var prefix: String { get }
}

/// A random, globally unique identifier typed by what it names, so a service id can never be passed
/// where an incident id is expected (STYLE P3). On the wire it is `<prefix>_<20 base32 characters>`:
/// 100 random bits, so a guessed id is never a hit (DESIGN invariant 5).
public struct Identifier<Kind: IdentifierKind>: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The full text, prefix included.
    public let rawValue: String

    /// Characters after the prefix; lowercase Crockford-style base32 without look-alikes.
    static var alphabet: [UInt8] { Array("0123456789abcdefghjkmnpqrstvwxyz".utf8) }
    static var randomCharacters: Int { 20 }

    /// Parses an identifier from client input; `nil` unless it has this kind's prefix and shape.
    public init?(_ text: some StringProtocol) {
        let prefix = Kind.prefix + "_"
        guard text.hasPrefix(prefix) else { return nil }
        let rest = text.utf8.dropFirst(prefix.utf8.count)
        guard rest.count == Self.randomCharacters, rest.allSatisfy(Self.alphabet.contains) else { return nil }
        self.rawValue = String(text)
    }

    private init(unchecked rawValue: String) {
        self.rawValue = rawValue
    }

    /// A new identifier from the system's cryptographic random source.
    public static func random() -> Self {
        var generator = SystemRandomNumberGenerator()
        var bytes = Array(Kind.prefix.utf8) + [UInt8(ascii: "_")]
        let alphabet = Self.alphabet
        for _ in 0..<randomCharacters {
            bytes.append(alphabet[Int(generator.next(upperBound: UInt8(alphabet.count)))])
        }
        return Self(unchecked: String(decoding: bytes, as: UTF8.self))
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension Identifier: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = Self(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not a \(Kind.prefix)_ identifier")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

public enum OrganizationKind: IdentifierKind { public static var prefix: String { "org" } }
public enum ServiceKind: IdentifierKind { public static var prefix: String { "svc" } }
public enum GroupKind: IdentifierKind { public static var prefix: String { "grp" } }
public enum IncidentKind: IdentifierKind { public static var prefix: String { "inc" } }
public enum UpdateKind: IdentifierKind { public static var prefix: String { "upd" } }
public enum MaintenanceKind: IdentifierKind { public static var prefix: String { "mnt" } }
public enum AccountKind: IdentifierKind { public static var prefix: String { "usr" } }
public enum MemberKind: IdentifierKind { public static var prefix: String { "mem" } }
public enum InvitationKind: IdentifierKind { public static var prefix: String { "inv" } }
public enum KeyKind: IdentifierKind { public static var prefix: String { "key" } }
public enum SessionKind: IdentifierKind { public static var prefix: String { "ses" } }

public typealias OrgID = Identifier<OrganizationKind>
public typealias ServiceID = Identifier<ServiceKind>
public typealias GroupID = Identifier<GroupKind>
public typealias IncidentID = Identifier<IncidentKind>
public typealias UpdateID = Identifier<UpdateKind>
public typealias MaintenanceID = Identifier<MaintenanceKind>
public typealias AccountID = Identifier<AccountKind>
public typealias MemberID = Identifier<MemberKind>
public typealias InvitationID = Identifier<InvitationKind>
public typealias KeyID = Identifier<KeyKind>
public typealias SessionID = Identifier<SessionKind>
