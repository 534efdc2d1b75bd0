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
/// Ordering contract: `append` runs on the caller's isolation (the `isolation` parameter) and takes
/// the records into the log's order before its first suspension point. So records appended by one
/// actor reach the log in the order the actor called `append`, and once an append returns, every
/// record that actor appended before it is durable too. Without the isolated parameter a
/// nonisolated async function would start on the global executor, and two appends of one actor could
/// overtake each other on the way (a crash test caught exactly that: seq 82 logged before seq 81).
public protocol EventLog: Sendable {
    /// Appends `records` as one unit (all or none survive a crash) and returns once they are durable
    /// under the log's policy. Callers pass `isolation: #isolation`.
    /// - Returns: the position just after the records.
    /// - Throws: when the log has failed; it then fails every later append too.
    func append(_ records: [LogRecord], isolation: isolated (any Actor)?) async throws -> LogPosition

    /// A lower bound of the position the next append will take: where a snapshot taken now can start
    /// replaying for everything appended from here on.
    var appendPosition: LogPosition { get }

    /// The records of `stream` after `seq`, in seq order: what other writers of a shared log appended
    /// that this process has not applied. A log with one writer (the WAL) has none.
    func records(of stream: StreamID, after seq: Seq) async throws -> [LogRecord]

    /// After an `AppendRefused`, a shared log refuses every later append of that stream (each was
    /// decided on top of the refused one) until its writer says it has set its state back: then it
    /// calls this, before deciding anything more.
    func resume(_ stream: StreamID)
}

extension EventLog {
    public func records(of stream: StreamID, after seq: Seq) async throws -> [LogRecord] { [] }
    public func resume(_ stream: StreamID) {}
}

/// An append a shared log (PostgreSQL, in cluster mode) did not take, and that may be tried again:
/// unlike any other append error, it does not fail the log for good.
public struct AppendRefused: Error, CustomStringConvertible {
    public enum Reason: Sendable {
        /// The stream moved under the append: another writer got there first.
        case conflict
        /// The log could not be reached in time; the append did not land.
        case unavailable
    }

    public let reason: Reason
    public let detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { detail }
}
