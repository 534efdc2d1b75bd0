public import Engine

/// The event log a server runs on, whichever it is: the WAL in the data directory (`FileEventLog`), or
/// the shared log on PostgreSQL in cluster mode. What serving needs besides appending: figures for
/// `/health` and `/metrics`, whether writes can land now (`/ready`), dropping what snapshots made
/// unneeded, and closing.
public protocol ServedEventLog: EventLog {
    /// The log's figures as of now; cheap (a scrape or a health check reads it).
    var report: LogReport { get }
    /// Records per batch: how well group commit gathers writers.
    var batchRecords: Distribution { get }
    /// Seconds a batch took to become durable: an fdatasync, or a COMMIT's round trip.
    var durableSeconds: Distribution { get }
    /// Contacts the log when nothing else has lately, so that `report.reachable` is current while no
    /// one writes. The WAL is local: nothing to contact.
    func probe() async
    /// Drops what only snapshots older than `position` needed. Blocking: call it off the cooperative pool.
    /// - Returns: how many files (WAL segments) were deleted.
    func trim(before position: LogPosition) throws -> Int
    /// After the last append: makes everything durable that the policy left pending, and lets go.
    func shutDown() async
}

/// A log's figures, for `/health` and `/metrics`.
public struct LogReport: Sendable {
    public enum Kind: String, Sendable, Encodable {
        case wal
        case postgresql
    }

    public let kind: Kind
    /// The position the next append takes (as this process knows it).
    public let position: LogPosition
    /// Batches and records appended by this process since it started.
    public let batches: Int
    public let records: Int
    /// The WAL's fsync policy and fdatasyncs; nil for a log whose durability is its server's.
    public let fsync: String?
    public let syncs: Int?
    /// What stopped the log for good (the WAL's disk failed); nil while it works.
    public let failure: String?
    /// Whether an append can land now: false while a shared log cannot be reached.
    public let reachable: Bool
    /// How far this node trails the shared log it follows; nil for the WAL (there is only one writer).
    public let lag: FollowLag.Report?

    public init(
        kind: Kind, position: LogPosition, batches: Int, records: Int, fsync: String? = nil, syncs: Int? = nil,
        failure: String? = nil, reachable: Bool, lag: FollowLag.Report? = nil
    ) {
        self.kind = kind
        self.position = position
        self.batches = batches
        self.records = records
        self.fsync = fsync
        self.syncs = syncs
        self.failure = failure
        self.reachable = reachable
        self.lag = lag
    }
}

extension FileEventLog: ServedEventLog {
    public var report: LogReport {
        let statistics = self.statistics
        let failure = self.failure
        return LogReport(
            kind: .wal, position: appendPosition, batches: statistics.batches, records: statistics.records,
            fsync: "\(configuration.fsync)", syncs: statistics.syncs, failure: failure.map { "\($0)" },
            reachable: failure == nil)
    }

    public var durableSeconds: Distribution { syncSeconds }

    public func probe() async {}

    public func shutDown() async {
        _ = try? await onDedicatedThread { self.close() }
    }
}
