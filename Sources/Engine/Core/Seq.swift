/// The per-stream event number: gap-free, increasing, starting at 1 (invariant 3, docs/ARCHITECTURE.md).
/// `seq` always means this; a location in the log is a `LogPosition`.
public struct Seq: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// The seq before the first event of a stream.
    public static let zero = Seq(0)

    /// The seq that follows this one.
    public var next: Seq { Seq(rawValue + 1) }

    public var description: String { String(rawValue) }

    public static func < (lhs: Seq, rhs: Seq) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A location in the event log shared by every stream: what an append returns once it is durable.
public struct LogPosition: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public var description: String { String(rawValue) }

    public static func < (lhs: LogPosition, rhs: LogPosition) -> Bool { lhs.rawValue < rhs.rawValue }
}
