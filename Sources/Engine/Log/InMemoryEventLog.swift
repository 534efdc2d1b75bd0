import Synchronization

/// An `EventLog` that keeps records in memory: durable for as long as the process lives. For tests,
/// for `statusbench engine` (which measures the engine without the disk) and for `--fsync none`
/// comparisons. It takes records in call order under a lock and never suspends.
public final class InMemoryEventLog: EventLog {
    private let records = Mutex<[LogRecord]>([])

    public init() {}

    public func append(_ newRecords: [LogRecord], isolation: isolated (any Actor)?) async throws -> LogPosition {
        records.withLock { records in
            records.append(contentsOf: newRecords)
            return LogPosition(UInt64(records.count))
        }
    }

    public var appendPosition: LogPosition { records.withLock { LogPosition(UInt64($0.count)) } }

    /// Every record appended so far, in log order.
    public var all: [LogRecord] { records.withLock { $0 } }
}
