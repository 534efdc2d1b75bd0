/// The kind of a typed identifier: its prefix on the wire (`svc_`, `inc_`, ...).
public protocol IdentifierKind: Sendable {
    /// The prefix before the underscore, e.g. `svc`.
    static var prefix: String { get }
}

/// A random, globally unique identifier typed by what it names, so a service id can never be passed
/// where an incident id is expected. On the wire it is `<prefix>_<20 base32 characters>`:
/// 100 random bits, so a guessed id is never a hit (invariant 5, docs/ARCHITECTURE.md).
///
/// In memory it is the 100 bits themselves, not their text: ids are the keys of every map in the
/// engine, and a plain value copies and hashes without reference counting (the text of a 24-byte id
/// would be a heap string, retained and released on every copy of a service or an event).
public struct Identifier<Kind: IdentifierKind>: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The top 36 of the 100 bits.
    public let high: UInt64
    /// The low 64 of the 100 bits.
    public let low: UInt64

    static var alphabet: [UInt8] { Array("0123456789abcdefghjkmnpqrstvwxyz".utf8) }
    static var characters: Int { 20 }
    @usableFromInline static var highMask: UInt64 { (1 << 36) - 1 }

    /// An identifier from its bits, as the binary codec stores them; `nil` when `high` has more than
    /// 36 bits. Inlinable so that decoding millions of ids at start-up costs no generic dispatch.
    @inlinable
    public init?(high: UInt64, low: UInt64) {
        guard high & ~Self.highMask == 0 else { return nil }
        self.high = high
        self.low = low
    }

    /// Parses an identifier from its text; `nil` unless it has this kind's prefix and shape.
    public init?(_ text: some StringProtocol) {
        let prefix = Kind.prefix + "_"
        guard text.hasPrefix(prefix) else { return nil }
        let rest = text.utf8.dropFirst(prefix.utf8.count)
        guard rest.count == Self.characters else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for byte in rest {
            guard let digit = Self.digit(byte) else { return nil }
            // Shift the 100-bit number left by 5 and add the digit.
            high = (high << 5 | low >> 59) & Self.highMask
            low = low << 5 | UInt64(digit)
        }
        self.high = high
        self.low = low
    }

    private static func digit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        default: alphabet.firstIndex(of: byte).map { UInt8($0) }
        }
    }

    /// A new identifier from the system's cryptographic random source (or, in a frozen test
    /// process, the next of `WallClock`'s sequence).
    public static func random() -> Self {
        let (high, low) = WallClock.identifierBits()
        return Self(high: high & highMask, low: low)!
    }

    /// The text form, `svc_` and 20 base32 characters.
    public var rawValue: String {
        let alphabet = Self.alphabet
        var digits = [UInt8](repeating: 0, count: Self.characters)
        var high = high
        var low = low
        for index in stride(from: Self.characters - 1, through: 0, by: -1) {
            digits[index] = alphabet[Int(low & 31)]
            low = low >> 5 | (high & 31) << 59
            high >>= 5
        }
        return Kind.prefix + "_" + String(decoding: digits, as: UTF8.self)
    }

    public var description: String { rawValue }

    @inlinable
    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.high != rhs.high ? lhs.high < rhs.high : lhs.low < rhs.low
    }

    @inlinable
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.high == rhs.high && lhs.low == rhs.low }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(low)
        hasher.combine(high)
    }
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
public enum SubscriberKind: IdentifierKind { public static var prefix: String { "sub" } }

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
public typealias SubscriberID = Identifier<SubscriberKind>
