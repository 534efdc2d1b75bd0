/// The stream an event belongs to: the directory (accounts, sessions, identities) or one organization.
public enum StreamID: Hashable, Sendable, Codable {
    case directory
    case organization(OrgID)
}

/// One event as the log stores it: which stream, and the event of that stream.
public enum LogRecord: Hashable, Sendable, Codable {
    case organization(OrgID, OrgEvent)
    case directory(DirectoryEvent)

    public var stream: StreamID {
        switch self {
        case .organization(let id, _): .organization(id)
        case .directory: .directory
        }
    }

    public var seq: Seq {
        switch self {
        case .organization(_, let event): event.seq
        case .directory(let event): event.seq
        }
    }
}

/// Where events become durable. Persistence implements it with the WAL; `InMemoryEventLog` serves
/// tests and benchmarks that leave the disk out.
///
/// Ordering contract: an implementation takes the records into its order *before* its first
/// suspension point, so that records appended by one actor, in the order the actor called `append`,
/// reach the log in that order. The actors rely on it: once an append returns, every record that
/// actor appended before it is durable too (a log written in one order is durable in prefix order).
public protocol EventLog: Sendable {
    /// Appends `records` as one unit (all or none survive a crash) and returns once they are durable
    /// under the log's policy.
    /// - Returns: the position just after the records.
    /// - Throws: when the log has failed; it then fails every later append too.
    func append(_ records: [LogRecord]) async throws -> LogPosition
}
